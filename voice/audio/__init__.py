"""voice/audio"""
