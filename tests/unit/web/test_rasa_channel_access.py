"""Who may send what through Rasa's guarded REST channel (bot/channels/access.py, no Rasa needed)."""

from __future__ import annotations

import pytest

from bot.channels.access import ChannelSettings, Client, Refused, accept, bearer, identify
from integration.envparse import SettingsError

GATEWAY_TOKEN = "gateway-token-0123456789"
PARTNER_TOKEN = "partner-token-0123456789"
SETTINGS = ChannelSettings(gateway_token=GATEWAY_TOKEN, integrator_tokens={PARTNER_TOKEN: "partner"})
GATEWAY, PARTNER, ANONYMOUS = (
    Client("gateway", "gateway"),
    Client("integrator", "partner"),
    Client("anonymous", "anonymous"),
)


def _refused(client: Client, body: object, settings: ChannelSettings = SETTINGS) -> Refused:
    with pytest.raises(Refused) as info:
        accept(settings, client, body)
    return info.value


def test_tokens_identify_the_gateway_and_each_integrator() -> None:
    assert identify(SETTINGS, GATEWAY_TOKEN) == GATEWAY
    assert identify(SETTINGS, PARTNER_TOKEN) == PARTNER
    assert identify(SETTINGS, "guess-0123456789") is None
    assert identify(SETTINGS, "") is None  # no token: refused ...
    assert identify(ChannelSettings(allow_anonymous=True), "") == ANONYMOUS  # ... unless development
    assert bearer("Bearer  abc ") == "abc" and bearer("Basic abc") == "" and bearer(None) == ""


def test_only_the_gateway_writes_into_citizens_conversations() -> None:
    body = {"sender": "web-0123456789abcdef01234567", "message": "你好", "metadata": {"channel": "web"}}
    assert accept(SETTINGS, GATEWAY, body).sender == body["sender"]
    assert _refused(ANONYMOUS, body).status == 403
    assert _refused(GATEWAY, {**body, "sender": "someone-else"}).status == 403
    partner = accept(SETTINGS, PARTNER, body)  # an integrator's ids live in its own namespace
    assert partner.sender == "ext-partner-web-0123456789abcdef01234567" and partner.metadata is None


def test_metadata_is_the_gateways_only_and_its_channel_is_one_we_know() -> None:
    body = {"sender": "phone-CA" + "a" * 32, "message": "我要调解"}
    kept = accept(
        SETTINGS, GATEWAY, {**body, "metadata": {"channel": "phone", "voice_slot": "phone", "x": "y"}}
    )
    assert kept.metadata == {"channel": "phone", "voice_slot": "phone"}
    assert _refused(GATEWAY, {**body, "metadata": {"channel": "bank"}}).code == "bad_request"
    assert (
        accept(
            SETTINGS, ANONYMOUS, {"sender": "e2e-1", "message": "x", "metadata": {"channel": "phone"}}
        ).metadata
        is None
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ([], 400, "bad_request"),
        ({"sender": 1, "message": "你好"}, 400, "bad_request"),
        ({"sender": "e2e-1", "message": None}, 400, "bad_request"),
        ({"sender": "e2e-1", "message": "字" * 2001}, 413, "too_long"),
        ({"sender": "e2e 1", "message": "你好"}, 400, "bad_request"),
    ],
)
def test_malformed_bodies_are_refused_with_a_chinese_message(body: object, status: int, code: str) -> None:
    refusal = _refused(ANONYMOUS, body)
    assert (refusal.status, refusal.code) == (status, code)
    assert refusal.message and not refusal.message.isascii()


def test_unstorable_characters_are_dropped() -> None:
    assert accept(SETTINGS, ANONYMOUS, {"sender": "e2e-1", "message": "a\ud800\x00b"}).text == "ab"


def test_settings_come_from_the_environment() -> None:
    env = {
        "RASA_CHANNEL_TOKEN": GATEWAY_TOKEN,
        "RASA_INTEGRATOR_TOKENS": f"partner:{PARTNER_TOKEN}",
        "RASA_MAX_MESSAGE_CHARS": "500",
        "AUTH_MAX_FAILURES": "3",
    }
    settings = ChannelSettings.from_env(env)
    assert settings.integrator_tokens == {PARTNER_TOKEN: "partner"} and settings.max_message_chars == 500
    assert settings.lock_policy.max_failures == 3 and not settings.allow_anonymous
    with pytest.raises(SettingsError, match="RASA_INTEGRATOR_TOKENS"):
        ChannelSettings.from_env({"RASA_INTEGRATOR_TOKENS": "Bad Name:" + PARTNER_TOKEN})
    with pytest.raises(SettingsError, match="RASA_INTEGRATOR_TOKENS"):
        ChannelSettings.from_env({"RASA_INTEGRATOR_TOKENS": "partner:short"})
