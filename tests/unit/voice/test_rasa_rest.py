"""The Rasa REST channel adapter."""

from __future__ import annotations

import json

import httpx
import pytest

from voice.dialogue.base import BotReply, Button, DialogueUnavailable
from voice.dialogue.rasa_rest import RasaRestDialogue


def _client(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=handler)


async def test_posts_the_callers_message_and_parses_buttons() -> None:
    seen: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/webhooks/rest/webhook"
        seen.append(json.loads(request.content))
        return httpx.Response(
            200,
            json=[
                {
                    "recipient_id": "phone-CA1",
                    "text": "您同意吗？",
                    "buttons": [{"title": "同意", "payload": "/affirm"}],
                },
                {"recipient_id": "phone-CA1", "custom": {"voice": {"expect": "phone"}}},
                {"recipient_id": "phone-CA1", "image": "https://x/y.png"},
            ],
        )

    rasa = RasaRestDialogue("http://rasa:5005/", client=_client(httpx.MockTransport(handle)))
    replies = await rasa.respond("phone-CA1", "我要调解", {"channel": "phone"})
    assert seen == [{"sender": "phone-CA1", "message": "我要调解", "metadata": {"channel": "phone"}}]
    assert replies[0] == BotReply(text="您同意吗？", buttons=(Button("同意", "/affirm"),))
    assert replies[1].custom == {"voice": {"expect": "phone"}} and replies[2].text == ""
    await rasa.aclose()


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, text="boom"),
        httpx.Response(200, json={"not": "a list"}),
        httpx.Response(200, text="<html>"),
    ],
)
async def test_failures_become_dialogue_unavailable(response: httpx.Response) -> None:
    rasa = RasaRestDialogue("http://rasa:5005", client=_client(httpx.MockTransport(lambda request: response)))
    with pytest.raises(DialogueUnavailable):
        await rasa.respond("phone-CA1", "你好", {"channel": "phone"})


async def test_timeout_becomes_dialogue_unavailable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    rasa = RasaRestDialogue("http://rasa:5005", client=_client(httpx.MockTransport(slow)))
    with pytest.raises(DialogueUnavailable, match="ReadTimeout"):
        await rasa.respond("phone-CA1", "你好", {"channel": "phone"})
