"""Custom Rasa NLU graph components (loaded by config.yml from this package)."""
