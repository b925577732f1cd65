"""Case progress lookups."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import progress as progress_module
from bot.actions.progress import ActionCaseProgress, ValidateProgressForm, parse_query
from integration.client import CaseNotFound, CaseSystemUnavailable, CaseView
from tests.bot.conftest import case_view, make_tracker


class FakeLookup:
    def __init__(self, cases: list[CaseView], down: bool = False) -> None:
        self.cases = cases
        self.down = down

    async def get_case(self, case_no: str) -> CaseView:
        if self.down:
            raise CaseSystemUnavailable("down")
        for case in self.cases:
            if case.case_no == case_no:
                return case
        raise CaseNotFound("not_found", "案件不存在", 404)

    async def find_cases(self, phone: str) -> list[CaseView]:
        return [c for c in self.cases if c.applicant_phone == phone]


@pytest.fixture
def lookup(monkeypatch: pytest.MonkeyPatch) -> FakeLookup:
    fake = FakeLookup(
        [case_view("JF-2026-000007"), replace(case_view("JF-2026-000008"), applicant_name="李四")]
    )
    monkeypatch.setattr(progress_module, "case_system", lambda: fake)
    return fake


@pytest.mark.parametrize(
    ("text", "case_no", "phone", "name"),
    [
        ("JF-2026-000007 进展到哪了", "JF-2026-000007", None, None),
        ("13800138000 张三", None, "13800138000", "张三"),
        ("我叫张三，电话13800138000", None, "13800138000", "张三"),
        ("我的案子怎么样了", None, None, None),
    ],
)
def test_queries_are_parsed(text: str, case_no: Any, phone: Any, name: Any) -> None:
    query = parse_query(text)
    assert (query.case_no, query.phone, query.name) == (case_no, phone, name)


async def test_a_case_number_in_the_question_skips_the_form() -> None:
    tracker = make_tracker(text="帮我查一下JF-2026-000007", intent="ask_progress")
    assert (
        await ValidateProgressForm().required_slots(["progress_query"], CollectingDispatcher(), tracker, {})
        == []
    )
    tracker = make_tracker(text="我的案子怎么样了", intent="ask_progress")
    assert await ValidateProgressForm().required_slots(
        ["progress_query"], CollectingDispatcher(), tracker, {}
    ) == ["progress_query"]


def test_a_phone_alone_is_not_enough() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateProgressForm().validate_progress_query("13800138000", dispatcher, make_tracker(), {})
    assert result == {"progress_query": None}
    assert dispatcher.messages[0]["response"] == "utter_invalid_progress_query"


async def test_status_institution_and_deadline_are_told(lookup: FakeLookup) -> None:
    dispatcher = CollectingDispatcher()
    await ActionCaseProgress().run(dispatcher, make_tracker(slots={"progress_query": "JF-2026-000007"}), {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_progress_registered"
    assert message["case_no"] == "JF-2026-000007" and message["contact_by"] == "11月27日 08:00"


async def test_phone_and_name_find_only_that_persons_cases(lookup: FakeLookup) -> None:
    dispatcher = CollectingDispatcher()
    await ActionCaseProgress().run(dispatcher, make_tracker(slots={"progress_query": "13800138000 李四"}), {})
    assert [m["case_no"] for m in dispatcher.messages] == ["JF-2026-000008"]


async def test_unknown_case_and_service_down(lookup: FakeLookup) -> None:
    dispatcher = CollectingDispatcher()
    await ActionCaseProgress().run(dispatcher, make_tracker(slots={"progress_query": "JF-2026-000099"}), {})
    lookup.down = True
    await ActionCaseProgress().run(dispatcher, make_tracker(slots={"progress_query": "JF-2026-000007"}), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_case_not_found",
        "utter_progress_unavailable",
    ]
