"""Custom actions of the intake flow, with rasa-sdk's real Tracker and dispatcher."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.intake import (
    ActionAskIntakeConfirmed,
    ActionStartIntake,
    ActionSubmitCase,
    idempotency_key,
)
from bot.actions.intake_form import ValidateIntakeForm
from tests.bot.conftest import FakeCaseSystem, domain_dict, make_tracker

CONFIRMED = {
    "privacy_consent": True,
    "category": "labour",
    "description": "老板拖欠我三个月工资两万三千块",
    "applicant_name": "张三",
    "applicant_phone": "13800138000",
    "intake_confirmed": True,
}


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


async def test_start_keeps_a_narrative_phone_and_name_so_they_are_not_asked_again() -> None:
    text = "我叫王芳，电话13912345678，公司拖欠我半年工资不给"
    events = await ActionStartIntake().run(
        CollectingDispatcher(), make_tracker(text=text, intent="dispute_labour"), {}
    )
    assert (
        slots_set(events).items()
        >= {
            "intake_confirmed": None,
            "case_no": None,
            "intake_receipt": None,
            "category": "labour",
            "description": text,
            "applicant_phone": "13912345678",
            "applicant_name": "王芳",
            "respondent": None,
            "location": None,
            "amount_yuan": None,
        }.items()
    )


async def test_start_without_a_narrative_clears_the_previous_description() -> None:
    events = await ActionStartIntake().run(
        CollectingDispatcher(), make_tracker(text="我要申请调解", intent="report_dispute"), {}
    )
    assert slots_set(events)["description"] is None
    assert "applicant_phone" not in slots_set(events)


@pytest.mark.parametrize(
    ("slot", "value", "expected", "utter"),
    [
        ("applicant_phone", "幺三八 零零幺三 八零零零", "13800138000", None),
        ("applicant_phone", "12345678", None, "utter_invalid_applicant_phone"),
        ("applicant_phone", "不方便", None, "utter_phone_needed"),
        ("applicant_name", "免贵姓林，叫林小梅", "林小梅", None),
        ("applicant_name", "不想说", None, "utter_invalid_applicant_name"),
        ("description", "邻居家的空调外机对着我家窗户", "邻居家的空调外机对着我家窗户", None),
    ],
)
async def test_validation_normalises_or_reasks(slot: str, value: str, expected: Any, utter: Any) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=value, requested_slot=slot, slots={slot: value})
    result = getattr(ValidateIntakeForm(), f"validate_{slot}")(value, dispatcher, tracker, {})
    assert result[slot] == expected
    assert responses(dispatcher) == ([utter] if utter else [])


async def test_a_rant_is_kept_but_capped() -> None:
    rant = "物业" * 3000
    result = ValidateIntakeForm().validate_description(rant, CollectingDispatcher(), make_tracker(), {})
    assert len(result["description"]) == 2000


async def test_deny_at_confirmation_asks_what_to_correct() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateIntakeForm().validate_intake_confirmed(False, dispatcher, make_tracker(), {})
    assert result == {"intake_confirmed": None}
    assert responses(dispatcher) == ["utter_ask_correction"]


async def test_a_name_correction_out_of_turn_is_extracted() -> None:
    tracker = make_tracker(text="不对，名字是李小龙", intent="correct", requested_slot="intake_confirmed")
    assert await ValidateIntakeForm().extract_applicant_name(CollectingDispatcher(), tracker, {}) == {
        "applicant_name": "李小龙"
    }
    tracker = make_tracker(text="对", intent="affirm", requested_slot="intake_confirmed")
    assert await ValidateIntakeForm().extract_applicant_name(CollectingDispatcher(), tracker, {}) == {}


async def test_refused_consent_ends_the_form() -> None:
    tracker = make_tracker(
        slots={"privacy_consent": False}, text="不同意", intent="deny", requested_slot="privacy_consent"
    )
    required = await ValidateIntakeForm().required_slots(
        ["privacy_consent", "category"], CollectingDispatcher(), tracker, {}
    )
    assert required == []


async def test_a_misheard_yes_the_classifier_calls_no_is_asked_again_not_a_refusal() -> None:
    """Found by the Mandarin kiosk intake: Whisper heard 同意 as "通意", DIET said deny, and the
    form ended with "尊重您的选择" — rasa-sdk asks required_slots which slots to validate before it
    validates, so the refusal ended the form before validate_privacy_consent could ask again."""
    tracker = make_tracker(text="通意", intent="deny", requested_slot="privacy_consent")
    tracker.events.append({"event": "slot", "name": "privacy_consent", "value": False})
    tracker.slots["privacy_consent"] = False
    events = await ValidateIntakeForm().run(CollectingDispatcher(), tracker, domain_dict())
    assert {"privacy_consent": None}.items() <= slots_set(events).items()
    assert slots_set(events).get("requested_slot") == "privacy_consent"  # asked again


async def test_read_back_shows_every_detail_with_the_category_label() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskIntakeConfirmed().run(dispatcher, make_tracker(slots=CONFIRMED), {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_intake_summary"
    assert message["category_name"] == "劳动争议/欠薪/工伤"
    assert message["applicant_phone"] == "13800138000"


async def test_submit_registers_and_tells_the_case_number(fake_cases: FakeCaseSystem) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitCase().run(dispatcher, make_tracker(slots=CONFIRMED), {})
    ((intake, key),) = fake_cases.calls
    assert intake.applicant_phone == "13800138000" and intake.category == "labour"
    assert intake.channel == "web" and intake.conversation_id == "conv-1"
    assert key == idempotency_key("conv-1", intake)
    (message,) = dispatcher.messages
    assert message["response"] == "utter_case_registered"
    assert message["case_no"] == "JF-2026-000001"
    assert message["contact_by"] == "11月27日 08:00"
    assert slots_set(events)["case_no"] == "JF-2026-000001"
    assert slots_set(events)["description"] is None  # a second dispute starts clean


@pytest.mark.parametrize(("channel", "told"), [("twilio_voice", True), ("rest", False)])
async def test_a_caller_is_told_how_to_send_materials(
    fake_cases: FakeCaseSystem, channel: str, told: bool
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionSubmitCase().run(dispatcher, make_tracker(slots=CONFIRMED, channel=channel), {})
    said = {m["response"]: m for m in dispatcher.messages}
    assert ("utter_evidence_without_upload" in said) is told  # the web page has an upload button
    if told:
        assert said["utter_evidence_without_upload"]["case_no"] == "JF-2026-000001"
        assert said["utter_evidence_without_upload"]["center_address"]
        assert "utter_evidence_without_upload" in domain_dict()["responses"]


@pytest.mark.parametrize(
    ("provider", "declined", "utter"),
    [
        ("twilio", False, "utter_case_queued"),
        ("", False, "utter_case_queued_no_sms"),
        ("twilio", True, "utter_case_queued_no_sms"),
    ],
)
async def test_submit_while_the_service_is_down_tells_the_truth(
    fake_cases: FakeCaseSystem, monkeypatch: pytest.MonkeyPatch, provider: str, declined: bool, utter: str
) -> None:
    """A text is promised only where the center sends texts and the citizen did not decline;
    otherwise the receipt number and the hotline are how the case number is found."""
    monkeypatch.setenv("SMS_PROVIDER", provider)
    fake_cases.mode = "queue"
    dispatcher = CollectingDispatcher()
    slots = {**CONFIRMED, "sms_declined": declined or None}
    events = await ActionSubmitCase().run(dispatcher, make_tracker(slots=slots), {})
    (message,) = dispatcher.messages
    assert message["response"] == utter
    assert message["intake_receipt"] == "R-20261126-0001"
    assert message["phone_masked"] == "138****8000"
    assert message["center_hotline"]
    assert SlotSet("intake_receipt", "R-20261126-0001") in events
    (intake, _key) = fake_cases.calls[0]
    assert intake.notify_sms is not declined


def test_no_response_promises_a_text_unconditionally() -> None:
    """Every sentence that mentions a text message is one the actions choose only when a text
    is really queued or the center sends them (the consent notice: by its sms_available slot)."""
    guarded = {
        "utter_case_queued",
        "utter_case_no_by_sms",
        "utter_appointment_sms_follows",
        "utter_appointment_sms_and_reminder",
        "utter_sms_declined_phone",
    }
    for name, variations in domain_dict()["responses"].items():
        for variation in variations:
            text = variation.get("text", "")
            promises = any(w in text for w in ("会以短信", "发到您的手机", "短信告诉", "短信提醒"))
            if not promises or name in guarded:
                continue
            conditions = {c["name"]: c["value"] for c in variation.get("condition", [])}
            assert conditions.get("sms_available") is True, (name, text)


@pytest.mark.parametrize(
    ("mode", "utter"), [("reject", "utter_case_rejected"), ("down", "utter_case_not_saved")]
)
async def test_submit_failures_are_explained(fake_cases: FakeCaseSystem, mode: str, utter: str) -> None:
    fake_cases.mode = mode
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitCase().run(dispatcher, make_tracker(slots=CONFIRMED), {})
    assert responses(dispatcher) == [utter]
    assert slots_set(events) == {"intake_confirmed": None}


async def test_no_case_without_consent_or_confirmation(fake_cases: FakeCaseSystem) -> None:
    dispatcher = CollectingDispatcher()
    await ActionSubmitCase().run(dispatcher, make_tracker(slots={**CONFIRMED, "privacy_consent": False}), {})
    await ActionSubmitCase().run(dispatcher, make_tracker(slots={**CONFIRMED, "intake_confirmed": None}), {})
    assert fake_cases.calls == []
    assert responses(dispatcher) == ["utter_consent_refused", "utter_intake_cancelled"]


def test_the_idempotency_key_is_stable_and_content_bound() -> None:
    from integration.client import IntakeRequest

    a = IntakeRequest("labour", "欠薪", "张三", "13800138000", channel="web", conversation_id="c")
    b = IntakeRequest("labour", "欠薪两万", "张三", "13800138000", channel="web", conversation_id="c")
    assert idempotency_key("c", a) == idempotency_key("c", a)
    assert idempotency_key("c", a) != idempotency_key("c", b)
    assert idempotency_key("c", a) != idempotency_key("d", a)


@pytest.mark.parametrize(
    ("text", "intent", "requested", "expected"),
    [
        ("138 0013 8000", "inform", "applicant_phone", {"applicant_phone": "13800138000"}),
        (
            "不对，电话是幺三九一二三四五六七八",
            "correct",
            "intake_confirmed",
            {"applicant_phone": "13912345678"},
        ),
        ("12345", "nlu_fallback", "applicant_phone", {"applicant_phone": "12345"}),
        ("转人工", "request_human", "applicant_phone", {}),
        ("对", "affirm", "intake_confirmed", {}),
    ],
)
async def test_a_phone_is_read_from_the_whole_message(
    text: str, intent: str, requested: str, expected: dict[str, Any]
) -> None:
    tracker = make_tracker(text=text, intent=intent, requested_slot=requested)
    assert await ValidateIntakeForm().extract_applicant_phone(CollectingDispatcher(), tracker, {}) == expected


async def test_start_keeps_the_other_party_place_and_amount_of_the_narrative() -> None:
    text = "包工头王某在城关镇工地欠我两万三千块工资"
    entities = [
        {"entity": "respondent", "value": "包工头王某"},
        {"entity": "location", "value": "城关镇工地"},
    ]
    tracker = make_tracker(text=text, intent="dispute_labour", entities=entities)
    events = slots_set(await ActionStartIntake().run(CollectingDispatcher(), tracker, {}))
    assert (events["respondent"], events["location"], events["amount_yuan"]) == (
        "包工头王某",
        "城关镇工地",
        "23000",
    )


@pytest.mark.parametrize(
    ("slot", "value", "expected", "utter"),
    [
        ("amount_yuan", "两万三千块", "23000", None),
        ("amount_yuan", "没有，不涉及钱", "none", None),
        ("amount_yuan", "很多", None, "utter_invalid_amount_yuan"),
        ("id_number", "110105 19491231 002x", "11010519491231002X", None),
        ("id_number", "跳过", "skipped", None),
        ("id_number", "110105194912310021", None, "utter_invalid_id_number"),
        ("respondent", "  隔壁老李  ", "隔壁老李", None),
        ("location", "幸福小区3号楼", "幸福小区3号楼", None),
    ],
)
def test_details_are_normalised_or_reasked(slot: str, value: str, expected: Any, utter: Any) -> None:
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateIntakeForm(), f"validate_{slot}")(value, dispatcher, make_tracker(), {})
    assert result == {slot: expected}
    assert responses(dispatcher) == ([utter] if utter else [])


async def test_the_amount_is_asked_only_where_money_is_usually_at_stake() -> None:
    slots = ["category", "description", "respondent", "location", "amount_yuan", "applicant_name"]
    form = ValidateIntakeForm()
    labour = make_tracker(slots={"category": "labour", "privacy_consent": True})
    neighbour = make_tracker(slots={"category": "neighbour", "privacy_consent": True})
    assert "amount_yuan" in await form.required_slots(slots, CollectingDispatcher(), labour, {})
    assert "amount_yuan" not in await form.required_slots(slots, CollectingDispatcher(), neighbour, {})


async def test_the_registered_case_carries_every_detail(fake_cases: FakeCaseSystem) -> None:
    slots = {
        **CONFIRMED,
        "respondent": "包工头王某",
        "location": "城关镇",
        "amount_yuan": "23000",
        "id_number": "11010519491231002X",
    }
    await ActionSubmitCase().run(CollectingDispatcher(), make_tracker(slots=slots), {})
    ((intake, _),) = fake_cases.calls
    assert intake.respondents == ["包工头王某"] and intake.location == "城关镇"
    assert str(intake.amount_yuan) == "23000" and intake.id_number == "11010519491231002X"
    await ActionSubmitCase().run(
        CollectingDispatcher(),
        make_tracker(slots={**slots, "amount_yuan": "none", "id_number": "skipped"}),
        {},
    )
    assert fake_cases.calls[1][0].amount_yuan is None and fake_cases.calls[1][0].id_number is None


@pytest.mark.parametrize(
    ("text", "slot", "expected"),
    [
        ("不对，地点是幸福小区5号楼", "location", "幸福小区5号楼"),
        ("对方应该是某某物业公司", "respondent", "某某物业公司"),
        ("金额改成三万块", "amount_yuan", "三万块"),
        ("情况是他家的空调外机一直滴水到我家阳台。", "description", "他家的空调外机一直滴水到我家阳台"),
    ],
)
async def test_any_detail_can_be_corrected_after_the_read_back(text: str, slot: str, expected: str) -> None:
    tracker = make_tracker(text=text, intent="correct", requested_slot="intake_confirmed")
    assert await getattr(ValidateIntakeForm(), f"extract_{slot}")(CollectingDispatcher(), tracker, {}) == {
        slot: expected
    }


async def test_a_plain_confirmation_corrects_nothing() -> None:
    tracker = make_tracker(text="对，没问题", intent="affirm", requested_slot="intake_confirmed")
    form = ValidateIntakeForm()
    for slot in ("location", "respondent", "amount_yuan", "description"):
        assert await getattr(form, f"extract_{slot}")(CollectingDispatcher(), tracker, {}) == {}


async def test_the_read_back_asked_again_says_how_to_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**CONFIRMED, "intake_confirmed": None, "ask_retry": "2"})
    await ActionAskIntakeConfirmed().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_intake_confirm_retry", "utter_intake_summary"]


@pytest.mark.parametrize("answer", ["一定要填吗", "不想说", "可以不写吗", "不知道怎么说"])
async def test_a_remark_about_the_form_is_answered_and_never_becomes_the_story(answer: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"description_partial": None}, text=answer, requested_slot="description")
    result = ValidateIntakeForm().validate_description(answer, dispatcher, tracker, {})
    assert result == {"description": None}  # nothing kept as the start of a description
    assert responses(dispatcher) == ["utter_description_needed"]
    assert "utter_description_needed" in domain_dict()["responses"]


async def test_an_early_refusal_of_the_id_is_noted_at_the_story_question() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="身份证号不想给", requested_slot="description")
    result = ValidateIntakeForm().validate_description("身份证号不想给", dispatcher, tracker, {})
    assert result == {"description": None, "id_number": "skipped"}
    assert responses(dispatcher) == ["utter_id_number_optional"]


async def test_a_short_story_that_contains_a_refusal_word_is_still_the_story() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateIntakeForm().validate_description("他不给钱", dispatcher, make_tracker(), {})
    assert result == {"description": None, "description_partial": "他不给钱"}  # kept, more asked
    assert responses(dispatcher) == ["utter_description_more"]


@pytest.mark.parametrize("requested", ["amount_yuan", "applicant_name", "applicant_phone", "id_number"])
async def test_the_story_told_at_a_question_for_a_detail_is_added_to_the_description(requested: str) -> None:
    story = "公司把我辞退了一分钱补偿都不给我在那干了六年了"  # 22 characters: no detail is this long
    tracker = make_tracker(
        {"description": "一开始说的", "category": "labour"},
        text=story,
        intent="dispute_labour",
        requested_slot=requested,
    )
    events = await ValidateIntakeForm().harvest(CollectingDispatcher(), tracker, {})
    assert slots_set(events)["description"] == f"一开始说的\n{story}"
    assert "amount_yuan" not in slots_set(events)  # "一分钱都不给" is no sum


async def test_a_long_description_of_the_other_party_is_only_that() -> None:
    answer = "就是小区对面那个开火锅店的老板姓王"  # 17 characters, answers the question asked
    tracker = make_tracker(
        {"description": "油烟扰民"}, text=answer, intent="inform", requested_slot="respondent"
    )
    events = await ValidateIntakeForm().harvest(CollectingDispatcher(), tracker, {})
    assert "description" not in slots_set(events)


async def test_a_phone_read_out_in_words_is_never_taken_for_the_story() -> None:
    """Found by the 2,000-conversation bench: 18 characters of "我的手機是么三零…" joined the story."""
    answer = "那个，我的手机是么三零四五八么三零六二"
    tracker = make_tracker({"description": "邻居装摄像头"}, text=answer, requested_slot="applicant_phone")
    events = await ValidateIntakeForm().harvest(CollectingDispatcher(), tracker, {})
    assert "description" not in slots_set(events)


async def test_a_question_about_the_centre_at_the_story_question_is_not_the_story() -> None:
    """Found by the 2,000-conversation bench: "需要我本人去现场吗" became the description."""
    dispatcher = CollectingDispatcher()
    result = ValidateIntakeForm().validate_description("需要我本人去现场吗", dispatcher, make_tracker(), {})
    assert result == {"description": None} and responses(dispatcher) == ["utter_description_needed"]
    story = ValidateIntakeForm().validate_description(
        "公司拖欠我三个月工资", CollectingDispatcher(), make_tracker(), {}
    )
    assert story["description"] == "公司拖欠我三个月工资"


async def test_a_story_full_of_numerals_told_at_the_amount_question_is_still_the_story() -> None:
    """Found by the 2,000-run: twelve numerals scattered over a story (2012年, 一块二 …) were
    counted as a number read out, and the story was lost. Only a run of digits is a number."""
    story = (
        "我们小区是2012年交的房，物业一直是开发商下面的那家物业公司。"
        "这几年物业费从一块二涨到了一块八一平，服务越来越差"
    )
    tracker = make_tracker(
        {"description": "物业服务不到位"}, text=story, intent="dispute_property", requested_slot="amount_yuan"
    )
    events = slots_set(await ValidateIntakeForm().harvest(CollectingDispatcher(), tracker, {}))
    assert events["description"] == f"物业服务不到位\n{story}"
    assert "amount_yuan" not in events  # a price per square metre is not the sum at stake


def test_a_story_at_the_amount_question_gives_no_unit_price_as_the_amount() -> None:
    story = "这几年物业费从一块二涨到了一块八一平，服务越来越差，电梯三天两头坏"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=story, requested_slot="amount_yuan")
    result = ValidateIntakeForm().validate_amount_yuan(story, dispatcher, tracker, {})
    assert result == {"amount_yuan": None}
    short = ValidateIntakeForm().validate_amount_yuan("五块", CollectingDispatcher(), tracker, {})
    assert short == {"amount_yuan": "5"}  # a direct answer keeps any sum


LOAN_STORY = (
    "嗯就是那个我想说一下我那个事啊就是我前年借给我一个亲戚二十万块钱就是那个我老婆的表弟他说要在县城开个饭店然后那个当时也没打借条就是微信转了十万然后还有十万是现金给的后来饭店开了一年多就关门了饭店关门以后他又在外面买了一辆二十多万的车然后我去找他要他就说是我入股的不是借给他的亏了大家一起承担那个我们当时说好的就是借钱啊根本没说入股的事我有一段那个微信语音他说等饭店赚钱了就还我的那个我老婆也不好意思去要说是亲戚现在亲戚们都知道这个事了"
)


async def test_a_long_loan_story_at_the_amount_question_is_kept_whole() -> None:
    """The 2,000-run's second violation: eight numerals over 217 characters (一个, 二十万, 十万,
    一年多 …) were counted as a phone read out, so the story was dropped after the amount was read."""
    tracker = make_tracker(
        {"description": "朋友欠钱不还的事能帮我登记调解吗"},
        text=LOAN_STORY,
        intent="dispute_contract",
        requested_slot="amount_yuan",
    )
    events = slots_set(await ValidateIntakeForm().harvest(CollectingDispatcher(), tracker, {}))
    assert events["description"] == f"朋友欠钱不还的事能帮我登记调解吗\n{LOAN_STORY}"
    assert events["amount_yuan"] == "200000"


@pytest.mark.parametrize("slot", ["respondent", "location"])
def test_a_request_for_something_else_is_not_the_other_party_or_the_place(slot: str) -> None:
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    validate = getattr(form, f"validate_{slot}")
    asked = make_tracker(text="帮我订个外卖", intent="out_of_scope", requested_slot=slot)
    assert validate("帮我订个外卖", dispatcher, asked, domain_dict()) == {slot: None}
    # a real answer DIET happens to take for out-of-scope keeps its entity and is kept
    entity = [{"entity": slot, "value": "隔壁老王", "start": 0, "end": 4}]
    named = make_tracker(text="隔壁老王", intent="out_of_scope", entities=entity, requested_slot=slot)
    assert validate("隔壁老王", dispatcher, named, domain_dict()) == {slot: "隔壁老王"}
    # a value taken earlier from the story is not judged by a later message
    later = make_tracker(text="帮我订个外卖", intent="out_of_scope", requested_slot="amount_yuan")
    assert validate("隔壁老王", dispatcher, later, domain_dict()) == {slot: "隔壁老王"}


@pytest.mark.parametrize(
    ("intent", "kin", "expected"),
    [
        ("dispute_medical", "我父亲", None),
        ("dispute_traffic", "我儿子", None),
        ("dispute_family", "我哥", "我哥"),
    ],
)
async def test_the_citizens_own_relative_in_a_story_is_the_other_party_only_in_family_disputes(
    intent: str, kin: str, expected: str | None
) -> None:
    text = f"{kin}在县医院做完手术就瘫了，医生当时也没说有风险，想申请调解"
    entity = [{"entity": "respondent", "value": kin, "start": 0, "end": len(kin)}]
    tracker = make_tracker(text=text, intent=intent, entities=entity)
    events = await ActionStartIntake().run(CollectingDispatcher(), tracker, {})
    assert slots_set(events)["respondent"] == expected


@pytest.mark.parametrize("slot", ["respondent", "location"])
def test_a_question_about_the_centre_is_not_the_other_party_or_the_place(slot: str) -> None:
    """Found by the 400-conversation fuzz: "谁来调解 是律师吗" was registered as the other party."""
    form, dispatcher = ValidateIntakeForm(), CollectingDispatcher()
    validate = getattr(form, f"validate_{slot}")
    asked = make_tracker(text="谁来调解 是律师吗", intent="nlu_fallback", requested_slot=slot)
    assert validate("谁来调解 是律师吗", dispatcher, asked, domain_dict()) == {slot: None}
    assert responses(dispatcher) == ["utter_question_after_intake"]
    answer = "村东头开超市的老李" if slot == "respondent" else "城南街道幸福小区"
    plain = make_tracker(text=answer, intent="inform", requested_slot=slot)
    assert validate(answer, CollectingDispatcher(), plain, domain_dict()) == {slot: answer}


@pytest.mark.parametrize(
    ("answer", "intent", "kept"),
    [
        ("邻居装修天天吵，找他理论还骂我", "dispute_neighbour", True),  # the story, told as the answer
        ("邻里纠纷吧", "dispute_neighbour", False),  # only the category
        ("/dispute_neighbour", "dispute_neighbour", False),  # the button
    ],
)
async def test_a_story_told_at_the_category_question_is_the_description(
    answer: str, intent: str, kept: bool
) -> None:
    """Read in a transcript: the story given as the answer to "属于哪一类" set the category, and the
    description was then asked for from scratch."""
    tracker = make_tracker(text=answer, intent=intent, requested_slot="category")
    events = await ValidateIntakeForm().harvest(CollectingDispatcher(), tracker, {})
    assert (slots_set(events).get("description") == answer) is kept


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("不同意", False),
        ("/deny", False),
        ("2", False),
        ("算了，不登记了", False),
        ("同一。", None),  # a misheard 同意 the classifier took for a no: asked again, never a refusal
        ("嗯？", None),
    ],
)
def test_consent_is_refused_only_in_words_that_say_no(answer: str, expected: Any) -> None:
    tracker = make_tracker(text=answer, intent="deny", requested_slot="privacy_consent")
    form = ValidateIntakeForm()
    result = form.validate_privacy_consent(False, CollectingDispatcher(), tracker, domain_dict())
    assert result == {"privacy_consent": expected}
