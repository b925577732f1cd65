"""Which channel a conversation arrives on: web, phone, robot or walk-in."""

from __future__ import annotations

from rasa_sdk import Tracker

_INPUT_CHANNELS = {"rest": "web", "socketio": "web", "twilio_voice": "phone"}


def input_channel(tracker: Tracker) -> str:
    """web / phone / robot, from the message metadata (set by our gateways) or Rasa's channel."""
    metadata = tracker.latest_message.get("metadata") or {}
    declared: str | None = metadata.get("channel") if isinstance(metadata, dict) else None
    if declared in ("web", "phone", "robot", "walk-in"):
        return declared
    return _INPUT_CHANNELS.get(tracker.get_latest_input_channel() or "", "web")
