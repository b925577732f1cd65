"""The outbox directory: one fsync'd JSON file (mode 0600) per queued request."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from integration.client.outbox.records import (
    HANDOFF,
    INTAKE,
    OutboxEntry,
    QueuedRequest,
    decode,
    encode,
    file_name,
    kind_of,
    receipt_for,
)

log = logging.getLogger(__name__)


class FileOutbox:
    def __init__(self, directory: Path | str) -> None:
        self.dir = Path(directory)
        for sub in ("pending", "delivered", "failed"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)

    def put(self, request: QueuedRequest, key: str) -> str:
        """Persist (fsync'd) before returning the receipt id; putting the same key twice keeps
        one entry. Accepts an IntakeRequest or a HandoffRequest."""
        kind = kind_of(request)
        path = self.dir / "pending" / file_name(key, kind)
        if not path.exists():
            _atomic_write(path, encode(request, key, datetime.now(timezone.utc).isoformat()))
        return receipt_for(key, kind)

    def pending(self) -> list[OutboxEntry]:
        """Urgent hand-offs first, then everything in the order it was queued."""
        entries = []
        for path in (self.dir / "pending").glob("*.json"):
            raw = json.loads(path.read_text(encoding="utf-8"))
            try:
                request = decode(raw)
            except (KeyError, TypeError, ValueError):
                log.error("outbox file %s is unreadable; left in place", path.name)
                continue
            entries.append(OutboxEntry(raw["key"], raw["receipt_id"], request, raw["queued_at"],
                                       path))
        return sorted(entries, key=lambda e: (not e.urgent, e.path.stat().st_mtime, e.path.name))

    def settle(self, entry: OutboxEntry, folder: str, **result: Any) -> None:
        """Move an entry out of pending, recording how it ended."""
        raw = json.loads(entry.path.read_text(encoding="utf-8"))
        raw.update(result, settled_at=datetime.now(timezone.utc).isoformat())
        _atomic_write(self.dir / folder / entry.path.name, raw)
        entry.path.unlink(missing_ok=True)

    def status(self, receipt_id: str) -> dict[str, Any] | None:
        """Where a receipt is now (pending / delivered / failed), for follow-up: with the
        ``case_no`` for intakes, the ``handoff_id`` for hand-offs."""
        for folder in ("delivered", "failed", "pending"):
            for path in (self.dir / folder).glob("*.json"):
                raw = json.loads(path.read_text(encoding="utf-8"))
                if raw["receipt_id"] != receipt_id:
                    continue
                if raw.get("kind", INTAKE) == HANDOFF:
                    return {"state": folder, "handoff_id": raw.get("handoff_id"),
                            "error": raw.get("error")}
                return {"state": folder, "case_no": raw.get("case_no"), "error": raw.get("error")}
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
