"""Rasa input channels of our own (registered in bot/credentials.yml)."""
