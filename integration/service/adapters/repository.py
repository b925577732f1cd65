"""Repository over one SQLAlchemy session; translates integrity errors into domain errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from integration.service.adapters import orm
from integration.service.domain.errors import (
    AppointmentNotFound,
    CaseNotFound,
    ConversationNotFound,
    DuplicateRequest,
    HandoffNotFound,
    InstitutionNotFound,
    MediatorNotFound,
    SlotTaken,
)


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- numbering -------------------------------------------------------------------------
    def next_number(self, kind: str, year: int) -> int:
        """Increment the (kind, year) counter inside the caller's transaction.

        The UPDATE takes a row lock (PostgreSQL) or runs under the database write lock held since
        BEGIN IMMEDIATE (SQLite), so concurrent transactions get consecutive values, and a rollback
        returns the number: no gaps, no reuse."""
        insert = postgresql.insert if self._dialect() == "postgresql" else sqlite.insert
        self.session.execute(insert(orm.Counter).values(kind=kind, year=year, last_value=0)
                             .on_conflict_do_nothing())
        value = self.session.execute(
            update(orm.Counter).where(orm.Counter.kind == kind, orm.Counter.year == year)
            .values(last_value=orm.Counter.last_value + 1).returning(orm.Counter.last_value)
        ).scalar_one()
        return int(value)

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # -- cases -----------------------------------------------------------------------------
    def add(self, row: object) -> None:
        self.session.add(row)

    def get_case(self, case_no: str) -> orm.Case:
        case = self.find_case(case_no)
        if case is None:
            raise CaseNotFound()
        return case

    def find_case(self, case_no: str) -> orm.Case | None:
        return self.session.scalars(select(orm.Case).where(orm.Case.case_no == case_no)).first()

    def cases_by_phone(self, phone: str, limit: int = 50) -> Sequence[orm.Case]:
        ids = select(orm.Party.case_id).where(orm.Party.phone == phone,
                                              orm.Party.role == "applicant")
        stmt = (select(orm.Case).where(orm.Case.id.in_(ids))
                .order_by(orm.Case.created_at.desc()).limit(limit))
        return self.session.scalars(stmt).all()

    def cases_by_receipt(self, receipt: str) -> Sequence[orm.Case]:
        stmt = select(orm.Case).where(orm.Case.intake_receipt == receipt).order_by(orm.Case.id)
        return self.session.scalars(stmt).all()

    def cases_by_status(self, statuses: Sequence[str], limit: int = 200) -> Sequence[orm.Case]:
        stmt = (select(orm.Case).where(orm.Case.status.in_(statuses))
                .order_by(orm.Case.id).limit(limit))
        return self.session.scalars(stmt).all()

    def cases_overdue_first(self, statuses: Sequence[str], limit: int) -> Sequence[orm.Case]:
        escalated = (select(func.count(orm.Escalation.id))
                     .where(orm.Escalation.case_id == orm.Case.id).scalar_subquery())
        stmt = (select(orm.Case).where(orm.Case.status.in_(statuses))
                .order_by(escalated.desc(), orm.Case.close_by, orm.Case.id).limit(limit))
        return self.session.scalars(stmt).all()

    def audit_of(self, case_id: int) -> Sequence[orm.AuditEntry]:
        stmt = (select(orm.AuditEntry).where(orm.AuditEntry.case_id == case_id)
                .order_by(orm.AuditEntry.id))
        return self.session.scalars(stmt).all()

    def transcript_of(self, case_id: int) -> orm.Transcript | None:
        return self.session.scalars(
            select(orm.Transcript).where(orm.Transcript.case_id == case_id)).first()

    # -- institutions ----------------------------------------------------------------------
    def institutions(self) -> Sequence[orm.Institution]:
        return self.session.scalars(select(orm.Institution).order_by(orm.Institution.id)).all()

    def institution(self, code: str) -> orm.Institution:
        inst = self.session.scalars(
            select(orm.Institution).where(orm.Institution.code == code)).first()
        if inst is None:
            raise InstitutionNotFound()
        return inst

    def mediators_of(self, institution_id: int) -> Sequence[orm.Mediator]:
        stmt = (select(orm.Mediator).where(orm.Mediator.institution_id == institution_id,
                                           orm.Mediator.active.is_(True)).order_by(orm.Mediator.id))
        return self.session.scalars(stmt).all()

    def mediator(self, code: str) -> orm.Mediator:
        found = self.session.scalars(select(orm.Mediator).where(orm.Mediator.code == code)).first()
        if found is None or not found.active:
            raise MediatorNotFound()
        return found

    # -- appointments ----------------------------------------------------------------------
    def booked_starts(self, mediator_ids: Sequence[int], start: datetime,
                      end: datetime) -> dict[int, set[datetime]]:
        stmt = select(orm.Appointment.mediator_id, orm.Appointment.start_at).where(
            orm.Appointment.mediator_id.in_(mediator_ids), orm.Appointment.status == "booked",
            orm.Appointment.start_at >= start, orm.Appointment.start_at < end)
        taken: dict[int, set[datetime]] = {m: set() for m in mediator_ids}
        for mediator_id, start_at in self.session.execute(stmt):
            taken[mediator_id].add(start_at)
        return taken

    def add_appointment(self, appt: orm.Appointment) -> None:
        """Insert and flush now so a concurrent booking of the same slot surfaces as SlotTaken."""
        self.session.add(appt)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise SlotTaken() from exc

    def appointment(self, ref: str) -> orm.Appointment:
        stmt = select(orm.Appointment).where(orm.Appointment.ref == ref)
        appt = self.session.scalars(stmt).first()
        if appt is None:
            raise AppointmentNotFound()
        return appt

    def appointments_by_phone(self, phone: str) -> Sequence[orm.Appointment]:
        stmt = (select(orm.Appointment).where(orm.Appointment.phone == phone)
                .order_by(orm.Appointment.start_at))
        return self.session.scalars(stmt).all()

    # -- idempotency -----------------------------------------------------------------------
    def idempotency_record(self, actor: str, key: str) -> orm.IdempotencyRecord | None:
        return self.session.scalars(select(orm.IdempotencyRecord).where(
            orm.IdempotencyRecord.actor == actor, orm.IdempotencyRecord.key == key)).first()

    def claim_idempotency(self, record: orm.IdempotencyRecord) -> None:
        """Insert the key first: a concurrent request with the same key blocks here (PostgreSQL)
        until the first commits, then fails, and is answered with the first one's result."""
        self.session.add(record)
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise DuplicateRequest() from exc

    # -- hand-offs -------------------------------------------------------------------------
    def handoff(self, handoff_id: int) -> orm.Handoff:
        row = self.session.get(orm.Handoff, handoff_id, populate_existing=True)
        if row is None:
            raise HandoffNotFound()
        return row

    def open_handoff_of(self, conversation_id: str) -> orm.Handoff | None:
        """The conversation's hand-off that is still open or claimed, locked for this transaction.

        On PostgreSQL an advisory lock on the conversation id first serialises two requests of
        one conversation (the row may not exist yet); SQLite's BEGIN IMMEDIATE already does."""
        if self._dialect() == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(conversation_id))))
        stmt = (select(orm.Handoff)
                .where(orm.Handoff.conversation_id == conversation_id,
                       orm.Handoff.status.in_(("open", "claimed")))
                .order_by(orm.Handoff.id).limit(1).with_for_update(of=orm.Handoff))
        return self.session.scalars(stmt).first()

    def handoffs(self, status: str, limit: int = 200) -> Sequence[orm.Handoff]:
        """Urgent ones first, then oldest first."""
        stmt = (select(orm.Handoff).where(orm.Handoff.status == status)
                .order_by(orm.Handoff.urgent.desc(), orm.Handoff.created_at, orm.Handoff.id)
                .limit(limit))
        return self.session.scalars(stmt).all()

    def move_handoff(self, handoff_id: int, from_statuses: Sequence[str],
                     **values: object) -> bool:
        """Set `values` only if the hand-off is in one of `from_statuses`, as one conditional
        UPDATE, so of two staff claiming at once exactly one wins. False if it was not."""
        stmt = (update(orm.Handoff)
                .where(orm.Handoff.id == handoff_id, orm.Handoff.status.in_(from_statuses))
                .values(**values).returning(orm.Handoff.id)
                .execution_options(synchronize_session=False))
        return self.session.execute(stmt).scalar_one_or_none() is not None

    # -- conversations ---------------------------------------------------------------------
    def put_conversation(self, conversation_id: str, **values: Any) -> None:
        """Insert or replace the record as one statement (INSERT … ON CONFLICT DO UPDATE), so
        two PUTs of a new conversation racing each other cannot fail on the unique id."""
        insert = postgresql.insert if self._dialect() == "postgresql" else sqlite.insert
        stmt = insert(orm.Conversation).values(conversation_id=conversation_id, **values)
        self.session.execute(stmt.on_conflict_do_update(
            index_elements=[orm.Conversation.conversation_id],
            set_={name: stmt.excluded[name] for name in values}))

    def conversation(self, conversation_id: str) -> orm.Conversation:
        row = self.session.scalars(select(orm.Conversation).where(
            orm.Conversation.conversation_id == conversation_id)).first()
        if row is None:
            raise ConversationNotFound()
        return row

    def case_numbers_of_conversation(self, conversation_id: str) -> list[str]:
        stmt = (select(orm.Case.case_no).where(orm.Case.conversation_id == conversation_id)
                .order_by(orm.Case.id))
        return list(self.session.scalars(stmt))

    def handoff_ids_of_conversation(self, conversation_id: str) -> list[int]:
        stmt = (select(orm.Handoff.id).where(orm.Handoff.conversation_id == conversation_id)
                .order_by(orm.Handoff.id))
        return list(self.session.scalars(stmt))

    # -- text messages ---------------------------------------------------------------------
    def add_notification(self, **values: Any) -> int | None:
        """Queue a message; None (and nothing written) if its event_key is already queued."""
        insert = postgresql.insert if self._dialect() == "postgresql" else sqlite.insert
        stmt = (insert(orm.Notification).values(**values)
                .on_conflict_do_nothing(index_elements=[orm.Notification.event_key])
                .returning(orm.Notification.id))
        found = self.session.execute(stmt).scalar_one_or_none()
        return None if found is None else int(found)

    def next_due_notification(self, now: datetime) -> orm.Notification | None:
        """The oldest message due now: pending and due, or left "sending" by a process that
        died (its lease ran out). Locked for this transaction; other dispatchers skip it."""
        stmt = (select(orm.Notification)
                .where(or_(and_(orm.Notification.status == "pending",
                                orm.Notification.next_attempt_at <= now),
                           and_(orm.Notification.status == "sending",
                                orm.Notification.locked_until < now)))
                .order_by(orm.Notification.next_attempt_at, orm.Notification.id).limit(1)
                .with_for_update(skip_locked=True, of=orm.Notification))
        return self.session.scalars(stmt).first()

    def notification(self, notification_id: int) -> orm.Notification | None:
        return self.session.get(orm.Notification, notification_id, populate_existing=True)

    def notification_by_provider_id(self, provider: str, provider_id: str) -> orm.Notification | None:
        return self.session.scalars(select(orm.Notification).where(
            orm.Notification.provider == provider, orm.Notification.provider_id == provider_id)
            .with_for_update(of=orm.Notification)).first()

    def notifications_of_case(self, case_id: int) -> Sequence[orm.Notification]:
        return self.session.scalars(select(orm.Notification).where(
            orm.Notification.case_id == case_id).order_by(orm.Notification.id)).all()

    def notifications_by_status(self, statuses: Sequence[str],
                                limit: int = 200) -> Sequence[orm.Notification]:
        return self.session.scalars(select(orm.Notification).where(
            orm.Notification.status.in_(statuses)).order_by(orm.Notification.id.desc())
            .limit(limit)).all()

    def pending_notifications_of_appointment(self, ref: str,
                                             kinds: Sequence[str]) -> Sequence[orm.Notification]:
        return self.session.scalars(select(orm.Notification).where(
            orm.Notification.appointment_ref == ref, orm.Notification.kind.in_(kinds),
            orm.Notification.status == "pending")).all()

    def opted_out(self, phone: str) -> bool:
        return self.session.get(orm.SmsOptOut, phone) is not None

    def add_opt_out(self, phone: str, source: str, now: datetime) -> bool:
        """True if the number was not opted out before."""
        insert = postgresql.insert if self._dialect() == "postgresql" else sqlite.insert
        stmt = (insert(orm.SmsOptOut).values(phone=phone, source=source, created_at=now)
                .on_conflict_do_nothing(index_elements=[orm.SmsOptOut.phone])
                .returning(orm.SmsOptOut.phone))
        return self.session.execute(stmt).scalar_one_or_none() is not None

    def remove_opt_out(self, phone: str) -> bool:
        row = self.session.get(orm.SmsOptOut, phone)
        if row is None:
            return False
        self.session.delete(row)
        return True
