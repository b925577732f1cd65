"""The hand-off packet: everything staff need to take over without asking the citizen again.

Python 3.10 compatible, no third-party imports (re-exported by ``integration.client.types``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integration.handoff_vocab import cap_transcript


@dataclass(frozen=True)
class HandoffRequest:
    """A request for a person to take over the conversation.

    ``reason_code``: requested / not_understood / safety / phone_transfer / callback.
    ``collected``: slot name -> value already gathered (applicant_name, applicant_phone, ...).
    ``transcript``: turns ``{"speaker": "citizen"|"bot"|"staff", "text": str,
    "at": ISO-8601 str or None, "confidence": float or None}``; only the last 200 turns are kept
    and each text is cut to 2,000 characters on construction. A ``safety`` hand-off is always
    ``urgent`` (here and in the service). Everything else is validated by the service (HTTP 422
    for anything malformed)."""

    conversation_id: str
    reason: str
    summary: str | None = None
    phone: str | None = None
    case_no: str | None = None
    reason_code: str = "requested"
    urgent: bool = False
    category: str | None = None
    channel: str = "web"
    collected: dict[str, str] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    callback_requested: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "collected", dict(self.collected))
        object.__setattr__(self, "transcript", cap_transcript(list(self.transcript)))
        if self.reason_code == "safety":
            object.__setattr__(self, "urgent", True)

    def to_json(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, "reason": self.reason,
                "summary": self.summary, "phone": self.phone, "case_no": self.case_no,
                "reason_code": self.reason_code, "urgent": self.urgent,
                "category": self.category, "channel": self.channel,
                "collected": dict(self.collected),
                "transcript": [dict(turn) for turn in self.transcript],
                "callback_requested": self.callback_requested}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HandoffRequest:
        """Inverse of ``to_json``; also reads the service's hand-off JSON (extra keys ignored)
        and older payloads without the packet fields (defaults apply)."""
        return cls(
            conversation_id=data["conversation_id"], reason=data["reason"],
            summary=data.get("summary"), phone=data.get("phone"), case_no=data.get("case_no"),
            reason_code=data.get("reason_code") or "requested",
            urgent=bool(data.get("urgent", False)), category=data.get("category"),
            channel=data.get("channel") or "web", collected=dict(data.get("collected") or {}),
            transcript=[dict(t) for t in data.get("transcript") or []],
            callback_requested=bool(data.get("callback_requested", False)))
