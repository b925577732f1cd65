"""Signed conversation tickets shared by the web service and the voice gateway."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from voice.settings import SettingsError, parse_device_tokens
from voice.tickets import TicketInvalid, issue_ticket, new_conversation_id, verify_ticket

SECRET = "unit-secret"
NOW = 1_800_000_000.0


def test_a_ticket_names_its_conversation_until_it_expires() -> None:
    conversation = new_conversation_id()
    ticket = issue_ticket(SECRET, conversation, now=NOW, ttl_s=600)
    assert verify_ticket(SECRET, ticket, now=NOW + 599) == conversation
    with pytest.raises(TicketInvalid, match="expired"):
        verify_ticket(SECRET, ticket, now=NOW + 601)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("web-", "web-0", 1),  # another conversation
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # signature
        lambda t: t.rsplit(".", 2)[0] + ".9999999999." + t.rsplit(".", 1)[1],  # longer life
        lambda t: "v2" + t[2:],
        lambda t: t + ".x",
        lambda t: "",
    ],
)
def test_tampered_tickets_are_refused(tamper: Callable[[str], str]) -> None:
    ticket = issue_ticket(SECRET, new_conversation_id(), now=NOW, ttl_s=600)
    with pytest.raises(TicketInvalid):
        verify_ticket(SECRET, tamper(ticket), now=NOW)


def test_a_ticket_from_another_secret_is_refused() -> None:
    ticket = issue_ticket("other", new_conversation_id(), now=NOW, ttl_s=600)
    with pytest.raises(TicketInvalid, match="signature"):
        verify_ticket(SECRET, ticket, now=NOW)


def test_issuing_needs_a_secret_and_a_well_formed_id() -> None:
    with pytest.raises(ValueError):
        issue_ticket("", new_conversation_id(), now=NOW, ttl_s=1)
    with pytest.raises(ValueError):
        issue_ticket(SECRET, "web-../../etc", now=NOW, ttl_s=1)


def test_device_tokens_are_name_token_pairs() -> None:
    assert parse_device_tokens("lobby:0123456789abcdef0, hall : fedcba9876543210f") == {
        "0123456789abcdef0": "lobby",
        "fedcba9876543210f": "hall",
    }
    assert parse_device_tokens("") == {}
    for bad in ("lobby", "lobby:short", ":0123456789abcdef0"):
        with pytest.raises(SettingsError, match="ROBOT_DEVICE_TOKENS"):
            parse_device_tokens(bad)
