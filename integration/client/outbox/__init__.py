"""Durable outbox: intakes and hand-offs confirmed while the case service is down are kept on
disk and delivered later with their original idempotency key, so nothing is lost or duplicated.

Layout under the outbox directory: ``pending/``, ``delivered/``, ``failed/`` with one JSON file per
request, named by a hash of the idempotency key (hand-off files are prefixed ``handoff-``). Each
file holds ``kind`` (``intake`` or ``handoff``; files without it, written by older versions, are
intakes), ``key``, ``receipt_id``, ``queued_at`` and the request under its kind. Files hold
personal data: mode 0600.

CLI: ``python -m integration.client.outbox drain|list`` (see ``__main__.py``).
"""

from __future__ import annotations

from integration.client.outbox.drainer import DrainReport, OutboxDrainer
from integration.client.outbox.records import OutboxEntry, receipt_for
from integration.client.outbox.store import FileOutbox

__all__ = ["DrainReport", "FileOutbox", "OutboxDrainer", "OutboxEntry", "receipt_for"]
