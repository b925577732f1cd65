"""SQLAlchemy 2.0 declarative mapping of the case service's tables."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from integration.service.adapters.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Institution(Base):
    __tablename__ = "institutions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64), default="people_mediation")
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    mediators: Mapped[list[Mediator]] = relationship(back_populates="institution")


class Mediator(Base):
    __tablename__ = "mediators"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The profile a citizen chooses by (普陀 "点单"): specialties are category codes
    # (marriage_family, labour, property …), languages free text (普通话, 沂蒙方言 …).
    title: Mapped[str | None] = mapped_column(String(50))
    specialties: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    languages: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    bio: Mapped[str | None] = mapped_column(Text)
    institution: Mapped[Institution] = relationship(back_populates="mediators")
    hours: Mapped[list[WorkingHoursRow]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    days_off: Mapped[list[DayOff]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class WorkingHoursRow(Base):
    __tablename__ = "working_hours"
    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediators.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)


class DayOff(Base):
    __tablename__ = "mediator_days_off"
    __table_args__ = (UniqueConstraint("mediator_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediators.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))


class Counter(Base):
    """Per-kind, per-year sequence; incremented in the same transaction as the insert it numbers."""

    __tablename__ = "counters"
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    amount_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(128), index=True)
    intake_receipt: Mapped[str | None] = mapped_column(String(32), index=True)  # outbox RC-…
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    route_by: Mapped[datetime]
    contact_by: Mapped[datetime]
    close_by: Mapped[datetime]
    follow_up_by: Mapped[datetime]
    routed_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    followed_up_at: Mapped[datetime | None]
    # set when the retention job replaced the personal data (services/retention.py)
    personal_data_purged_at: Mapped[datetime | None]
    institution: Mapped[Institution | None] = relationship(lazy="joined")
    parties: Mapped[list[Party]] = relationship(
        lazy="selectin", order_by="Party.position", cascade="all, delete-orphan")
    escalations: Mapped[list[Escalation]] = relationship(lazy="selectin")
    follow_up: Mapped[FollowUpTask | None] = relationship(lazy="selectin")


class Party(Base):
    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # applicant | respondent
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18))
    # What the statistics read from the resident ID, kept when the retention job removes the ID
    # itself (男/女 and an age band at registration; nothing identifies the person).
    gender: Mapped[str | None] = mapped_column(String(2))
    age_band: Mapped[str | None] = mapped_column(String(16))


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]]
    reason: Mapped[str | None] = mapped_column(Text)


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    detected_at: Mapped[datetime]


class FollowUpTask(Base):
    __tablename__ = "follow_up_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[str | None] = mapped_column(Text)
    satisfied: Mapped[bool | None] = mapped_column(Boolean)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        # At most one active booking per mediator and start time: the database, not the
        # application, arbitrates between concurrent bookings of the same slot.
        Index("uq_appointments_active_slot", "mediator_id", "start_at", unique=True,
              sqlite_where=text("status = 'booked'"), postgresql_where=text("status = 'booked'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("mediators.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # booked | cancelled | rescheduled
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(11), index=True)
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    replaced_by: Mapped[str | None] = mapped_column(String(32))
    mediator: Mapped[Mediator] = relationship(lazy="joined")
    institution: Mapped[Institution] = relationship(lazy="joined")
    case: Mapped[Case | None] = relationship(lazy="joined")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("actor", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Transcript(Base):
    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class Handoff(Base):
    """A request for a person to take over, with the packet staff need (see domain/handoff.py).
    Status: open -> claimed -> closed (or open -> closed)."""

    __tablename__ = "handoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    case_no: Mapped[str | None] = mapped_column(String(32))  # as given; case_id if it matched
    reason: Mapped[str] = mapped_column(String(200))
    reason_code: Mapped[str] = mapped_column(String(32), server_default="requested")
    urgent: Mapped[bool] = mapped_column(Boolean, server_default=false())
    category: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16), server_default="web")
    summary: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(11))
    collected: Mapped[dict[str, str]] = mapped_column(JSON, server_default=text("'{}'"))
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default=text("'[]'"))
    callback_requested: Mapped[bool] = mapped_column(Boolean, server_default=false())
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    close_note: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, server_default=text("'[]'"))
    case: Mapped[Case | None] = relationship(lazy="joined")


class Conversation(Base):
    """A whole conversation as its channel recorded it, replaced on every PUT. Linked to cases
    and hand-offs by conversation_id (they may arrive before or after it, or never)."""

    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    turns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default=text("'[]'"))
    updated_at: Mapped[datetime]


class StaffAccount(Base):
    """A person who logs into the staff console. The password is kept only as an argon2id hash."""

    __tablename__ = "staff_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    failed_logins: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    disabled_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    institution: Mapped[Institution | None] = relationship(lazy="joined")


class StaffSession(Base):
    """A console login. Only the SHA-256 of the cookie's token is stored: a copy of the database
    does not let anyone log in."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    account: Mapped[StaffAccount] = relationship(lazy="joined")


class StaffAudit(Base):
    """Staff actions and refusals that belong to no case: logins, lock-outs, accounts, refused
    requests (wrong role, forged session, missing CSRF token), exports."""

    __tablename__ = "staff_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))  # ok | refused
    source: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]


class Evidence(Base):
    """A photo or PDF a citizen attached. The bytes are in EVIDENCE_DIR under ``stored_name``
    (0600, outside any web root); the original file name is kept only for display."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(64))


class Notification(Base):
    """One text message to send, queued in the transaction of the event it reports (so it
    exists exactly when the event does); ``event_key`` is unique, so an event never queues two.

    Status: pending -> sending -> sent -> delivered | undelivered | failed (provider reports);
    pending -> skipped (opted out) | cancelled (the appointment changed) | expired (not sent
    in time) | failed (the provider refused it)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    appointment_ref: Mapped[str | None] = mapped_column(String(32), index=True)
    phone: Mapped[str] = mapped_column(String(11), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    provider: Mapped[str | None] = mapped_column(String(16))
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    case: Mapped[Case | None] = relationship(lazy="joined")


class SmsOptOut(Base):
    """A mobile number that must not be texted: the citizen declined texts, replied "退订",
    or the provider reports the number unsubscribed. Staff may remove it on request."""

    __tablename__ = "sms_opt_outs"
    phone: Mapped[str] = mapped_column(String(11), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
