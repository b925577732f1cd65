"""voice/twilio"""
