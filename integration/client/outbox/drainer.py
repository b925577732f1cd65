"""Delivering queued intakes and hand-offs once the case service is back."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any

from integration.client.errors import CaseRejected, CaseSystemUnavailable
from integration.client.outbox.records import OutboxEntry
from integration.client.outbox.store import FileOutbox
from integration.client.port import CaseSystem
from integration.client.types import HandoffRequest, IntakeRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrainReport:
    delivered: int = 0
    rejected: int = 0
    remaining: int = 0


class OutboxDrainer:
    """Delivers pending entries (urgent hand-offs first, then oldest first) with their original
    idempotency keys; stops a pass at the first sign the service is still down."""

    def __init__(self, outbox: FileOutbox, target: CaseSystem, interval_s: float = 30.0) -> None:
        self.outbox = outbox
        self.target = target
        self.interval_s = interval_s

    async def drain_once(self) -> DrainReport:
        with self.outbox.exclusive() as locked:
            if not locked:
                return DrainReport(remaining=len(self.outbox.pending()))
            return await self._drain()

    async def _drain(self) -> DrainReport:
        delivered = rejected = 0
        entries = self.outbox.pending()
        for i, entry in enumerate(entries):
            try:
                result = await self._deliver(entry)
            except CaseSystemUnavailable:  # includes HandoffQueued from a buffered target
                return DrainReport(delivered, rejected, len(entries) - i)
            except CaseRejected as exc:
                # Malformed beyond repair; keep it for staff, don't retry.
                log.error("outbox %s %s rejected: %s", entry.kind, entry.receipt_id, exc.code)
                self.outbox.settle(entry, "failed", error={"code": exc.code,
                                                           "message": exc.message})
                rejected += 1
                continue
            if result is None:  # target queued it again: it is not delivered
                return DrainReport(delivered, rejected, len(entries) - i)
            self.outbox.settle(entry, "delivered", **result)
            log.info("outbox %s %s delivered: %s", entry.kind, entry.receipt_id, result)
            delivered += 1
        return DrainReport(delivered, rejected, 0)

    async def _deliver(self, entry: OutboxEntry) -> dict[str, Any] | None:
        """What to record on delivery ({"case_no"} / {"handoff_id"}), None if not delivered."""
        if isinstance(entry.request, HandoffRequest):
            return {"handoff_id": await self.target.request_handoff(entry.request, entry.key)}
        intake: IntakeRequest = entry.request
        if not intake.receipt_id:  # queued before intakes carried their receipt
            intake = replace(intake, receipt_id=entry.receipt_id)
        outcome = await self.target.create_case(intake, entry.key)
        return {"case_no": outcome.case_no} if outcome.registered else None

    async def run_forever(self) -> None:
        while True:
            try:
                await self.drain_once()
            except Exception:  # top level of a background task: log and try again later
                log.exception("outbox drain failed")
            await asyncio.sleep(self.interval_s)
