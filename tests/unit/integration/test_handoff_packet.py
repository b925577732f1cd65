"""The hand-off packet: client type round-trip and caps, service-side validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from integration.client import HandoffRequest
from integration.handoff_vocab import MAX_TURN_CHARS, MAX_TURNS
from integration.service.domain.errors import ValidationFailed
from integration.service.domain.handoff import parse_new_handoff

TURNS: list[dict[str, Any]] = [
    {"speaker": "citizen", "text": "我老公又在打我", "at": "2026-03-02T02:00:00+00:00",
     "confidence": 0.82},
    {"speaker": "bot", "text": "请您先确保安全", "at": None, "confidence": None},
]
PACKET = HandoffRequest(
    "conv-9", "安全风险", summary="家暴", phone="13800138000", case_no="JF-2026-000001",
    reason_code="safety", urgent=True, category="family", channel="phone",
    collected={"applicant_name": "王芳", "applicant_phone": "13800138000",
               "amount_yuan": "3000"},
    transcript=TURNS, callback_requested=True)


def test_packet_round_trips_through_json() -> None:
    wire = json.loads(json.dumps(PACKET.to_json(), ensure_ascii=False))
    assert HandoffRequest.from_json(wire) == PACKET
    assert list(wire) == ["conversation_id", "reason", "summary", "phone", "case_no",
                          "reason_code", "urgent", "category", "channel", "collected",
                          "transcript", "callback_requested"]


def test_old_callers_and_old_payloads_still_work() -> None:
    old = HandoffRequest("conv-1", "用户要求人工", "摘要", "13800138000", "JF-2026-000001")
    assert (old.reason_code, old.urgent, old.channel, old.collected, old.transcript,
            old.callback_requested, old.category) == ("requested", False, "web", {}, [], False,
                                                      None)
    legacy = {"conversation_id": "conv-1", "reason": "用户要求人工", "summary": None,
              "phone": None, "case_no": None}
    assert HandoffRequest.from_json(legacy) == HandoffRequest("conv-1", "用户要求人工")


def test_client_keeps_the_last_turns_and_cuts_long_ones() -> None:
    turns: list[dict[str, Any]] = [
        {"speaker": "citizen", "text": f"第{i}句", "at": None, "confidence": None}
        for i in range(MAX_TURNS + 50)]
    turns[-1]["text"] = "长" * (MAX_TURN_CHARS + 10)
    request = HandoffRequest("c", "r", transcript=turns)
    assert len(request.transcript) == MAX_TURNS and request.transcript[0]["text"] == "第50句"
    assert len(request.transcript[-1]["text"]) == MAX_TURN_CHARS
    assert len(turns[-1]["text"]) == MAX_TURN_CHARS + 10  # the caller's list is not modified


def test_server_accepts_the_client_packet() -> None:
    new = parse_new_handoff(PACKET.to_json())
    assert (new.reason_code, new.urgent, new.category, new.channel) == (
        "safety", True, "family", "phone")
    assert new.collected == PACKET.collected and new.transcript == TURNS
    assert new.callback_requested and new.phone == "13800138000"


def test_server_defaults_safety_urgency_and_caps() -> None:
    minimal = parse_new_handoff({"conversation_id": "c", "reason": "r"})
    assert (minimal.reason_code, minimal.urgent, minimal.channel, minimal.transcript,
            minimal.collected) == ("requested", False, "web", [], {})
    assert parse_new_handoff({"conversation_id": "c", "reason": "r",
                              "reason_code": "safety"}).urgent
    turns = [{"speaker": "bot", "text": "好" * (MAX_TURN_CHARS + 1), "extra": 1}
             for _ in range(MAX_TURNS + 1)]
    new = parse_new_handoff({"conversation_id": "c", "reason": "r", "transcript": turns})
    assert len(new.transcript) == MAX_TURNS
    assert new.transcript[0] == {"speaker": "bot", "text": "好" * MAX_TURN_CHARS, "at": None,
                                 "confidence": None}


def _body(**overrides: Any) -> dict[str, Any]:
    return {**PACKET.to_json(), **overrides}


@pytest.mark.parametrize(("body", "code", "field"), [
    (_body(reason_code="angry"), "unknown_reason_code", "reason_code"),
    (_body(reason_code=""), "unknown_reason_code", "reason_code"),
    (_body(category="aliens"), "unknown_category", "category"),
    (_body(channel="fax"), "unknown_channel", "channel"),
    (_body(urgent="yes"), "invalid_type", "urgent"),
    (_body(callback_requested=1), "invalid_type", "callback_requested"),
    (_body(collected=["王芳"]), "invalid_collected", "collected"),
    (_body(collected={f"s{i}": "x" for i in range(41)}), "too_many_slots", "collected"),
    (_body(collected={"applicant_name": 7}), "invalid_type", "collected.applicant_name"),
    (_body(collected={"description": "长" * 4001}), "too_long", "collected.description"),
    (_body(transcript="我要人工"), "invalid_transcript", "transcript"),
    (_body(transcript=["我要人工"]), "invalid_transcript", "transcript[0]"),
    (_body(transcript=[{"speaker": "alien", "text": "x"}]), "invalid_transcript",
     "transcript[0].speaker"),
    (_body(transcript=[{"speaker": "bot"}]), "invalid_transcript", "transcript[0].text"),
    (_body(transcript=[{"speaker": "bot", "text": "x", "at": "昨天"}]), "invalid_transcript",
     "transcript[0].at"),
    (_body(transcript=[{"speaker": "bot", "text": "x", "at": 1764150000}]),
     "invalid_transcript", "transcript[0].at"),
    (_body(transcript=[{"speaker": "bot", "text": "x", "confidence": 1.5}]),
     "invalid_transcript", "transcript[0].confidence"),
    (_body(transcript=[{"speaker": "bot", "text": "x", "confidence": True}]),
     "invalid_transcript", "transcript[0].confidence"),
    (_body(phone="12345"), "invalid_phone", "phone"),
    (_body(conversation_id=None), "missing_field", "conversation_id"),
])
def test_server_rejects_malformed_packets(body: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_new_handoff(body)
    assert (err.value.code, err.value.field) == (code, field)
    assert err.value.message and not err.value.message.isascii()  # Chinese for the caller
    assert "13800138000" not in err.value.message and "王芳" not in err.value.message


def test_safety_is_always_urgent_on_the_client_too() -> None:
    assert HandoffRequest("c", "r", reason_code="safety").urgent
    assert not HandoffRequest("c", "r", reason_code="callback").urgent
