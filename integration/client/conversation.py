"""A whole conversation record (every turn of a call or chat), stored by the case service for
staff review. Python 3.10 compatible, no third-party imports (re-exported by
``integration.client.types``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ConversationRecord:
    """Everything the channel recorded of one conversation, sent whole on every update.

    ``channel``: phone / robot / web. ``turns``: JSON objects stored as given, e.g. the phone
    gateway's events ``{"at": ISO-8601, "t_ms": int, "kind": "caller", "text": str,
    "confidence": float}``. The reference service takes at most 5,000 turns and a 2 MB body
    (``integration.conversation_vocab``); naive datetimes are read as the center's local time."""

    conversation_id: str
    channel: str
    turns: list[dict[str, Any]]
    started_at: datetime | None = None
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "turns", list(self.turns))  # later appends by the caller don't leak in

    def to_json(self) -> dict[str, Any]:
        """The PUT body (the id is repeated; the service checks it matches the path)."""
        return {
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "turns": [dict(turn) for turn in self.turns],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationRecord:
        """Inverse of ``to_json``; also reads the service's GET answer (extra keys ignored)."""
        return cls(
            conversation_id=data["conversation_id"],
            channel=data["channel"],
            turns=[dict(turn) for turn in data.get("turns") or []],
            started_at=_parse(data.get("started_at")),
            ended_at=_parse(data.get("ended_at")),
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
