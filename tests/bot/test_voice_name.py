"""A name that came by voice is registered as heard and marked unconfirmed, unless spelt."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot.actions.intake import NAME_UNCONFIRMED_NOTE, build_intake, name_unconfirmed

SLOTS = {"category": "labour", "description": "包工头拖欠我八个月的工资", "applicant_phone": "13911223344"}


def tracker(name: str, metadata: dict[str, Any]) -> Tracker:
    events = [
        {"event": "user", "text": "欠我工资", "metadata": {"channel": "phone", "input": "voice"}},
        {"event": "user", "text": name, "metadata": metadata},
        {"event": "slot", "name": "applicant_name", "value": name},
        {"event": "user", "text": "幺三九", "metadata": {"channel": "phone", "input": "voice"}},
    ]
    slots = {**SLOTS, "applicant_name": name}
    latest = {"text": "幺三九", "metadata": {}}
    return Tracker("phone-CA1", slots, latest, events, False, None, {}, "action_listen")


def test_a_spelt_name_is_confirmed() -> None:
    meta = {"channel": "phone", "input": "voice",
            "voice_name": {"heard": "周健华", "name": "周建华", "confirmed": True}}
    t = tracker("周建华", meta)
    assert not name_unconfirmed(t)
    assert build_intake(t).description == SLOTS["description"]


def test_a_name_only_heard_is_marked_for_staff() -> None:
    meta = {"channel": "phone", "input": "voice", "voice_name": {"heard": "刘春美", "confirmed": False}}
    t = tracker("刘春美", meta)
    intake = build_intake(t)
    assert name_unconfirmed(t) and intake.applicant_name == "刘春美"
    assert intake.description == SLOTS["description"] + NAME_UNCONFIRMED_NOTE


def test_a_spoken_name_without_spelling_is_unconfirmed_and_a_typed_one_is_not() -> None:
    assert name_unconfirmed(tracker("王大位", {"channel": "robot", "input": "voice"}))
    assert not name_unconfirmed(tracker("王大伟", {"channel": "web"}))


def test_the_guarded_channel_keeps_the_gateways_voice_metadata_and_nothing_else() -> None:
    from bot.channels.access import ChannelSettings, Client, accept

    settings = ChannelSettings(gateway_token="gateway-token-0123456789")
    spelt = {"heard": "周健华", "name": "周建华", "confirmed": True, "extra": "x" * 10}
    body = {"sender": "phone-CA" + "a" * 32, "message": "周建华",
            "metadata": {"channel": "phone", "input": "voice", "voice_name": spelt}}
    kept = accept(settings, Client("gateway", "gateway"), body).metadata
    assert kept == {"channel": "phone", "input": "voice",
                    "voice_name": {"heard": "周健华", "name": "周建华", "confirmed": True}}
    bad = {**body, "metadata": {"channel": "phone", "voice_name": {"confirmed": "yes", "name": "x"}}}
    assert accept(settings, Client("gateway", "gateway"), bad).metadata == {"channel": "phone"}
