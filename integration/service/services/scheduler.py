"""Deadline watch: records an escalation the first time each deadline of a case is missed."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from integration.service.adapters import orm
from integration.service.domain.status import OPEN_STATUSES, Status
from integration.service.services.cases import audit
from integration.service.services.context import ServiceContext
from integration.service.services.views import case_json

log = logging.getLogger(__name__)
WATCHED = [s.value for s in OPEN_STATUSES] + [Status.CLOSED.value]


def missed(case: orm.Case, now: datetime) -> list[tuple[str, datetime]]:
    """(kind, due) for every deadline `case` has missed at `now`."""
    status = Status(case.status)
    checks = [
        ("route", case.route_by, status in (Status.RECEIVED, Status.REGISTERED)),
        ("contact", case.contact_by, status in OPEN_STATUSES and case.first_contact_at is None),
        ("close", case.close_by, status in OPEN_STATUSES),
        ("follow_up", case.follow_up_by, status is Status.CLOSED),
    ]
    return [(kind, due) for kind, due, pending in checks if pending and now > due]


def mark_overdue(ctx: ServiceContext) -> list[dict[str, str]]:
    """One pass over open and closed-not-visited cases; returns the new escalations."""
    now = ctx.clock()
    found: list[dict[str, str]] = []
    with ctx.uow() as uow:
        for case in uow.repo.cases_by_status(WATCHED, limit=100_000):
            known = {e.kind for e in case.escalations}
            for kind, due in missed(case, now):
                if kind in known:
                    continue
                uow.repo.add(orm.Escalation(case_id=case.id, kind=kind, due_at=due,
                                            detected_at=now))
                audit(uow, case, "scheduler", "escalate", now, kind=kind, due=due.isoformat())
                found.append({"case_no": case.case_no, "kind": kind})
        uow.commit()
    if found:
        log.warning("%d new overdue escalations", len(found))
    return found


def overdue_first(ctx: ServiceContext, limit: int) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        statuses = [s.value for s in OPEN_STATUSES] + [Status.CLOSED.value]
        return [case_json(c, ctx.tz) for c in uow.repo.cases_overdue_first(statuses, limit)]


async def run_forever(ctx: ServiceContext, interval_s: float) -> None:
    """Background task of the server process."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(mark_overdue, ctx)
        except Exception:  # top level of a background task: log and keep watching
            log.exception("overdue check failed")
