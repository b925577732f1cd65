"""Bot text as spoken Mandarin: no emoji or markup, options as numbers, fillers ignored."""

from __future__ import annotations

import pytest

from voice.core.replies import compose
from voice.core.speech_text import clean_for_speech, meaningful, read_digits, speak_options, spoken_choice
from voice.dialogue.base import BotReply, Button


def test_emoji_and_markdown_are_not_read() -> None:
    text = "**好的** 😊 已为您登记 ✅\n- 类别：劳动争议\n- 详情见 [网页](https://example.cn/a)"
    assert clean_for_speech(text) == "好的 已为您登记。类别：劳动争议。详情见 网页。"


def test_multiline_summary_becomes_sentences() -> None:
    text = "请核对登记信息：\n类别：物业\n手机：13800138000\n以上信息是否正确？"
    spoken = clean_for_speech(text)
    assert spoken == "请核对登记信息：类别：物业。手机：幺三八，零零幺三，八零零零。以上信息是否正确？"


def test_brackets_and_slashes() -> None:
    assert clean_for_speech("劳动争议/欠薪（可选：身份证号）") == "劳动争议、欠薪，可选：身份证号。"


def test_read_digits() -> None:
    assert read_digits("13800138000") == "幺三八，零零幺三，八零零零"
    assert read_digits("12348", (2,)) == "幺二，三四八"


def test_buttons_spoken_as_numbered_options() -> None:
    buttons = [Button("同意", "/affirm"), Button("不同意", "/deny")]
    assert speak_options(buttons) == "同意请说1或按1；不同意请说2或按2。"


def test_more_than_nine_options() -> None:
    buttons = [Button(f"类{i}", f"/c{i}") for i in range(10)]
    spoken = speak_options(buttons)
    assert "请说9或按9" in spoken and "请说10" not in spoken and spoken.endswith("其他情况请直接说出来。")


@pytest.mark.parametrize(
    ("text", "left"), [("嗯", ""), ("啊，嗯嗯", ""), ("那个…", ""), ("嗯我要调解", "我要调解")]
)
def test_fillers_are_not_meaningful(text: str, left: str) -> None:
    assert meaningful(text) == left


@pytest.mark.parametrize(
    ("text", "choice"),
    [("1", 1), ("一", 1), ("选二", 2), ("第三个", 3), ("幺", 1), ("两", 2), ("五", None), ("一万", None)],
)
def test_spoken_choice(text: str, choice: int | None) -> None:
    assert spoken_choice(text, 3) == choice


def test_compose_joins_texts_and_keeps_last_question() -> None:
    replies = [
        BotReply(text="好的。"),
        BotReply(
            text="请问您的纠纷属于哪一类？",
            buttons=(Button("物业", "/dispute_property"), Button("消费", "/x")),
        ),
    ]
    spoken = compose(replies)
    assert spoken.text == "好的。请问您的纠纷属于哪一类？物业请说1或按1；消费请说2或按2。"
    assert spoken.question.startswith("请问您的纠纷属于哪一类？")
    assert [b.payload for b in spoken.options] == ["/dispute_property", "/x"]
    assert not spoken.transfer


def test_compose_detects_handoff() -> None:
    assert compose([BotReply(text="已为您转接人工服务，工作人员会看到您刚才提供的全部信息。")]).transfer
    assert compose([BotReply(text="好的", custom={"voice": {"action": "transfer"}})]).transfer


def test_read_backs_sound_natural() -> None:
    # Brackets next to other pauses leave one pause, an empty value is "无", a case number is spelt out.
    place = "请说一下乡镇（街道）、村（社区）或小区的名称。"
    assert clean_for_speech(place) == "请说一下乡镇，街道，村，社区，或小区的名称。"
    assert clean_for_speech("核实身份（可选）；不想提供请说“跳过”。") == "核实身份，可选；不想提供请说跳过。"
    assert clean_for_speech("涉及金额（元）：23000\n身份证号：—\n") == "涉及金额，元：23000。身份证号：无。"
    assert clean_for_speech("案件编号是 JF-2026-000001。") == "案件编号是 J F，二零二六，零零零，零零幺。"
