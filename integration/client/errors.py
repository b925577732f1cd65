"""Errors the bot's actions handle; adapters wrap transport errors into these."""

from __future__ import annotations


class CaseSystemError(Exception):
    """Base class of every case-system failure."""


class CaseSystemUnavailable(CaseSystemError):
    """The case system could not be reached or failed (timeouts, connection errors, 5xx)."""


class CaseRejected(CaseSystemError):
    """The case system refused the request (4xx); `message` is Chinese and may be shown."""

    def __init__(self, code: str, message: str, status: int = 422, field: str | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.field = field


class CaseNotFound(CaseRejected):
    """No such case (or appointment)."""


class HandoffQueued(CaseSystemUnavailable):
    """The case system was unreachable, so the hand-off was saved in the durable outbox and will
    be delivered by the drainer (with its original idempotency key). Nothing is lost, but no
    person has seen it yet: tell the citizen so (``HANDOFF_QUEUED_NOTICE``) and, for ``urgent``
    ones, give the emergency numbers. A subclass of CaseSystemUnavailable, so callers that only
    handle availability errors keep working."""

    def __init__(self, receipt_id: str, urgent: bool = False) -> None:
        super().__init__(f"hand-off queued in the outbox as {receipt_id}")
        self.receipt_id = receipt_id
        self.urgent = urgent
