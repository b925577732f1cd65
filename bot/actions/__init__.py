"""Custom actions for the dispute-intake assistant (run with `rasa run actions --actions bot.actions`).

rasa-sdk imports every module of this package and registers every concrete Action subclass,
so modules here must have no side effects at import time and shared bases must be abstract.
"""
