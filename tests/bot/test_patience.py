"""Never trap a citizen: the intake form's validation, turn by turn, with the real domain."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.actions.intake_form import ID_SKIPPED, NOT_GIVEN, ValidateIntakeForm
from bot.actions.patience import STUCK_SLOT
from tests.bot.conftest import domain_dict, make_tracker

DOMAIN = domain_dict()
DETAILS = {
    "privacy_consent": True,
    "category": "labour",
    "description": "老板拖欠我三个月工资两万三千块",
    "respondent": "老板",
    "location": "城关镇",
    "amount_yuan": "23000",
}


async def turn(
    slots: dict[str, Any], text: str, intent: str = "inform", mapped: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """One citizen message to the form's validation; the slots afterwards and what the bot said.
    ``mapped``: slots Rasa's own mappings (from_text, from_intent) set for this message."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={**slots, **(mapped or {})},
        text=text,
        intent=intent,
        requested_slot=slots.get("requested_slot"),
    )
    tracker.events.extend({"event": "slot", "name": k, "value": v} for k, v in (mapped or {}).items())
    events = await ValidateIntakeForm().run(dispatcher, tracker, DOMAIN)
    after = dict(slots)
    after.update({e["name"]: e["value"] for e in events if e["event"] == "slot"})
    return after, [m.get("response") or m.get("text") for m in dispatcher.messages]


async def test_an_optional_question_is_never_asked_a_third_time() -> None:
    slots = {
        **DETAILS,
        "respondent": "老板",
        "location": "城关镇",
        "amount_yuan": "23000",
        "applicant_name": "张三",
        "applicant_phone": "13800138000",
        "requested_slot": "id_number",
    }
    slots, said = await turn(slots, "啊？")
    assert slots["id_number"] is None and slots["ask_retry"] == "2" and slots["requested_slot"] == "id_number"
    assert "utter_id_number_optional" in said and "utter_invalid_id_number" not in said
    slots, said = await turn(slots, "嗯嗯")
    assert slots["id_number"] == ID_SKIPPED and "utter_detail_not_given" in said
    assert slots["requested_slot"] == "intake_confirmed"


async def test_declining_the_id_in_ordinary_words_skips_it_at_once() -> None:
    for text in ("这个就不说了吧", "没带身份证", "记不住号码", "以后再说"):
        slots = {**DETAILS, "requested_slot": "id_number"}
        slots, said = await turn(slots, text)
        assert slots["id_number"] == ID_SKIPPED, text
        assert "utter_invalid_id_number" not in said


async def test_dont_know_is_recorded_as_unknown_not_reasked() -> None:
    for slot in ("respondent", "location", "amount_yuan"):
        slots, _ = await turn({**DETAILS, "requested_slot": slot}, "记不清了")
        assert slots[slot] == NOT_GIVEN, slot


async def test_a_required_detail_is_offered_another_way_then_handed_to_a_person() -> None:
    slots = {**DETAILS, "applicant_name": "张三", "requested_slot": "applicant_phone"}
    slots, said = await turn(slots, "不想留")
    assert slots["ask_retry"] == "2" and "utter_phone_needed" in said
    slots, said = await turn(slots, "不给")
    assert slots["ask_retry"] == "3" and slots["requested_slot"] == "applicant_phone"
    slots, said = await turn(slots, "就是不给")
    assert slots[STUCK_SLOT] == "applicant_phone" and slots["requested_slot"] is None


async def test_a_correction_in_between_starts_the_count_again() -> None:
    slots = {**DETAILS, "applicant_name": "张三", "requested_slot": "applicant_phone"}
    slots, _ = await turn(slots, "不想留")
    slots, _ = await turn(slots, "不对，名字是李小龙", intent="correct")
    assert slots["applicant_name"] == "李小龙" and slots["ask_misses"] is None


async def test_a_story_told_during_consent_is_kept_and_consent_asked_again() -> None:
    story = "邻居家卫生间漏水漏到我家天花板，找他好几次都不管，墙皮都掉了"
    slots, said = await turn({"requested_slot": "privacy_consent"}, story, intent="dispute_neighbour")
    assert slots["description"] == story and slots["category"] == "neighbour"
    assert slots.get("privacy_consent") is None and slots["requested_slot"] == "privacy_consent"
    assert "utter_story_kept" in said


async def test_consent_mixed_with_the_story_is_both() -> None:
    slots, _ = await turn(
        {"requested_slot": "privacy_consent"},
        "同意，事情是这样的：老板拖欠我三个月工资一万二",
        intent="dispute_labour",
    )
    assert slots["privacy_consent"] is True
    assert slots["description"].startswith("事情是这样的") and slots["amount_yuan"] == "12000"
    assert slots["requested_slot"] == "respondent"


async def test_a_short_description_is_kept_and_completed() -> None:
    slots = {"privacy_consent": True, "category": "neighbour", "requested_slot": "description"}
    slots, said = await turn(slots, "邻居家", mapped={"description": "邻居家"})
    assert slots["description"] is None and slots["description_partial"] == "邻居家"
    assert "utter_description_more" in said
    slots, _ = await turn(slots, "漏水", mapped={"description": "漏水"})
    assert slots["description"] == "邻居家，漏水"


async def test_interruptions_are_not_misses() -> None:
    slots = {**DETAILS, "requested_slot": "applicant_phone"}
    after, said = await turn(slots, "转人工", intent="request_human")
    assert "ask_misses" not in after and said == []


async def test_the_form_counts_misses_on_the_tracker_rasa_really_sends() -> None:
    """Rasa validates on a temporary tracker ending in the form's own ActionExecuted."""
    slots = {**DETAILS, "applicant_name": "张三", "requested_slot": "applicant_phone"}
    tracker = make_tracker(slots=dict(slots), text="不想留", requested_slot="applicant_phone")
    tracker.events += [
        {"event": "action", "name": "action_extract_slots"},
        {"event": "slot", "name": "requested_slot", "value": "applicant_phone"},
        {"event": "action", "name": "intake_form"},
    ]
    tracker.latest_action_name = "intake_form"
    events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["ask_retry"] == "2"


async def test_resuming_after_an_interruption_is_not_a_miss() -> None:
    slots = {**DETAILS, "applicant_name": "张三", "requested_slot": "applicant_phone"}
    tracker = make_tracker(
        slots=dict(slots), text="加班费怎么算", intent="ask_legal", requested_slot="applicant_phone"
    )
    tracker.events += [
        {"event": "action", "name": "action_answer_legal"},
        {"event": "bot", "text": "…"},
        {"event": "action", "name": "intake_form"},
    ]
    events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, DOMAIN)
    assert "ask_misses" not in {e["name"] for e in events if e["event"] == "slot"}


async def test_consent_is_never_assumed_from_a_word_that_is_not_yes() -> None:
    cases = (
        ("skip", None), ("以后再说", None), ("你好漂亮", None), ("好的", True), ("/affirm", True),
        ("中", True), ("好吧", True),
    )
    for text, expected in cases:
        slots, _ = await turn({"requested_slot": "privacy_consent"}, text, intent="affirm",
                              mapped={"privacy_consent": True})
        assert slots.get("privacy_consent") is expected, text


async def test_laughter_is_not_a_name() -> None:
    """Found by the conversation fuzzer: "哈哈哈" (greet to the classifier) became the applicant."""
    slots = {**DETAILS, "requested_slot": "applicant_name"}
    after, said = await turn(slots, "哈哈哈", intent="greet", mapped={"applicant_name": "哈哈哈"})
    assert after["applicant_name"] is None and "utter_invalid_applicant_name" in said
    after, _ = await turn(slots, "王建国", intent="inform", mapped={"applicant_name": "王建国"})
    assert after["applicant_name"] == "王建国"
