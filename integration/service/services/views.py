"""JSON views of persisted rows. Resident ID numbers are only ever shown masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from integration.categories import CATEGORY_NAMES
from integration.handoff_vocab import REASON_NAMES
from integration.service.adapters import orm
from integration.service.domain.status import OUTCOME_NAMES, STATUS_NAMES, Outcome, Status
from textnorm.mask import mask_id, mask_phone


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


def party_json(p: orm.Party, *, with_phone: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"name": p.name}
    if with_phone:
        data["phone"] = p.phone
    if p.id_number:
        data["id_number_masked"] = mask_id(p.id_number)
    return data


def institution_json(inst: orm.Institution | None) -> dict[str, Any] | None:
    return None if inst is None else {"code": inst.code, "name": inst.name}


def case_json(case: orm.Case, tz: ZoneInfo) -> dict[str, Any]:
    applicant = next(p for p in case.parties if p.role == "applicant")
    status = Status(case.status)
    return {
        "case_no": case.case_no,
        "status": status.value,
        "status_name": STATUS_NAMES[status],
        "outcome": case.outcome,
        "outcome_name": OUTCOME_NAMES[Outcome(case.outcome)] if case.outcome else None,
        "category": case.category,
        "category_name": CATEGORY_NAMES[case.category],
        "applicant": party_json(applicant, with_phone=True),
        "respondents": [party_json(p, with_phone=False) for p in case.parties
                        if p.role == "respondent"],
        "description": case.description,
        "location": case.location,
        "amount_yuan": str(case.amount_yuan) if case.amount_yuan is not None else None,
        "channel": case.channel,
        "institution": institution_json(case.institution),
        "created_at": iso(case.created_at, tz),
        "due": {
            "route_by": iso(case.route_by, tz),
            "contact_by": iso(case.contact_by, tz),
            "close_by": iso(case.close_by, tz),
            "follow_up_by": iso(case.follow_up_by, tz),
        },
        "overdue": sorted(e.kind for e in case.escalations),
        "conversation_id": case.conversation_id,
    }


def audit_json(entry: orm.AuditEntry, tz: ZoneInfo) -> dict[str, Any]:
    return {"at": iso(entry.at, tz), "actor": entry.actor, "action": entry.action,
            "detail": entry.detail, "reason": entry.reason}


def appointment_json(appt: orm.Appointment, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "ref": appt.ref,
        "status": appt.status,
        "institution": institution_json(appt.institution),
        "mediator": {"code": appt.mediator.code, "name": appt.mediator.name},
        "start": iso(appt.start_at, tz),
        "end": iso(appt.end_at, tz),
        "name": appt.name,
        "phone": appt.phone,
        "case_no": appt.case.case_no if appt.case else None,
        "replaced_by": appt.replaced_by,
    }


def handoff_json(row: orm.Handoff, tz: ZoneInfo) -> dict[str, Any]:
    """The full hand-off packet as staff see it."""
    return {
        "id": row.id,
        "status": row.status,
        "urgent": row.urgent,
        "reason_code": row.reason_code,
        "reason_name": REASON_NAMES.get(row.reason_code, row.reason_code),
        "reason": row.reason,
        "conversation_id": row.conversation_id,
        "channel": row.channel,
        "category": row.category,
        "category_name": CATEGORY_NAMES[row.category] if row.category else None,
        "case_no": row.case.case_no if row.case else row.case_no,
        "case_found": row.case is not None,
        "summary": row.summary,
        "phone": row.phone,
        "callback_requested": row.callback_requested,
        "collected": dict(row.collected),
        "transcript": list(row.transcript),
        "created_at": iso(row.created_at, tz),
        "claimed_by": row.claimed_by,
        "claimed_at": iso(row.claimed_at, tz),
        "closed_by": row.closed_by,
        "closed_at": iso(row.closed_at, tz),
        "close_note": row.close_note,
    }


def conversation_json(row: orm.Conversation, tz: ZoneInfo, *, cases: list[str],
                      handoffs: list[int]) -> dict[str, Any]:
    """A whole conversation record with the cases and hand-offs that name it."""
    return {
        "conversation_id": row.conversation_id,
        "channel": row.channel,
        "started_at": iso(row.started_at, tz),
        "ended_at": iso(row.ended_at, tz),
        "updated_at": iso(row.updated_at, tz),
        "turns": list(row.turns),
        "cases": cases,
        "handoffs": handoffs,
    }


def notification_json(row: orm.Notification, tz: ZoneInfo) -> dict[str, Any]:
    """A queued or sent text as staff see it (the phone masked: the case holds the number)."""
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "to": mask_phone(row.phone),
        "body": row.body,
        "case_no": row.case.case_no if row.case else None,
        "appointment_ref": row.appointment_ref,
        "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at, tz) if row.status == "pending" else None,
        "sent_at": iso(row.sent_at, tz),
        "provider": row.provider,
        "provider_id": row.provider_id,
        "last_error": row.last_error,
        "created_at": iso(row.created_at, tz),
    }
