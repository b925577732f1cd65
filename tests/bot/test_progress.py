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
        ("JF-2026-000007 尾号0489", "JF-2026-000007", None, None),
        ("13800138000 张三", None, "13800138000", "张三"),
        ("我叫张三，电话13800138000", None, "13800138000", "张三"),
        ("我的案子怎么样了", None, None, None),
    ],
)
def test_queries_are_parsed(text: str, case_no: Any, phone: Any, name: Any) -> None:
    query = parse_query(text)
    assert (query.case_no, query.phone, query.name) == (case_no, phone, name)


async def test_a_case_number_in_the_question_skips_the_form() -> None:
    slots = ["progress_query", "progress_phone_tail"]
    tracker = make_tracker(text="帮我查一下JF-2026-000007，手机尾号0489", intent="ask_progress")
    assert await ValidateProgressForm().required_slots(slots, CollectingDispatcher(), tracker, {}) == []
    tracker = make_tracker(text="我的案子怎么样了", intent="ask_progress")
    assert await ValidateProgressForm().required_slots(slots, CollectingDispatcher(), tracker, {}) == [
        "progress_query"
    ]


async def test_a_case_number_alone_asks_for_the_phones_last_four_digits() -> None:
    slots = ["progress_query", "progress_phone_tail"]
    tracker = make_tracker(text="帮我查一下JF-2026-000007", intent="ask_progress")
    assert await ValidateProgressForm().required_slots(slots, CollectingDispatcher(), tracker, {}) == [
        "progress_phone_tail"
    ]
    dispatcher = CollectingDispatcher()
    form = ValidateProgressForm()
    assert form.validate_progress_phone_tail("尾号是0489", dispatcher, tracker, {}) == {
        "progress_phone_tail": "0489"
    }
    assert form.validate_progress_phone_tail("13800138000", dispatcher, tracker, {}) == {
        "progress_phone_tail": "8000"
    }
    assert form.validate_progress_phone_tail("不记得了", dispatcher, tracker, {}) == {
        "progress_phone_tail": None
    }
    assert dispatcher.messages[-1]["response"] == "utter_invalid_progress_phone_tail"


def test_a_phone_alone_is_not_enough() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateProgressForm().validate_progress_query("13800138000", dispatcher, make_tracker(), {})
    assert result == {"progress_query": None}
    assert dispatcher.messages[0]["response"] == "utter_invalid_progress_query"


async def test_status_institution_and_deadline_are_told(lookup: FakeLookup) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"progress_query": "JF-2026-000007", "progress_phone_tail": "8000"})
    await ActionCaseProgress().run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_progress_registered"
    assert message["case_no"] == "JF-2026-000007" and message["contact_by"] == "11月27日 08:00"


async def test_a_case_number_with_the_wrong_phone_tail_is_not_found(lookup: FakeLookup) -> None:
    """Sequential case numbers must not tell a stranger's progress; a mismatch looks unknown."""
    dispatcher = CollectingDispatcher()
    for slots in (
        {"progress_query": "JF-2026-000007", "progress_phone_tail": "1234"},
        {"progress_query": "JF-2026-000007"},
    ):
        await ActionCaseProgress().run(dispatcher, make_tracker(slots=slots), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_case_not_found"] * 2


async def test_phone_and_name_find_only_that_persons_cases(lookup: FakeLookup) -> None:
    dispatcher = CollectingDispatcher()
    await ActionCaseProgress().run(dispatcher, make_tracker(slots={"progress_query": "13800138000 李四"}), {})
    assert [m["case_no"] for m in dispatcher.messages] == ["JF-2026-000008"]


async def test_unknown_case_and_service_down(lookup: FakeLookup) -> None:
    dispatcher = CollectingDispatcher()
    tail = {"progress_phone_tail": "8000"}
    await ActionCaseProgress().run(
        dispatcher, make_tracker(slots={"progress_query": "JF-2026-000099", **tail}), {}
    )
    lookup.down = True
    await ActionCaseProgress().run(
        dispatcher, make_tracker(slots={"progress_query": "JF-2026-000007", **tail}), {}
    )
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_case_not_found",
        "utter_progress_unavailable",
    ]
