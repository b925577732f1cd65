"""Typed data crossing the port (Python 3.10 compatible; no third-party imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from integration.client.conversation import ConversationRecord
from integration.client.handoff import HandoffRequest


@dataclass(frozen=True)
class IntakeRequest:
    category: str
    description: str
    applicant_name: str
    applicant_phone: str
    respondents: list[str] = field(default_factory=list)
    location: str | None = None
    amount_yuan: Decimal | None = None
    id_number: str | None = None
    channel: str = "robot"
    conversation_id: str = ""
    # The outbox receipt (RC-…), sent from the first attempt on so a citizen who was given it
    # can look the case up with it; derived from the idempotency key by BufferedCaseSystem.
    receipt_id: str | None = None
    notify_sms: bool = True  # False: the citizen declined text messages

    def to_json(self) -> dict[str, Any]:
        applicant: dict[str, Any] = {"name": self.applicant_name, "phone": self.applicant_phone}
        if self.id_number:
            applicant["id_number"] = self.id_number
        data: dict[str, Any] = {
            "category": self.category, "description": self.description, "applicant": applicant,
            "respondents": [{"name": n} for n in self.respondents], "location": self.location,
            # Decimal travels as a string so no float rounding happens on the way.
            "amount_yuan": None if self.amount_yuan is None else str(self.amount_yuan),
            "channel": self.channel, "conversation_id": self.conversation_id or None,
        }
        if self.receipt_id:
            data["intake_receipt"] = self.receipt_id
        if not self.notify_sms:
            data["sms"] = False
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntakeRequest:
        amount = data.get("amount_yuan")
        return cls(
            category=data["category"], description=data["description"],
            applicant_name=data["applicant"]["name"], applicant_phone=data["applicant"]["phone"],
            respondents=[r["name"] for r in data.get("respondents", [])],
            location=data.get("location"), amount_yuan=None if amount is None else Decimal(amount),
            id_number=data["applicant"].get("id_number"), channel=data.get("channel", "robot"),
            conversation_id=data.get("conversation_id") or "",
            receipt_id=data.get("intake_receipt"), notify_sms=data.get("sms", True) is not False)


@dataclass(frozen=True)
class Due:
    route_by: str
    contact_by: str
    close_by: str
    follow_up_by: str


@dataclass(frozen=True)
class CaseView:
    case_no: str
    status: str
    status_name: str
    category: str
    category_name: str
    applicant_name: str
    applicant_phone: str
    respondents: list[str]
    description: str
    location: str | None
    amount_yuan: Decimal | None
    channel: str
    institution_code: str | None
    institution_name: str | None
    created_at: str
    due: Due
    conversation_id: str | None
    outcome: str | None = None
    outcome_name: str | None = None
    sms_queued: bool = False  # the creation answer says a text with the case number is queued

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CaseView:
        inst = d.get("institution") or {}
        return cls(
            case_no=d["case_no"], status=d["status"], status_name=d.get("status_name", ""),
            category=d["category"], category_name=d["category_name"],
            # a case purged under the retention period has no phone (null): "" matches no tail
            applicant_name=d["applicant"]["name"], applicant_phone=d["applicant"].get("phone") or "",
            respondents=[r["name"] for r in d.get("respondents", [])],
            description=d["description"], location=d.get("location"),
            amount_yuan=None if d.get("amount_yuan") is None else Decimal(d["amount_yuan"]),
            channel=d["channel"], institution_code=inst.get("code"),
            institution_name=inst.get("name"), created_at=d["created_at"], due=Due(**d["due"]),
            conversation_id=d.get("conversation_id"), outcome=d.get("outcome"),
            outcome_name=d.get("outcome_name"), sms_queued=d.get("sms_queued") is True)


@dataclass(frozen=True)
class CreateOutcome:
    """Either `registered` (case is set) or queued in the local outbox (receipt_id is set)."""

    registered: bool
    case: CaseView | None = None
    receipt_id: str | None = None

    @property
    def case_no(self) -> str | None:
        return self.case.case_no if self.case else None


@dataclass(frozen=True)
class MediatorView:
    """A mediator's public profile, as the citizen may ask for one (普陀 "点单")."""

    code: str
    name: str
    title: str
    institution_code: str
    institution_name: str
    specialties: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> MediatorView:
        return cls(code=d["code"], name=d["name"], title=d.get("title") or "",
                   institution_code=d["institution"]["code"], institution_name=d["institution"]["name"],
                   specialties=tuple(d.get("specialties") or ()))


@dataclass(frozen=True)
class SlotView:
    institution: str
    mediator_code: str
    mediator_name: str
    start: datetime
    end: datetime

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SlotView:
        return cls(institution=d["institution"], mediator_code=d["mediator"]["code"],
                   mediator_name=d["mediator"]["name"],
                   start=datetime.fromisoformat(d["start"]), end=datetime.fromisoformat(d["end"]))


@dataclass(frozen=True)
class BookingRequest:
    institution: str
    mediator: str
    start: datetime
    name: str
    phone: str
    case_no: str | None = None
    notify_sms: bool = True  # False: the citizen declined text messages

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"institution": self.institution, "mediator": self.mediator,
                                "start": self.start.isoformat(), "name": self.name,
                                "phone": self.phone, "case_no": self.case_no}
        if not self.notify_sms:
            data["sms"] = False
        return data


@dataclass(frozen=True)
class AppointmentView:
    ref: str
    status: str
    institution_name: str
    mediator_name: str
    start: datetime
    end: datetime
    case_no: str | None
    institution_code: str | None = None
    mediator_code: str | None = None
    # Texts the case service queued for this change: None, "confirmation" or
    # "confirmation_and_reminder" (a reminder the day before is scheduled too).
    sms: str | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AppointmentView:
        return cls(ref=d["ref"], status=d["status"], institution_name=d["institution"]["name"],
                   mediator_name=d["mediator"]["name"], start=datetime.fromisoformat(d["start"]),
                   end=datetime.fromisoformat(d["end"]), case_no=d.get("case_no"),
                   institution_code=d["institution"].get("code"),
                   mediator_code=d["mediator"].get("code"), sms=d.get("sms"))


__all__ = ["AppointmentView", "BookingRequest", "CaseView", "ConversationRecord", "CreateOutcome",
           "Due", "HandoffRequest", "IntakeRequest", "SlotView"]
