"""The website chat: the page citizens type (or talk) in, and its small API in front of Rasa."""
