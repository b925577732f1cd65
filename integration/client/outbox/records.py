"""What one outbox file holds, for each record kind, and how it is named.

Kinds: ``intake`` (files written before hand-offs existed have no ``kind`` and are intakes) and
``handoff``. File names and receipt ids derive from the idempotency key, so putting the same
request twice keeps one entry and returns the same receipt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integration.client.types import HandoffRequest, IntakeRequest

QueuedRequest = IntakeRequest | HandoffRequest

INTAKE = "intake"
HANDOFF = "handoff"


def _stem(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def receipt_for(key: str, kind: str = INTAKE) -> str:
    """Local receipt id, stable for a key: ``RC-…`` for intakes, ``HO-…`` for hand-offs."""
    return ("HO-" if kind == HANDOFF else "RC-") + _stem(key)[:10].upper()


def file_name(key: str, kind: str) -> str:
    # Intakes keep the original naming so existing files stay where the code looks for them.
    return f"{_stem(key)}.json" if kind == INTAKE else f"{kind}-{_stem(key)}.json"


def kind_of(request: QueuedRequest) -> str:
    return HANDOFF if isinstance(request, HandoffRequest) else INTAKE


def encode(request: QueuedRequest, key: str, queued_at: str) -> dict[str, Any]:
    kind = kind_of(request)
    record: dict[str, Any] = {"kind": kind, "key": key, "receipt_id": receipt_for(key, kind),
                              "queued_at": queued_at, kind: request.to_json()}
    if isinstance(request, HandoffRequest):
        record["urgent"] = request.urgent
    return record


def decode(raw: dict[str, Any]) -> QueuedRequest:
    kind = raw.get("kind", INTAKE)
    if kind == INTAKE:
        return IntakeRequest.from_json(raw[INTAKE])
    if kind == HANDOFF:
        return HandoffRequest.from_json(raw[HANDOFF])
    raise ValueError(f"unknown outbox record kind {kind!r}")


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    receipt_id: str
    request: QueuedRequest
    queued_at: str
    path: Path

    @property
    def kind(self) -> str:
        return kind_of(self.request)

    @property
    def urgent(self) -> bool:
        return isinstance(self.request, HandoffRequest) and self.request.urgent
