"""The digit-capture state machine: read-back, groups of 3-4-4, corrections, channel fallbacks,
and the never-trap limit."""

from __future__ import annotations

import pytest

from voice.core.capture import MAX_FALLBACK_MISSES, MAX_MISSES, NumberCapture
from voice.core.numbers import SlotKind


def test_whole_number_read_back_in_groups_and_confirmed_by_voice() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    step = capture.on_speech("幺三八零零幺三八零零零")
    assert step.send is None and step.confirm
    assert "幺三八，零零幺三，八零零零" in step.say and "按1" in step.say and "按2" in step.say
    done = capture.on_speech("對")  # traditional characters from a recogniser
    assert (done.send, done.value, done.source) == ("13800138000", "13800138000", "speech")


def test_keypad_one_confirms_and_two_denies() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    capture.on_speech("幺三八零零幺三八零零零")
    assert capture.on_keypad("1").value == "13800138000"
    capture = NumberCapture(SlotKind.PHONE)
    capture.on_speech("幺三八零零幺三八零零零")
    step = capture.on_keypad("2")
    assert step.send is None and "前三位" in step.say


def test_unintelligible_answer_is_not_a_yes_and_the_read_back_is_repeated() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    capture.on_speech("幺三八零零幺三八零零零")
    step = capture.on_speech("部队呀")
    assert step.send is None and step.confirm and "幺三八，零零幺三，八零零零" in step.say
    assert capture.on_speech("是的，没错").value == "13800138000"


def test_merged_repeated_digits_switch_to_groups_read_back_one_by_one() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    step = capture.on_speech("幺三九幺二三三四四")  # 13911223344 heard with the repeats merged
    assert step.send is None and "前三位" in step.say
    assert "幺三九，对吗" in capture.on_speech("幺三九").say
    assert "中间四位" in capture.on_speech("对").say
    step = capture.on_speech("幺二")  # merged again
    assert "是2位" in step.say and "中间四位" in step.say
    assert "幺幺二二，对吗" in capture.on_speech("幺，幺，二，二").say
    assert "最后四位" in capture.on_speech("对的").say
    capture.on_speech("三三四四")
    done = capture.on_speech("没错")
    assert (done.value, done.source) == ("13911223344", "speech")


def test_a_group_is_corrected_without_repeating_the_rest() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    capture.on_speech("幺三九幺二二三三四四幺")  # read back 139 1223 3441
    step = capture.on_speech("不对，中间四位是幺幺二二")
    assert step.confirm and "幺三九，幺幺二二，三四四幺" in step.say
    assert capture.on_speech("对").value == "13911223441"


@pytest.mark.parametrize(
    ("channel", "expect"),
    [("phone", "电话按键"), ("robot", "屏幕上的数字键盘"), ("web", "输入框")],
)
def test_the_way_out_depends_on_the_channel(channel: str, expect: str) -> None:
    capture = NumberCapture(SlotKind.PHONE, channel)
    steps = [capture.on_speech("幺三") for _ in range(MAX_MISSES)]
    assert expect in steps[-1].say
    assert all(expect not in s.say for s in steps[:-1])
    if channel == "web":
        assert steps[-1].release and steps[-1].send is None  # the page's typed answer goes to the bot
    else:
        assert steps[-1].keypad
        assert capture.on_keypad("13912345678").value == "13912345678"


def test_kiosk_front_desk_is_offered_with_the_on_screen_keypad() -> None:
    capture = NumberCapture(SlotKind.PHONE, "robot")
    for _ in range(MAX_MISSES):
        step = capture.on_speech("幺三")
    assert "服务台" in step.say and "电话按键" not in step.say


def test_never_trapped_after_the_fallback_fails_too() -> None:
    capture = NumberCapture(SlotKind.PHONE, "phone")
    for _ in range(MAX_MISSES):
        capture.on_speech("幺三")
    steps = [capture.on_keypad("123") for _ in range(MAX_FALLBACK_MISSES)]
    assert steps[-1].handoff and not any(s.handoff for s in steps[:-1])
    assert capture.exhausted


def test_misses_carry_over_into_the_next_capture_of_the_same_number() -> None:
    again = NumberCapture(SlotKind.PHONE, "robot", prior_misses=MAX_MISSES)
    assert again.keypad and "屏幕" in again.opening_hint()
    assert NumberCapture(SlotKind.PHONE, "phone", prior_misses=MAX_MISSES + MAX_FALLBACK_MISSES).exhausted


def test_the_caller_changing_the_subject_reaches_the_bot() -> None:
    capture = NumberCapture(SlotKind.PHONE)
    step = capture.on_speech("我要转人工")
    assert (step.send, step.source) == ("我要转人工", "abandoned") and capture.misses == 1


def test_amounts_and_ids_are_read_back_whole() -> None:
    capture = NumberCapture(SlotKind.AMOUNT)
    assert "23000元" in capture.on_speech("两万三千块").say
    assert capture.on_speech("对").send == "23000元"
