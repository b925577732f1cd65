"""The conversation so far, from the tracker's events, for staff who take over."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

MAX_TURNS = 200
MAX_TURN_CHARS = 2000


def transcript_turns(tracker: Tracker) -> list[dict[str, Any]]:
    """Citizen and bot turns in order: speaker, text, time (ISO-8601 UTC) and ASR confidence."""
    turns: list[dict[str, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        metadata = event.get("metadata") or {}
        confidence: float | None = metadata.get("asr_confidence") if kind == "user" else None
        turns.append(
            {
                "speaker": "citizen" if kind == "user" else "bot",
                "text": str(event["text"])[:MAX_TURN_CHARS],
                "at": _iso(event.get("timestamp")),
                "confidence": confidence,
            }
        )
    return turns[-MAX_TURNS:]


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest citizen messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count


def _iso(timestamp: Any) -> str | None:
    if not isinstance(timestamp, (int, float)):
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()
