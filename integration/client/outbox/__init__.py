"""Durable outbox: intakes confirmed while the case service is down are kept on disk and
delivered later with their original idempotency key, so nothing is lost or duplicated.

Layout under the outbox directory: ``pending/``, ``delivered/``, ``failed/`` with one JSON file per
intake, named by a hash of the idempotency key. Files hold personal data: mode 0600.

CLI: ``python -m integration.client.outbox drain|list`` (see ``__main__.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from integration.client.errors import CaseRejected, CaseSystemUnavailable
from integration.client.port import CaseSystem
from integration.client.types import IntakeRequest

log = logging.getLogger(__name__)


def _stem(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def receipt_for(key: str) -> str:
    """Local receipt id, stable for a key so a retried confirmation gets the same receipt."""
    return "RC-" + _stem(key)[:10].upper()


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    receipt_id: str
    intake: IntakeRequest
    queued_at: str
    path: Path


@dataclass(frozen=True)
class DrainReport:
    delivered: int = 0
    rejected: int = 0
    remaining: int = 0


class FileOutbox:
    def __init__(self, directory: Path | str) -> None:
        self.dir = Path(directory)
        for sub in ("pending", "delivered", "failed"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)

    def put(self, intake: IntakeRequest, key: str) -> str:
        """Persist (fsync'd) before returning; putting the same key twice keeps one entry."""
        path = self.dir / "pending" / f"{_stem(key)}.json"
        if not path.exists():
            record = {"key": key, "receipt_id": receipt_for(key), "intake": intake.to_json(),
                      "queued_at": datetime.now(timezone.utc).isoformat()}
            _atomic_write(path, record)
        return receipt_for(key)

    def pending(self) -> list[OutboxEntry]:
        entries = []
        for path in sorted((self.dir / "pending").glob("*.json"), key=lambda p: p.stat().st_mtime):
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries.append(OutboxEntry(raw["key"], raw["receipt_id"],
                                       IntakeRequest.from_json(raw["intake"]), raw["queued_at"],
                                       path))
        return entries

    def settle(self, entry: OutboxEntry, folder: str, **result: Any) -> None:
        """Move an entry out of pending, recording how it ended."""
        raw = json.loads(entry.path.read_text(encoding="utf-8"))
        raw.update(result, settled_at=datetime.now(timezone.utc).isoformat())
        _atomic_write(self.dir / folder / entry.path.name, raw)
        entry.path.unlink(missing_ok=True)

    def status(self, receipt_id: str) -> dict[str, Any] | None:
        """Where a receipt is now (pending / delivered with case_no / failed), for follow-up."""
        for folder in ("delivered", "failed", "pending"):
            for path in (self.dir / folder).glob("*.json"):
                raw = json.loads(path.read_text(encoding="utf-8"))
                if raw["receipt_id"] == receipt_id:
                    return {"state": folder, "case_no": raw.get("case_no"),
                            "error": raw.get("error")}
        return None

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[bool]:
        """Non-blocking inter-process lock so two drainers don't work the same directory."""
        with open(self.dir / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _atomic_write(path: Path, record: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(record, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class OutboxDrainer:
    """Delivers pending intakes; stops a pass at the first sign the service is still down."""

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
                outcome = await self.target.create_case(entry.intake, entry.key)
            except CaseSystemUnavailable:
                return DrainReport(delivered, rejected, len(entries) - i)
            except CaseRejected as exc:
                # Validated before queueing, so this is rare; keep it for staff, don't retry.
                log.error("outbox entry %s rejected: %s", entry.receipt_id, exc.code)
                self.outbox.settle(entry, "failed", error={"code": exc.code,
                                                           "message": exc.message})
                rejected += 1
                continue
            if not outcome.registered:  # target queued it again: it is not delivered
                return DrainReport(delivered, rejected, len(entries) - i)
            self.outbox.settle(entry, "delivered", case_no=outcome.case_no)
            log.info("outbox entry %s delivered as %s", entry.receipt_id, outcome.case_no)
            delivered += 1
        return DrainReport(delivered, rejected, 0)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.drain_once()
            except Exception:  # top level of a background task: log and try again later
                log.exception("outbox drain failed")
            await asyncio.sleep(self.interval_s)
