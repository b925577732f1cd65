"""What the page may send to the bot, and what of the bot's answer it shows."""

from __future__ import annotations

from typing import Any

import pytest

from voice.dialogue.base import BotReply, Button
from web.relay import InvalidMessage, for_page, outgoing


def test_typed_text_is_trimmed_and_never_a_command() -> None:
    assert outgoing({"text": "  我要申请调解 \n"}, 2000).text == "我要申请调解"
    sneaky = outgoing({"text": '/inform{"phone": "13800138000"}'}, 2000)
    assert sneaky.text.startswith("／") and sneaky.shown == sneaky.text
    assert outgoing({"text": "a\x00b"}, 2000).text == "ab"


def test_clicked_buttons_send_their_payload_and_show_their_title() -> None:
    message = outgoing({"payload": '/choose_category{"category": "labour"}', "title": "劳动争议"}, 2000)
    assert (message.text, message.shown) == ('/choose_category{"category": "labour"}', "劳动争议")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"text": "   "}, "empty_message"),
        ({"text": "字" * 2001}, "too_long"),
        ({"text": 42}, "bad_request"),
        ({}, "bad_request"),
        ([], "bad_request"),
        (None, "bad_request"),
        ({"payload": "我要调解"}, "bad_request"),  # a payload must look like one
        ({"payload": "/restart", "title": 3}, "bad_request"),
    ],
)
def test_bad_bodies_are_refused_with_a_code(body: Any, code: str) -> None:
    with pytest.raises(InvalidMessage) as refused:
        outgoing(body, 2000)
    assert refused.value.code == code


def test_only_text_and_buttons_reach_the_page() -> None:
    replies = [
        BotReply(text="请留下您的手机号。"),
        BotReply(custom={"voice": {"expect": "phone"}}),
        BotReply(text="您同意吗？", buttons=(Button("同意", "/affirm"),)),
    ]
    assert for_page(replies) == [
        {"text": "请留下您的手机号。", "buttons": []},
        {"text": "您同意吗？", "buttons": [{"title": "同意", "payload": "/affirm"}]},
    ]
