"""The Rasa assistant: domain, training data, custom actions and the action server."""
