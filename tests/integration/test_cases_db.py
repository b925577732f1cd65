"""Case use cases against real SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from integration.service.adapters import orm
from integration.service.domain.errors import (
    CaseNotFound,
    IdempotencyConflict,
    InstitutionNotFound,
    InvalidTransition,
)
from integration.service.domain.status import Outcome
from integration.service.services import cases, scheduler
from integration.service.services.context import ServiceContext
from tests.integration.conftest import Clock
from tests.integration.helpers import register


def _count(ctx: ServiceContext, model: type[orm.Base]) -> int:
    with ctx.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _staff(ctx: ServiceContext, fn, *args):  # type: ignore[no-untyped-def]
    with ctx.uow() as uow:
        out = fn(ctx, uow, *args)
        uow.commit()
        return out


def test_registration_numbers_routes_and_sets_deadlines(ctx: ServiceContext) -> None:
    first, second = register(ctx), register(ctx, category="medical")
    assert (first["case_no"], second["case_no"]) == ("JF-2026-000001", "JF-2026-000002")
    assert first["status"] == "registered"
    assert first["institution"]["code"] == "labour_arbitration"
    assert second["institution"]["name"] == "医疗纠纷人民调解委员会"
    assert first["due"]["route_by"] == "2026-03-02T22:00:00+08:00"
    assert first["due"]["close_by"] == "2026-03-17T10:00:00+08:00"
    assert first["applicant"]["id_number_masked"].startswith("110105")
    assert "11010519491231002X" not in str(first)
    stored = cases.get(ctx, "JF-2026-000001")
    assert stored["amount_yuan"] == "12000.50"
    assert Decimal(stored["amount_yuan"]) == Decimal("12000.5")


def test_lookup_by_phone_and_unknown_case(ctx: ServiceContext) -> None:
    register(ctx)
    register(ctx, applicant={"name": "李四", "phone": "13900139000"})
    assert [c["applicant"]["name"] for c in cases.find_by_phone(ctx, "13900139000")] == ["李四"]
    with pytest.raises(CaseNotFound):
        cases.get(ctx, "JF-2026-999999")


def test_idempotency_key_replays_and_rejects_changed_payload(ctx: ServiceContext) -> None:
    a = register(ctx, key="k-1")
    b = register(ctx, key="k-1")
    assert a == b and _count(ctx, orm.Case) == 1
    with pytest.raises(IdempotencyConflict):
        register(ctx, key="k-1", description="不同的内容")
    assert _count(ctx, orm.Case) == 1


def test_full_lifecycle_with_audit_and_follow_up(ctx: ServiceContext, clock: Clock) -> None:
    no = register(ctx)["case_no"]
    _staff(ctx, cases.transition, no, "route", "staff:a", None)
    _staff(ctx, cases.record_contact, no, "staff:a", "电话联系")
    _staff(ctx, cases.transition, no, "start_mediation", "staff:a", None)
    clock.advance(days=3)
    closed = _staff(ctx, cases.transition, no, "close", "staff:a", "达成协议", Outcome.SETTLED)
    assert closed["status"] == "closed" and closed["outcome"] == "settled"
    assert closed["due"]["follow_up_by"] == "2026-04-04T10:00:00+08:00"
    done = _staff(ctx, cases.record_follow_up, no, "staff:b", "当事人满意", True)
    assert done["status"] == "followed_up"
    actions = [e["action"] for e in cases.audit_log(ctx, no)]
    assert actions == ["register", "route", "contact", "start_mediation", "close",
                       "record_follow_up"]
    with ctx.uow() as uow:
        task = uow.repo.get_case(no).follow_up
        assert task is not None and task.completed_by == "staff:b" and task.satisfied is True


def test_invalid_transition_changes_nothing(ctx: ServiceContext) -> None:
    no = register(ctx)["case_no"]
    with pytest.raises(InvalidTransition):
        _staff(ctx, cases.transition, no, "start_mediation", "staff:a", None)
    with pytest.raises(InvalidTransition):
        _staff(ctx, cases.transition, no, "close", "staff:a", None, Outcome.SETTLED)
    assert cases.get(ctx, no)["status"] == "registered"
    assert [e["action"] for e in cases.audit_log(ctx, no)] == ["register"]


def test_reroute_records_reason(ctx: ServiceContext) -> None:
    no = register(ctx)["case_no"]
    out = _staff(ctx, cases.reroute, no, "lawyer_mediation", "staff:a", "实为借贷纠纷")
    assert out["institution"]["code"] == "lawyer_mediation" and out["status"] == "routed"
    entry = cases.audit_log(ctx, no)[-1]
    assert entry["reason"] == "实为借贷纠纷"
    assert entry["detail"]["before"]["institution"] == "labour_arbitration"
    with pytest.raises(InstitutionNotFound):
        _staff(ctx, cases.reroute, no, "nowhere", "staff:a", "x")


def test_scheduler_escalates_once_and_orders_overdue_first(ctx: ServiceContext,
                                                           clock: Clock) -> None:
    late = register(ctx)["case_no"]
    clock.advance(hours=10)
    fresh = register(ctx)["case_no"]
    clock.advance(hours=3)  # late is 13 h old: route deadline missed; fresh is 3 h old
    found = scheduler.mark_overdue(ctx)
    assert found == [{"case_no": late, "kind": "route"}]
    assert scheduler.mark_overdue(ctx) == []
    order = [c["case_no"] for c in scheduler.overdue_first(ctx, 10)]
    assert order == [late, fresh]
    assert cases.get(ctx, late)["overdue"] == ["route"]
