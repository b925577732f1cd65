"""The retention job's stores outside the case database (see ``retention``).

- Rasa's SQL tracker store (``RETENTION_TRACKER_DB_URL``: the launcher's ``var/tracker.db``, or a
  PostgreSQL URL): every event of a conversation whose newest event is older than the period,
  unless the conversation belongs to a kept case or an open hand-off. Table ``events`` of
  ``rasa.core.tracker_store.SQLTrackerStore`` (``sender_id``, ``timestamp`` in epoch seconds).
- The voice gateway's call records (``VOICE_DATA_DIR``: ``transcripts/``, ``handoffs/``,
  ``unarchived/``, one file per conversation) last written before the period, with the same
  exception. They are copies: the case service keeps the archived record with its case.
- The bot's outbox (``CASE_OUTBOX_DIR``): ``delivered/`` and ``failed/`` files older than the
  period. ``pending/`` is never touched: an intake waiting for delivery is never dropped.

A store that does not exist here (another machine, not set up yet) is skipped; one that fails
is named in the report and tried again next run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, Float, MetaData, String, Table, create_engine, delete, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from integration.service.services.retention import PurgeReport, RetentionSettings

VOICE_FOLDERS = ("transcripts", "handoffs", "unarchived")
OUTBOX_FOLDERS = ("delivered", "failed")
CHUNK = 500
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")  # as voice.core.records.safe_name names the files

_events = Table(
    "events", MetaData(), Column("sender_id", String(255)), Column("timestamp", Float)
)  # the two columns of Rasa's table this job reads


def file_stem(conversation_id: str) -> str:
    return _UNSAFE.sub("_", conversation_id)


def purge_tracker(url: str, cutoff: datetime, kept: set[str]) -> int:
    """Delete the old conversations of Rasa's tracker store; returns how many."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).is_file()):
        return 0  # never create a tracker database that Rasa did not
    options = {"connect_args": {"timeout": 30}} if parsed.get_backend_name() == "sqlite" else {}
    engine = create_engine(url, hide_parameters=True, **options)
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table("events"):
                return 0
            old = conn.scalars(
                select(_events.c.sender_id)
                .group_by(_events.c.sender_id)
                .having(func.max(_events.c.timestamp) < cutoff.timestamp())
            )
            senders = [s for s in old if s not in kept]
            for start in range(0, len(senders), CHUNK):
                conn.execute(delete(_events).where(_events.c.sender_id.in_(senders[start : start + CHUNK])))
        return len(senders)
    finally:
        engine.dispose()


def purge_folder(base: Path, folders: Sequence[str], cutoff: datetime, kept_stems: set[str]) -> int:
    """Delete files under ``base/<folder>/`` last modified before ``cutoff``; returns how many."""
    removed = 0
    for name in folders:
        folder = base / name
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            stem = path.name.removesuffix(".jsonl").removesuffix(".json")
            if path.is_file() and stem not in kept_stems and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def remove_files(folder: Path, names: Iterable[str]) -> None:
    """Evidence files whose rows were purged (a name is a random one the service chose)."""
    for name in names:
        (folder / Path(name).name).unlink(missing_ok=True)


def purge_outside(settings: RetentionSettings, cutoff: datetime, kept: set[str], report: PurgeReport) -> None:
    """Tracker store, call records and outbox files, each on its own: one failing spares none."""
    if settings.tracker_db_url:
        try:
            report.tracker_conversations += purge_tracker(settings.tracker_db_url, cutoff, kept)
        except (SQLAlchemyError, OSError, ValueError):
            report.unreadable.append("tracker store")
    if settings.voice_dir is not None:
        try:
            stems = {file_stem(c) for c in kept}
            report.voice_files += purge_folder(settings.voice_dir, VOICE_FOLDERS, cutoff, stems)
        except OSError:
            report.unreadable.append("voice call records")
    if settings.outbox_dir is not None:
        try:
            report.outbox_files += purge_folder(settings.outbox_dir, OUTBOX_FOLDERS, cutoff, set())
        except OSError:
            report.unreadable.append("bot outbox")
