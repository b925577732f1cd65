"""Numbers by phone: slot detection, normalisation, read-back and the capture state machine."""

from __future__ import annotations

import pytest

from voice.core.numbers import (
    SlotKind,
    digits_heard,
    expected_slot,
    normalize_keypad,
    normalize_slot,
    read_back,
    yes_no,
)
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


YES = ["对", "對", "对呀", "对的", "是的", "是的，没错", "没错", "没錯", "对，没问题", "嗯对", "正确", "好的",
       "可以", "不错", "是", "对啊！", "确认"]
NO = ["不对", "不對", "不对呀", "错了", "錯了", "不是", "不是的", "不正确", "说错了", "不对，不对", "不",
      "重新说"]
# Unintelligible or off-topic at a read-back: "not confirmed" (asked again), never a yes.
NEITHER = ["明天", "部队呀", "对不对", "是不是", "", "啊", "普通话", "我想问一下"]


@pytest.mark.parametrize("text", YES)
def test_many_ways_of_saying_yes(text: str) -> None:
    assert yes_no(text) is True


@pytest.mark.parametrize("text", NO)
def test_many_ways_of_saying_no(text: str) -> None:
    assert yes_no(text) is False


@pytest.mark.parametrize("text", NEITHER)
def test_unclear_answers_are_not_a_yes(text: str) -> None:
    assert yes_no(text) is None


@pytest.mark.parametrize(
    ("text", "digits"),
    [("幺幺二二", "1122"), ("幺，幺，二，二。", "1122"), ("139 1122", "1391122"), ("零零一三", "0013"),
     ("腰腰二二", "1122"), ("有三八", "138"), ("我是在城南", None), ("年龄有神", None), ("三张丝丝", None)],
)
def test_digits_heard_with_homophones_only_when_mostly_digits(text: str, digits: str | None) -> None:
    assert digits_heard(text) == digits
