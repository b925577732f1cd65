"""voice/robot"""
