"""Tickets and the Rasa adapter under hostile input (issue 12)."""

from __future__ import annotations

import json

import httpx
import pytest

from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.tickets import TicketInvalid, issue_ticket, verify_ticket

SECRET = "unit-secret-0123456789"


@pytest.mark.parametrize("expiry", ["³", "٣", "²⁰³⁰", "1" * 40, "-1", "+1", " 1", "1_000", ""])
def test_an_odd_expiry_is_an_invalid_ticket_not_a_crash(expiry: str) -> None:
    with pytest.raises(TicketInvalid):
        verify_ticket(SECRET, f"v1.web-0123456789abcdef.{expiry}.{'0' * 32}", now=0)


def test_a_good_ticket_still_verifies() -> None:
    ticket = issue_ticket(SECRET, "web-0123456789abcdef", now=100, ttl_s=60)
    assert verify_ticket(SECRET, ticket, now=120) == "web-0123456789abcdef"


async def test_the_gateway_sends_its_token_and_never_more_than_the_cap() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    rasa = RasaRestDialogue(
        "http://rasa:5005",
        client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
        token="channel-token-0123456789",
        max_chars=10,
    )
    await rasa.respond("phone-CA1", "我\ud800要调解" + "啊" * 50, {"channel": "phone"})
    body = json.loads(seen[0].content)
    assert seen[0].headers["Authorization"] == "Bearer channel-token-0123456789"
    assert body["message"] == "我要调解啊啊啊啊啊啊" and len(body["message"]) == 10
