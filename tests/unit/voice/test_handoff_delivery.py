"""Gateway hand-off packets → the case service's HandoffRequest."""

from __future__ import annotations

from typing import Any

import pytest

from integration.client.errors import CaseRejected, CaseSystemUnavailable, HandoffQueued
from integration.client.handoff import HandoffRequest
from tests.unit.voice.fakes import RecordingOutput, until
from voice.asr.scripted import ScriptedAsr
from voice.core.handoff import CaseServiceHandoffs, to_handoff_request
from voice.core.records import CallTranscript, MemoryRecordStore
from voice.core.session import CallSession, SessionPolicy
from voice.dialogue.scripted import ScriptedDialogue


def _packet(kind: str = "transfer") -> dict[str, Any]:
    transcript = CallTranscript(MemoryRecordStore(), "phone-CA9", "phone")
    transcript.add("caller", text="我要转人工", confidence=0.81)
    transcript.add("bot", turn=1, text="好的。")
    transcript.add("slot", slot="phone", value="13912345678", source="keypad", raw=["13912345678"])
    transcript.add("silence", count=1)
    return transcript.handoff("caller_pressed_0", "+8613800138000", callback=kind == "callback")


def test_packet_becomes_a_handoff_request() -> None:
    request = to_handoff_request(_packet())
    assert isinstance(request, HandoffRequest)
    assert (request.reason_code, request.channel, request.phone) == ("phone_transfer", "phone", "13800138000")
    assert request.reason == "来电群众按0要求转人工" and not request.callback_requested
    assert [(t["speaker"], t["text"], t["confidence"]) for t in request.transcript] == [
        ("citizen", "我要转人工", 0.81),
        ("bot", "好的。", None),
    ]
    assert request.collected == {"voice_phone": "13912345678"}
    callback = to_handoff_request(_packet("callback"))
    assert callback.reason_code == "callback" and callback.callback_requested


class FakeCases:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.requests: list[tuple[HandoffRequest, str]] = []

    async def request_handoff(self, request: HandoffRequest, idempotency_key: str) -> int:
        self.requests.append((request, idempotency_key))
        if self.error is not None:
            raise self.error
        return 7

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize(
    "error", [None, HandoffQueued("r-1"), CaseSystemUnavailable("down"), CaseRejected("bad", "不对")]
)
async def test_delivery_never_raises(error: Exception | None) -> None:
    cases = FakeCases(error)
    await CaseServiceHandoffs(cases).deliver(_packet())
    assert cases.requests[0][1] == "voice-phone-CA9-caller_pressed_0"


async def test_session_delivers_its_own_handoffs_but_not_the_bots() -> None:
    delivered: list[dict[str, Any]] = []

    class Sink:
        async def deliver(self, packet: dict[str, Any]) -> None:
            delivered.append(packet)

    session = CallSession(
        conversation_id="phone-CA9",
        caller="+8613800138000",
        channel="phone",
        asr=ScriptedAsr([]).start_call(),
        dialogue=ScriptedDialogue([]),
        output=RecordingOutput(),
        transcript=CallTranscript(MemoryRecordStore(), "phone-CA9", "phone"),
        policy=SessionPolicy(staff_number="+862000000000"),
        handoffs=Sink(),
    )
    session.start(greeting_playing=True)
    await session.on_keypad("0")
    await until(lambda: bool(delivered))
    await session.end("hung_up")
    assert delivered[0]["reason"] == "caller_pressed_0" and delivered[0]["type"] == "transfer"
