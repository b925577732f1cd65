"""Numbers by phone: slot detection, normalisation, read-back and the capture state machine."""

from __future__ import annotations

import pytest

from voice.core.capture import NumberCapture
from voice.core.numbers import SlotKind, expected_slot, normalize_keypad, normalize_slot, read_back, yes_no
from voice.dialogue.base import BotReply, Button

ASK_PHONE = "请留下您的手机号码，承办人员会在12小时内与您联系。"  # bot/domain/responses.yml
INVALID_PHONE = "这个号码好像不是有效的手机号。请输入11位的大陆手机号，例如 138 0013 8000。"
CONSENT = "我们会收集您的姓名、手机号和纠纷情况（可选：身份证号）……您同意吗？"
CORRECTION = "请直接告诉我要改正的内容，例如“电话是13800138000”或“姓名是张三”。"


def test_expected_slot_from_bot_wording() -> None:
    assert expected_slot(BotReply(text=ASK_PHONE)) is SlotKind.PHONE
    assert expected_slot(BotReply(text=INVALID_PHONE)) is SlotKind.PHONE
    assert expected_slot(BotReply(text=CONSENT, buttons=(Button("同意", "/affirm"),))) is None
    assert expected_slot(BotReply(text=CORRECTION)) is None
    assert expected_slot(BotReply(text="请告诉我您的身份证号。")) is SlotKind.RESIDENT_ID
    assert expected_slot(BotReply(text="x", custom={"voice": {"expect": "amount"}})) is SlotKind.AMOUNT


@pytest.mark.parametrize(
    "spoken",
    [
        "幺三八零零幺三八零零零",
        "一 三 八 零 零 一 三 八 零 零 零",
        "138 0013 8000",
        "我的号码是幺三八，零零幺三，八洞洞洞",
    ],
)
def test_phone_from_speech(spoken: str) -> None:
    assert normalize_slot(SlotKind.PHONE, spoken) == "13800138000"


def test_invalid_phone_and_amounts() -> None:
    assert normalize_slot(SlotKind.PHONE, "幺三八零零") is None
    assert normalize_slot(SlotKind.AMOUNT, "两万三千块") == "23000"
    assert normalize_slot(SlotKind.AMOUNT, "大概三千五百元") == "3500"
    assert normalize_keypad(SlotKind.AMOUNT, "1250*5") == "1250.5"


def test_resident_id_spoken_and_typed() -> None:
    assert (
        normalize_slot(SlotKind.RESIDENT_ID, "幺幺零幺零五幺九四九幺二三幺零零幺叉") is None
    )  # bad checksum
    valid = "11010519491231002X"
    spoken = "幺幺零幺零五幺九四九幺二三幺零零二叉"
    assert normalize_slot(SlotKind.RESIDENT_ID, spoken) == valid
    assert normalize_keypad(SlotKind.RESIDENT_ID, "11010519491231002*") == valid
    assert read_back(SlotKind.RESIDENT_ID, valid).endswith("，叉")


def test_read_back_phone_uses_yao() -> None:
    assert read_back(SlotKind.PHONE, "13800138000") == "幺三八，零零幺三，八零零零"


@pytest.mark.parametrize(
    ("text", "answer"),
    [("对", True), ("是的", True), ("不对", False), ("不是", False), ("嗯对", True), ("明天", None)],
)
def test_yes_no(text: str, answer: bool | None) -> None:
    assert yes_no(text) is answer


def test_capture_speech_then_confirmed() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    step = capture.on_speech("幺三八零零幺三八零零零")
    assert step.send is None and "幺三八，零零幺三，八零零零" in step.say and "对请按1" in step.say
    done = capture.on_speech("对的")
    assert (done.send, done.value, done.source) == ("13800138000", "13800138000", "speech")


def test_capture_falls_back_to_keypad_after_one_failure() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    step = capture.on_speech("幺三八零零")  # digits heard, but not a mobile number
    assert step.keypad and "按键" in step.say
    done = capture.on_keypad("13912345678")
    assert (done.send, done.source) == ("13912345678", "keypad")


def test_capture_denied_read_back_goes_to_keypad() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    capture.on_speech("幺三八零零幺三八零零零")
    step = capture.on_keypad("2")
    assert step.keypad and step.send is None


def test_capture_gives_up_after_three_failures() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    capture.on_speech("幺三八")
    capture.on_keypad("123")
    step = capture.on_keypad("456")
    assert (step.send, step.source) == ("456", "abandoned")


def test_capture_lets_the_caller_change_the_subject() -> None:
    step = NumberCapture(SlotKind.PHONE).on_speech("我要转人工")
    assert (step.send, step.source) == ("我要转人工", "abandoned")
