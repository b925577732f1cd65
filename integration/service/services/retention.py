"""Retention: personal data of closed cases and old conversations go after ``RETENTION_DAYS``.

What is purged once the period has passed (``now - RETENTION_DAYS``):

- a case **closed** (or followed up) before it: the parties' names, phones and ID numbers, the
  description and the place become :data:`MARKER` or nothing; its transcript, text messages and
  evidence files are deleted; free text in its audit log (reasons, message bodies) is replaced.
  The case number, category, institution, amount, dates, deadlines, status, outcome and
  escalations stay, and so does what the statistics read from the ID (gender, age band at
  registration), so every statistic counts the case as before;
- conversation records, closed hand-offs' packets (summary, phone, collected details,
  transcript, note), text messages, appointments and evidence older than the period that belong
  to no kept case; idempotency records older than the period;
- outside this database (``retention_stores``): Rasa's tracker-store conversations, the voice
  gateway's call records and the bot's delivered outbox files older than the period.

Never touched: open cases, cases closed within the period, and everything of their
conversations; open or claimed hand-offs. Running again changes nothing. Each purged case gets a
``personal_data_purged`` entry in its audit log, each run that purged anything one
``retention_purge`` line with the counts in the staff audit log; the log line holds counts only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, CursorResult, Executable, Select, delete, or_, select, update

from integration.envparse import SettingsError, env_float, env_int
from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.retention import MARKER
from integration.service.domain.status import Status
from integration.service.services import retention_stores
from integration.service.services.accounts import record
from integration.service.services.audit import audit
from integration.service.services.context import ServiceContext
from integration.service.services.stats import gender_and_age

log = logging.getLogger(__name__)
ACTOR = "system:retention"
CLOSED = (Status.CLOSED.value, Status.FOLLOWED_UP.value)
BATCH = 200  # cases per transaction
FIRST_RUN_DELAY_S = 300.0  # the server's first run, after start-up has settled
_FREE_TEXT = frozenset({"body", "to", "text", "note", "summary", "name", "phone"})  # audit detail keys


@dataclass(frozen=True)
class RetentionSettings:
    """``RETENTION_DAYS`` (0: nothing is ever purged), ``RETENTION_INTERVAL_H`` (how often the
    server runs the job; 0: never, run ``python -m integration.service.manage purge`` from cron
    instead, or on all but one of several workers), ``RETENTION_TRACKER_DB_URL`` (Rasa's tracker
    store; empty or unset: the launcher's ``var/tracker.db``; ``off``: not purged here), and the
    folders of the voice gateway and of the bot's outbox when they are on this machine
    (``VOICE_DATA_DIR``, ``CASE_OUTBOX_DIR``)."""

    days: int = 180
    interval_h: float = 0.0  # from the environment: 24
    tracker_db_url: str = ""
    voice_dir: Path | None = None
    outbox_dir: Path | None = None

    @classmethod
    def from_env(cls, e: Mapping[str, str], var_dir: Path, repo_root: Path) -> RetentionSettings:
        def folder(name: str, default: Path) -> Path:
            path = Path(e.get(name) or default)
            return path if path.is_absolute() else repo_root / path

        days = env_int(e, "RETENTION_DAYS", 180)
        interval = env_float(e, "RETENTION_INTERVAL_H", 24.0)
        if days < 0 or interval < 0:
            raise SettingsError("RETENTION_DAYS and RETENTION_INTERVAL_H must not be negative")
        return cls(
            days=days,
            interval_h=interval,
            tracker_db_url=_tracker_url(e.get("RETENTION_TRACKER_DB_URL", ""), var_dir),
            voice_dir=folder("VOICE_DATA_DIR", var_dir / "voice"),
            outbox_dir=folder("CASE_OUTBOX_DIR", var_dir / "outbox"),
        )


def _tracker_url(raw: str, var_dir: Path) -> str:
    value = raw.strip()
    if value.lower() == "off":
        return ""
    return value or f"sqlite:///{var_dir / 'tracker.db'}"


@dataclass
class PurgeReport:
    """How many of each were purged (counts only: it is logged and audited)."""

    cases: int = 0
    conversations: int = 0
    handoffs: int = 0
    notifications: int = 0
    appointments: int = 0
    evidence: int = 0
    idempotency: int = 0
    tracker_conversations: int = 0
    voice_files: int = 0
    outbox_files: int = 0
    unreadable: list[str] = field(default_factory=list)  # stores that could not be purged (names)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}

    def total(self) -> int:
        return sum(self.counts().values())


def _kept_case(cutoff: datetime) -> ColumnElement[bool]:
    """Cases the job never touches: not closed, or closed within the period."""
    return or_(orm.Case.status.not_in(CLOSED), orm.Case.closed_at.is_(None), orm.Case.closed_at >= cutoff)


def _kept_conversations(cutoff: datetime) -> tuple[Select[Any], Select[Any]]:
    """Conversation ids of kept cases, and of hand-offs staff have not closed or closed within
    the period."""
    h = orm.Handoff
    of_cases = select(orm.Case.conversation_id).where(
        _kept_case(cutoff), orm.Case.conversation_id.is_not(None))
    of_handoffs = select(h.conversation_id).where(
        or_(h.status != "closed", h.closed_at.is_(None), h.closed_at >= cutoff))
    return of_cases, of_handoffs


def kept_conversation_ids(uow: UnitOfWork, cutoff: datetime) -> set[str]:
    of_cases, of_handoffs = _kept_conversations(cutoff)
    return {c for q in (of_cases, of_handoffs) for c in uow.session.scalars(q) if c}


def _purge_case(
    uow: UnitOfWork, case: orm.Case, now: datetime, days: int, tz: ZoneInfo
) -> tuple[int, list[str]]:
    """Replace one closed case's personal data; (text messages deleted, evidence files to remove)."""
    registered = case.created_at.astimezone(tz).date()
    for party in case.parties:
        profile = gender_and_age(party.id_number, registered)
        if profile:
            party.gender, party.age_band = profile
        party.name, party.phone, party.id_number = MARKER, None, None
    case.description = MARKER
    if case.location:
        case.location = MARKER
    case.personal_data_purged_at = now
    for entry in uow.session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.case_id == case.id)):
        if entry.reason:
            entry.reason = MARKER
        if _FREE_TEXT & set(entry.detail):
            entry.detail = {k: v for k, v in entry.detail.items() if k not in _FREE_TEXT}
    session = uow.session
    session.execute(delete(orm.Transcript).where(orm.Transcript.case_id == case.id))
    texts = _changed(uow, delete(orm.Notification).where(orm.Notification.case_id == case.id))
    session.execute(
        update(orm.Appointment).where(orm.Appointment.case_id == case.id).values(name=MARKER, phone=""))
    files = list(session.scalars(select(orm.Evidence.stored_name).where(orm.Evidence.case_id == case.id)))
    session.execute(delete(orm.Evidence).where(orm.Evidence.case_id == case.id))
    audit(uow, case, ACTOR, "personal_data_purged", now, retention_days=days, evidence_files=len(files))
    return texts, files


def _changed(uow: UnitOfWork, statement: Executable) -> int:
    """Rows an UPDATE or DELETE changed."""
    result: CursorResult[Any] = uow.session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount or 0)


def _purge_cases(
    ctx: ServiceContext, days: int, cutoff: datetime, report: PurgeReport, evidence_dir: Path | None
) -> None:
    while True:
        files: list[str] = []
        with ctx.uow() as uow:
            batch = uow.session.scalars(
                select(orm.Case)
                .where(orm.Case.status.in_(CLOSED), orm.Case.closed_at < cutoff,
                       orm.Case.personal_data_purged_at.is_(None))
                .order_by(orm.Case.id).limit(BATCH)
                .with_for_update(skip_locked=True, of=orm.Case)  # PostgreSQL: workers share the work
            ).unique().all()
            if not batch:
                return
            for case in batch:
                texts, evidence = _purge_case(uow, case, ctx.clock(), days, ctx.tz)
                report.notifications += texts
                report.evidence += len(evidence)
                files += evidence
            uow.commit()
        report.cases += len(batch)
        _remove(evidence_dir, files)


def _remove(evidence_dir: Path | None, files: list[str]) -> None:
    """Evidence files, once the deletion of their rows is committed (no row names a lost file)."""
    if evidence_dir is not None:
        retention_stores.remove_files(evidence_dir, files)


def _purge_records(uow: UnitOfWork, cutoff: datetime, report: PurgeReport) -> list[str]:
    """Old rows that belong to no kept case: one transaction; returns evidence files to remove."""
    of_cases, of_handoffs = _kept_conversations(cutoff)
    kept_cases = select(orm.Case.id).where(_kept_case(cutoff))

    def of_no_kept_case(column: Any) -> ColumnElement[bool]:
        return or_(column.is_(None), column.not_in(kept_cases))

    def of_no_kept_conversation(column: Any) -> ColumnElement[bool]:
        return column.not_in(of_cases) & column.not_in(of_handoffs)

    h, c, n, a, e = orm.Handoff, orm.Conversation, orm.Notification, orm.Appointment, orm.Evidence
    report.handoffs += _changed(uow, update(h).where(
        h.status == "closed", h.created_at < cutoff, or_(h.closed_at.is_(None), h.closed_at < cutoff),
        h.reason != MARKER, of_no_kept_case(h.case_id),
        of_no_kept_conversation(h.conversation_id),
    ).values(reason=MARKER, summary=None, phone=None, collected={}, transcript=[], close_note=None))
    report.conversations += _changed(uow, delete(c).where(
        c.updated_at < cutoff, of_no_kept_conversation(c.conversation_id)))
    report.notifications += _changed(uow, delete(n).where(n.created_at < cutoff, of_no_kept_case(n.case_id)))
    report.appointments += _changed(uow, update(a).where(
        a.case_id.is_(None), a.end_at < cutoff, a.name != MARKER).values(name=MARKER, phone=""))
    report.idempotency += _changed(uow, delete(orm.IdempotencyRecord).where(
        orm.IdempotencyRecord.created_at < cutoff))
    loose = (e.case_id.is_(None), e.uploaded_at < cutoff, of_no_kept_conversation(e.conversation_id))
    files = list(uow.session.scalars(select(e.stored_name).where(*loose)))
    uow.session.execute(delete(e).where(*loose))
    report.evidence += len(files)
    return files


def purge(ctx: ServiceContext, settings: RetentionSettings, evidence_dir: Path | None) -> PurgeReport:
    """One run of the job (see the module's docstring); harmless to repeat."""
    report = PurgeReport()
    if settings.days <= 0:
        return report
    now = ctx.clock()
    cutoff = now - timedelta(days=settings.days)
    _purge_cases(ctx, settings.days, cutoff, report, evidence_dir)
    with ctx.uow() as uow:
        files = _purge_records(uow, cutoff, report)
        uow.commit()
    _remove(evidence_dir, files)
    with ctx.uow() as uow:
        kept = kept_conversation_ids(uow, cutoff)
    retention_stores.purge_outside(settings, cutoff, kept, report)
    if report.total():
        with ctx.uow() as uow:
            record(uow, now, ACTOR, "retention_purge", "ok", None, retention_days=settings.days,
                   **report.counts())
            uow.commit()
    done = ", ".join(f"{k} {v}" for k, v in report.counts().items() if v) or "nothing to purge"
    log.info("retention (%d days): %s", settings.days, done)
    for store in report.unreadable:
        log.warning("retention: %s could not be purged this time", store)
    return report


async def run_forever(ctx: ServiceContext, settings: RetentionSettings, evidence_dir: Path | None) -> None:
    """Background task of the server process: soon after start-up, then every interval."""
    await asyncio.sleep(FIRST_RUN_DELAY_S)
    while True:
        try:
            await asyncio.to_thread(purge, ctx, settings, evidence_dir)
        except Exception:  # top level of a background task: log and try again next time
            log.exception("retention purge failed")
        await asyncio.sleep(settings.interval_h * 3600)
