"""voice/dialogue"""
