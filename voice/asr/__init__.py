"""voice/asr"""
