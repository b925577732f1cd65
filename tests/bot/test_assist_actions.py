"""Hand-off, fallback, office hours and legal answers in the dialogue."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import handoff as handoff_module
from bot.actions.fallback import ActionFallback
from bot.actions.handoff import ActionRequestHandoff, build_handoff, handoff_key
from bot.actions.legal import ActionAnswerLegal
from bot.actions.settings import ActionSettings
from bot.actions.transcript import consecutive_fallbacks, transcript_turns
from integration.client import CaseSystemUnavailable, HandoffRequest
from integration.office_hours import OfficeHours
from tests.bot.conftest import domain_dict, make_tracker


def conversation(
    *turns: tuple[str, str], slots: dict[str, Any] | None = None, channel: str = "rest"
) -> Tracker:
    """A tracker with alternating citizen turns (text, intent) and bot replies."""
    events: list[dict[str, Any]] = []
    for i, (text, intent) in enumerate(turns):
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
        events.append(
            {
                "event": "user",
                "text": text,
                "timestamp": 1764150000 + i,
                "parse_data": parse,
                "input_channel": channel,
            }
        )
        events.append({"event": "bot", "text": f"回复{i}", "timestamp": 1764150000.5 + i})
    latest = events[-2]["parse_data"] if events else {}
    return Tracker(
        "conv-9", {"requested_slot": None, **(slots or {})}, latest, events, False, None, {}, "action_listen"
    )


class FakeHandoffs:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.requests: list[tuple[HandoffRequest, str]] = []

    async def request_handoff(self, request: HandoffRequest, idempotency_key: str) -> int:
        if self.fail:
            raise CaseSystemUnavailable("down")
        self.requests.append((request, idempotency_key))
        return 7


@pytest.fixture
def handoffs(monkeypatch: pytest.MonkeyPatch) -> FakeHandoffs:
    fake = FakeHandoffs()
    monkeypatch.setattr(handoff_module, "case_system", lambda: fake)
    return fake


@pytest.fixture
def office_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OfficeHours, "is_open", lambda self, moment: True)


def test_settings_read_the_shared_office_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTER_OFFICE_HOURS_SPEC", "1-5 09:00-12:00")
    hours = ActionSettings.from_env().hours
    shanghai = ZoneInfo("Asia/Shanghai")
    assert hours.is_open(datetime(2026, 11, 26, 9, 30, tzinfo=shanghai))  # Thursday morning
    assert not hours.is_open(datetime(2026, 11, 26, 13, 0, tzinfo=shanghai))
    monkeypatch.setenv("CENTER_OFFICE_HOURS_SPEC", "weekdays 9-5")
    with pytest.raises(ValueError, match="office hours rule"):
        ActionSettings.from_env()


def test_transcript_and_fallback_count() -> None:
    tracker = conversation(("你好", "greet"), ("啊啊啊", "nlu_fallback"), ("嗯嗯嗯", "nlu_fallback"))
    turns = transcript_turns(tracker)
    assert [t["speaker"] for t in turns] == ["citizen", "bot"] * 3
    assert turns[0]["text"] == "你好" and turns[0]["at"].startswith("2025-")
    assert consecutive_fallbacks(tracker) == 2
    assert consecutive_fallbacks(conversation(("啊", "nlu_fallback"), ("你好", "greet"))) == 0


async def test_first_miss_asks_to_rephrase(handoffs: FakeHandoffs) -> None:
    dispatcher = CollectingDispatcher()
    await ActionFallback().run(dispatcher, conversation(("你好", "greet"), ("啊啊", "nlu_fallback")), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_rephrase"]
    assert handoffs.requests == []


async def test_second_miss_in_a_row_hands_off(handoffs: FakeHandoffs, office_open: None) -> None:
    dispatcher = CollectingDispatcher()
    tracker = conversation(("啊啊", "nlu_fallback"), ("哦哦", "nlu_fallback"))
    events = await ActionFallback().run(dispatcher, tracker, {})
    ((request, _),) = handoffs.requests
    assert request.reason_code == "not_understood" and not request.urgent
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_in_hours"]
    assert {"event": "slot", "name": "handoff_status", "value": "requested", "timestamp": None} in events


async def test_safety_handoff_is_urgent_and_carries_the_packet(
    handoffs: FakeHandoffs, office_open: None
) -> None:
    slots = {
        "category": "family",
        "applicant_phone": "13800138000",
        "applicant_name": "王芳",
        "description": "丈夫经常打我",
    }
    tracker = conversation(("我老公又在打我了", "safety_emergency"), slots=slots)
    await ActionRequestHandoff().run(CollectingDispatcher(), tracker, {})
    ((request, key),) = handoffs.requests
    assert request.reason_code == "safety" and request.urgent
    assert request.category == "family" and request.phone == "13800138000"
    assert request.collected["applicant_name"] == "王芳"
    assert request.transcript[0]["text"] == "我老公又在打我了"
    assert key == handoff_key(tracker, "safety")


async def test_after_hours_a_callback_is_promised(
    handoffs: FakeHandoffs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OfficeHours, "is_open", lambda self, moment: False)
    dispatcher = CollectingDispatcher()
    await ActionRequestHandoff().run(dispatcher, conversation(("转人工", "request_human")), {})
    ((request, _),) = handoffs.requests
    assert request.callback_requested and request.reason_code == "requested"
    assert dispatcher.messages[0]["response"] == "utter_handoff_after_hours"


async def test_a_failed_handoff_gives_the_hotline(monkeypatch: pytest.MonkeyPatch, office_open: None) -> None:
    monkeypatch.setattr(handoff_module, "case_system", lambda: FakeHandoffs(fail=True))
    dispatcher = CollectingDispatcher()
    await ActionRequestHandoff().run(dispatcher, conversation(("转人工", "request_human")), {})
    assert dispatcher.messages[0]["response"] == "utter_handoff_failed"
    assert dispatcher.messages[0]["center_hotline"]


def test_the_packet_leaves_out_empty_slots() -> None:
    request = build_handoff(
        conversation(("转人工", "request_human"), slots={"category": None}), "requested", False
    )
    assert request.collected == {} and request.category is None


@pytest.mark.parametrize(("channel", "phone"), [("rest", False), ("twilio_voice", True)])
async def test_legal_questions_are_answered_with_citations(channel: str, phone: bool) -> None:
    dispatcher = CollectingDispatcher()
    tracker = conversation(("人民调解收费吗", "ask_legal"), channel=channel)
    await ActionAnswerLegal().run(dispatcher, tracker, {})
    message, offer = dispatcher.messages
    assert offer["response"] == "utter_offer_registration"  # question first, then the offer
    if phone:
        assert "《" not in message["text"] and "调解法" in message["text"]
    else:
        assert "《中华人民共和国人民调解法》" in message["text"] and "不构成法律意见" in message["text"]


async def test_a_queued_handoff_is_told_truthfully(
    monkeypatch: pytest.MonkeyPatch, office_open: None
) -> None:
    from integration.client import HandoffQueued

    class Queueing(FakeHandoffs):
        async def request_handoff(self, request: HandoffRequest, idempotency_key: str) -> int:
            raise HandoffQueued("HO-1", urgent=False)

    monkeypatch.setattr(handoff_module, "case_system", lambda: Queueing())
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, conversation(("转人工", "request_human")), {})
    assert dispatcher.messages[0]["response"] == "utter_handoff_queued"
    assert events[0]["value"] == "queued"


async def test_a_close_call_asks_which_question_then_answers_the_choice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two curated questions about equally likely: the citizen chooses (buttons), the choice is
    answered with its citations, and the story told with the question is kept for the offer."""
    from bot.actions import legal as legal_module
    from legal import render

    answerer = legal_module.legal_answerer()
    options = [answerer.entries["inheritance_order"], answerer.entries["inheritance_representation"]]

    async def close_call(question: str) -> Any:
        return render.clarify(options, "family")

    monkeypatch.setattr(legal_module, "answer_question", close_call)
    story = "我爸去年走了，没留遗嘱，留下一套房子和存款，我妈和我们兄妹三个怎么分"
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerLegal().run(dispatcher, conversation((story, "ask_legal")), domain_dict())
    (message,) = dispatcher.messages
    assert [b["title"] for b in message["buttons"]] == [*(e.questions[0] for e in options), "都不是"]
    assert message["buttons"][0]["payload"] == '/ask_legal{"legal_choice": "inheritance_order"}'
    assert {"event": "slot", "timestamp": None, "name": "pending_story", "value": story} in events

    dispatcher = CollectingDispatcher()
    choice = make_tracker(
        text=message["buttons"][0]["payload"], intent="ask_legal",
        entities=[{"entity": "legal_choice", "value": "inheritance_order"}],
    )
    events = await ActionAnswerLegal().run(dispatcher, choice, domain_dict())
    answer, offer = dispatcher.messages
    assert "第一千一百二十七条" in answer["text"] and offer["response"] == "utter_offer_registration"
    assert not any(e.get("name") == "pending_story" for e in events)  # kept from the question

    dispatcher = CollectingDispatcher()
    none = make_tracker(
        text="/ask_legal", intent="ask_legal", entities=[{"entity": "legal_choice", "value": "none"}]
    )
    assert await ActionAnswerLegal().run(dispatcher, none, domain_dict()) == []
    assert dispatcher.messages[0]["response"] == "utter_legal_none_chosen"


async def test_a_story_piece_asked_as_a_question_during_consent_is_kept() -> None:
    """The fuzzer's citizen told the story in pieces while the consent notice was on screen;
    a short question that continues it belongs in the description."""
    piece = "对方家属找我要钱，我要负责吗？"
    tracker = make_tracker(
        slots={"description": "朋友借我的车开，出了车祸把人撞伤"}, text=piece, intent="ask_legal",
        requested_slot="privacy_consent",
    )
    events = await ActionAnswerLegal().run(CollectingDispatcher(), tracker, domain_dict())
    (description,) = [e["value"] for e in events if e.get("name") == "description"]
    assert description.endswith(piece)


async def test_a_story_told_in_pieces_as_questions_is_kept_whole_for_the_offer() -> None:
    """Found by the 2,000-conversation bench: the second piece replaced the first."""
    first = "我家住二楼，一楼的住户在窗户外面加盖了一个阳光房，下雨天水都溅到我家"
    second = "他家还装了一台大功率排风扇，油烟直接往我家窗户里灌，这种情况怎么办？"
    tracker = make_tracker(slots={"pending_story": first}, text=second, intent="ask_legal")
    events = await ActionAnswerLegal().run(CollectingDispatcher(), tracker, domain_dict())
    (story,) = [e["value"] for e in events if e.get("name") == "pending_story"]
    assert story == f"{first}\n{second}"


@pytest.mark.parametrize(
    ("guess", "kept"),
    [
        ({"category": "labour", "confident": True}, False),  # surely another kind of dispute
        ({"category": "neighbour", "confident": True}, True),  # about this one: part of the story
        ({"category": "labour", "confident": False}, True),  # not sure: nothing is lost
        # a sure "other" names no other kind of dispute (the 400-conversation fuzz: "跟他说了他还骂我
        # 多管闲事，我能怎么办？" told during consent was left out of a neighbour case's story)
        ({"category": "other", "confident": True}, True),
    ],
)
def test_a_legal_question_mid_form_joins_the_story_unless_it_is_about_another_dispute(
    guess: dict[str, Any], kept: bool
) -> None:
    """Read in a clean 2,000-run transcript: "顺便问一下，没签合同能要双倍工资吗" asked while a
    neighbour dispute was registered ended up in its description."""
    question = "顺便问一下，公司没签劳动合同能要双倍工资吗"
    tracker = make_tracker(
        {"category": "neighbour", "description": "邻居养鸡臭味扰民"}, text=question, intent="ask_legal",
        requested_slot="applicant_name",
    )
    tracker.latest_message["dispute"] = guess
    events = ActionAnswerLegal._keep_story(tracker, question)
    assert any(e.get("name") == "description" for e in events) is kept
