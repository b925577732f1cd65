"""Parsing a case-creation request body into a validated NewCase."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from integration.categories import CATEGORY_NAMES, CHANNELS
from integration.service.domain import validation as v
from integration.service.domain.errors import ValidationFailed

MAX_RESPONDENTS = 20


@dataclass(frozen=True)
class PartyIn:
    name: str
    phone: str | None = None
    id_number: str | None = None


@dataclass(frozen=True)
class NewCase:
    category: str
    description: str
    applicant: PartyIn
    respondents: list[PartyIn] = field(default_factory=list)
    location: str | None = None
    amount_yuan: Decimal | None = None
    channel: str = "robot"
    conversation_id: str | None = None
    intake_receipt: str | None = None  # the bot's outbox receipt (RC-…), found again by it
    notify_sms: bool = True  # False: the citizen declined text messages


def parse_party(raw: object, where: str, *, phone_required: bool) -> PartyIn:
    if isinstance(raw, str) and not phone_required:  # respondents may be given by name only
        raw = {"name": raw}
    data = v.obj(raw, where)
    name = v.required_text(data, "name", max_len=v.MAX_NAME, field=f"{where}.name")
    phone_raw = data.get("phone")
    if phone_raw in (None, ""):
        if phone_required:
            raise ValidationFailed("missing_field", "缺少联系电话", field=f"{where}.phone")
        phone = None
    else:
        phone = v.phone(phone_raw, f"{where}.phone")
    return PartyIn(name=name, phone=phone, id_number=v.resident_id(data.get("id_number"),
                                                                   f"{where}.id_number"))


def parse_new_case(body: object) -> NewCase:
    data = v.obj(body, "body")
    category = v.choice(data.get("category"), CATEGORY_NAMES, "unknown_category",
                        "纠纷类别不正确", "category")
    channel = v.choice(data.get("channel", "robot"), CHANNELS, "unknown_channel",
                       "受理渠道不正确", "channel")
    respondents_raw = data.get("respondents") or []
    if not isinstance(respondents_raw, list) or len(respondents_raw) > MAX_RESPONDENTS:
        raise ValidationFailed("invalid_respondents", "被申请人列表格式不正确", field="respondents")
    return NewCase(
        category=category,
        description=v.required_text(data, "description", max_len=v.MAX_DESCRIPTION),
        applicant=parse_party(data.get("applicant"), "applicant", phone_required=True),
        respondents=[parse_party(r, f"respondents[{i}]", phone_required=False)
                     for i, r in enumerate(respondents_raw)],
        location=v.text(data, "location", max_len=v.MAX_LOCATION, required=False),
        amount_yuan=v.amount_yuan(data.get("amount_yuan")),
        channel=channel,
        conversation_id=v.text(data, "conversation_id", max_len=128, required=False),
        intake_receipt=v.text(data, "intake_receipt", max_len=32, required=False),
        notify_sms=v.flag(data, "sms", default=True),
    )
