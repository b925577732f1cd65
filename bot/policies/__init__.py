"""Dialogue policies of our own (registered with Rasa's recipe when config.yml names them)."""
