"""Case-system integration: the client port used by the bot and a reference case service."""
