"""Every finished call's record (turns, confidences, keys, timings) to the case service for staff.

The record is on disk first (``records.FileRecordStore``, one JSONL file per conversation); at the
end of a call the whole file is sent with ``CaseSystem.put_conversation``, which replaces the
stored record, so a web page that opened push-to-talk twice, or a retry, never duplicates turns.
When the case service cannot be reached a marker stays in ``<data_dir>/unarchived/``, and the
gateway retries those at start-up and periodically: nothing heard on a call is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from voice.core.records import FileRecordStore, private_dir, safe_name, write_private

log = logging.getLogger(__name__)


class ArchiveSink(Protocol):
    async def archive(self, conversation_id: str, channel: str) -> None:
        """Send the conversation's record; never raises (failures are kept for a retry)."""
        ...


class NoArchive:
    async def archive(self, conversation_id: str, channel: str) -> None:
        return None


def _parse_at(entry: dict[str, Any] | None) -> datetime | None:
    try:
        return datetime.fromisoformat(str(entry["at"])) if entry else None
    except (KeyError, ValueError):
        return None


class CaseServiceArchive:
    """Adapter over ``integration.client`` (``CaseSystem.put_conversation``)."""

    def __init__(self, case_system: Any, store: FileRecordStore) -> None:
        self._cases = case_system
        self._store = store
        self._pending_dir = store.base_dir / "unarchived"

    def _marker(self, conversation_id: str) -> Path:
        return self._pending_dir / f"{safe_name(conversation_id)}.json"

    async def archive(self, conversation_id: str, channel: str) -> None:
        from integration.client.errors import CaseRejected, CaseSystemUnavailable
        from integration.client.types import ConversationRecord

        turns = self._store.transcript(conversation_id)
        if not turns:
            return
        record = ConversationRecord(
            conversation_id=conversation_id,
            channel=channel,
            turns=turns,
            started_at=_parse_at(turns[0]),
            ended_at=_parse_at(turns[-1]) if turns[-1].get("kind") == "call_end" else None,
        )
        marker = self._marker(conversation_id)
        try:
            await self._cases.put_conversation(record)
        except CaseRejected as exc:
            # Retrying cannot help; the file stays in transcripts/ for a person to look at.
            marker.unlink(missing_ok=True)
            log.error("record of %s refused by the case service: %s", conversation_id, exc.code)
            return
        except CaseSystemUnavailable as exc:
            private_dir(self._pending_dir)
            write_private(marker, json.dumps({"conversation_id": conversation_id, "channel": channel}))
            log.warning(
                "record of %s not archived (%s): kept for a retry", conversation_id, type(exc).__name__
            )
            return
        marker.unlink(missing_ok=True)
        log.info("record of %s archived (%d turns)", conversation_id, len(turns))

    def pending(self) -> list[tuple[str, str]]:
        """(conversation id, channel) of every record still waiting for the case service."""
        found = []
        for path in sorted(self._pending_dir.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append((str(data["conversation_id"]), str(data["channel"])))
            except (OSError, ValueError, KeyError):
                log.error("unreadable archive marker %s", path)
        return found

    async def retry_pending(self) -> int:
        """Try every waiting record once; returns how many are still waiting."""
        for conversation_id, channel in self.pending():
            await self.archive(conversation_id, channel)
        return len(self.pending())

    async def keep_retrying(self, interval_s: float) -> None:
        """Background task of the gateway: retry waiting records until cancelled."""
        while True:
            waiting = await self.retry_pending()
            if waiting:
                log.warning("%d call records still wait for the case service", waiting)
            await asyncio.sleep(interval_s)
