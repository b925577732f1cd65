"""Pure domain rules: state machine, deadlines, slots, routing, intake validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from integration.service.domain import deadlines
from integration.service.domain.errors import InvalidTransition, ValidationFailed
from integration.service.domain.intake import parse_new_case
from integration.service.domain.slots import WorkingHours, free_slots, is_bookable
from integration.service.domain.status import Outcome, Status, next_status
from integration.service.services.routing import load_routing
from integration.service.settings import Settings

TZ = ZoneInfo("Asia/Shanghai")


def test_happy_path_through_the_state_machine() -> None:
    s = next_status(Status.RECEIVED, "register")
    for action in ("route", "start_mediation"):
        s = next_status(s, action)
    s = next_status(s, "close", Outcome.REFERRED_COURT)
    assert next_status(s, "record_follow_up") is Status.FOLLOWED_UP


@pytest.mark.parametrize(("state", "action", "outcome"), [
    (Status.REGISTERED, "start_mediation", None),
    (Status.REGISTERED, "close", Outcome.SETTLED),
    (Status.CLOSED, "route", None),
    (Status.FOLLOWED_UP, "record_follow_up", None),
    (Status.ROUTED, "register", None),
])
def test_illegal_transitions(state: Status, action: str, outcome: Outcome | None) -> None:
    with pytest.raises(InvalidTransition):
        next_status(state, action, outcome)


def test_close_needs_outcome_and_withdrawal_allowed_early() -> None:
    with pytest.raises(ValidationFailed):
        next_status(Status.IN_MEDIATION, "close")
    assert next_status(Status.REGISTERED, "close", Outcome.WITHDRAWN) is Status.CLOSED


def test_deadlines_default_policy() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    d = deadlines.at_registration(deadlines.DeadlinePolicy(), t)
    assert (d.route_by - t, d.contact_by - t, d.close_by - t) == (
        timedelta(hours=12), timedelta(hours=24), timedelta(days=15))
    assert deadlines.follow_up_after_closure(deadlines.DeadlinePolicy(), t) == t + timedelta(30)


def test_free_slots_exclude_booked_past_and_days_off() -> None:
    hours = [WorkingHours(0, time(9), time(12))]
    monday = date(2026, 3, 2)
    now = datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
    booked = [datetime(2026, 3, 2, 11, tzinfo=TZ)]
    got = free_slots(monday, hours, timedelta(hours=1), TZ, days_off=[], booked=booked, now=now)
    assert [s.start.hour for s in got] == [10]
    assert free_slots(monday, hours, timedelta(hours=1), TZ, days_off=[monday], booked=[],
                      now=now) == []
    assert is_bookable(datetime(2026, 3, 2, 2, tzinfo=UTC), hours, timedelta(hours=1), TZ,
                       days_off=[], now=now)  # 10:00 Shanghai given in UTC
    assert not is_bookable(datetime(2026, 3, 2, 10, 30, tzinfo=TZ), hours, timedelta(hours=1),
                           TZ, days_off=[], now=now)


def test_routing_table_place_rule_beats_category_rule(tmp_path: Path) -> None:
    table = tmp_path / "r.yaml"
    table.write_text("default: win\nrules:\n - {category: family, institution: fam}\n"
                     " - {category: family, place: 十字路, institution: town}\n", encoding="utf-8")
    router = load_routing(table)
    assert router.route("family", "莒南县十字路街道") == "town"
    assert router.route("family", "别处") == "fam"
    assert router.route("labour", None) == "win"


def test_shipped_routing_table_covers_every_category() -> None:
    router = load_routing(Settings().routing_file)
    assert router.route("labour", None) == "labour_arbitration"
    assert router.route("medical", None) == "medical_mediation"


def _body(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"category": "contract", "description": "借款不还",
                               "applicant": {"name": " 李四 ", "phone": "＋86 139-0013-9000"}}
    return {**base, **kw}


def test_intake_normalises_phone_and_amount() -> None:
    new = parse_new_case(_body(amount_yuan=3000, respondents=["王五", {"name": "赵六"}]))
    assert new.applicant.name == "李四" and new.applicant.phone == "13900139000"
    assert new.amount_yuan == Decimal("3000.00")
    assert [r.name for r in new.respondents] == ["王五", "赵六"]


@pytest.mark.parametrize(("kw", "code"), [
    ({"amount_yuan": "1.234"}, "invalid_amount"),
    ({"amount_yuan": "NaN"}, "invalid_amount"),
    ({"amount_yuan": True}, "invalid_amount"),
    ({"applicant": {"name": "李四"}}, "missing_field"),
    ({"applicant": "李四"}, "invalid_type"),
    ({"description": "  "}, "missing_field"),
    ({"location": "地" * 201}, "too_long"),
])
def test_intake_rejections(kw: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_new_case(_body(**kw))
    assert err.value.code == code


def test_settings_from_env_parses_explicitly() -> None:
    s = Settings.from_env({"CASE_SEED_DEMO": "false", "CENTER_STAFF_TOKENS": "a:x,b:y",
                           "CASE_CLOSE_DAYS": "10", "CASE_SERVICE_PORT": "9000"})
    assert (s.seed_demo, s.staff_tokens, s.port) == (False, {"x": "a", "y": "b"}, 9000)
    assert s.deadlines.close == timedelta(days=10)
    development = Settings.from_env({"JIEFEN_ENV": "development"})
    assert development.bot_token == "dev-bot-token"
    assert development.staff_tokens == {"dev-staff-token": "console"}
    production = Settings.from_env({})  # unset JIEFEN_ENV: production, no development token
    assert (production.bot_token, production.staff_tokens) == ("", {})
    with pytest.raises(ValueError):
        Settings.from_env({"CASE_SEED_DEMO": "maybe"})
    with pytest.raises(ValueError):
        Settings.from_env({"CENTER_STAFF_TOKENS": "no-colon"})
