"""voice/core"""
