"""Delivering the gateway's own hand-off packets to the case service, where staff see them.

Hand-offs the bot decided (its reply said so) were already sent by the bot's action; this covers
the ones only the gateway knows about: key 0, silence, the bot or the recogniser failing, a lost
media stream, no model. The packet is always on disk first (``records.py``); delivery failures are
logged, never raised, and a queued delivery (case service down) is drained later by the action
server's outbox drainer.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from textnorm.phone import normalize_mobile

log = logging.getLogger(__name__)

REASONS = {
    "caller_pressed_0": "来电群众按0要求转人工",
    "bot_unavailable": "对话系统暂时不可用",
    "asr_failure": "语音识别出错",
    "asr_unavailable": "语音识别不可用",
    "line_busy": "语音线路繁忙（并发已满）",
    "stream_lost": "通话音频中断",
    "protocol_errors": "通话音频数据异常",
    "internal_error": "语音网关内部错误",
}
_SPEAKERS = {"caller": "citizen", "bot": "bot"}


class HandoffSink(Protocol):
    async def deliver(self, packet: dict[str, Any]) -> None:
        """Make the packet visible to staff; never raises."""
        ...


class NoHandoffSink:
    async def deliver(self, packet: dict[str, Any]) -> None:
        return None


class CaseServiceHandoffs:
    """Adapter over ``integration.client`` (``CaseSystem.request_handoff``)."""

    def __init__(self, case_system: Any) -> None:
        self._cases = case_system

    async def deliver(self, packet: dict[str, Any]) -> None:
        from integration.client.errors import CaseSystemError, HandoffQueued

        request = to_handoff_request(packet)
        key = f"voice-{packet['conversation_id']}-{packet['reason']}"
        try:
            handoff_id = await self._cases.request_handoff(request, idempotency_key=key)
        except HandoffQueued as exc:
            log.warning("hand-off of %s queued in the outbox (%s)", packet["conversation_id"], exc.receipt_id)
        except CaseSystemError as exc:
            log.error("hand-off of %s not delivered: %s", packet["conversation_id"], type(exc).__name__)
        else:
            log.info("hand-off %s delivered for %s", handoff_id, packet["conversation_id"])

    async def aclose(self) -> None:
        await self._cases.aclose()


def to_handoff_request(packet: dict[str, Any]) -> Any:
    """The gateway's packet (``CallTranscript.handoff``) as the case service's HandoffRequest."""
    from integration.client.handoff import HandoffRequest

    callback = packet["type"] == "callback"
    turns = [
        {
            "speaker": _SPEAKERS[entry["kind"]],
            "text": entry.get("text", ""),
            "at": entry.get("at"),
            "confidence": entry.get("confidence"),
        }
        for entry in packet.get("transcript", [])
        if entry.get("kind") in _SPEAKERS and entry.get("text")
    ]
    collected = {
        f"voice_{e['slot']}": str(e["value"]) for e in packet.get("transcript", []) if e.get("kind") == "slot"
    }
    return HandoffRequest(
        conversation_id=packet["conversation_id"],
        reason=REASONS.get(packet["reason"], packet["reason"]),
        summary="电话来电，请回电" if callback else "电话转接人工",
        phone=normalize_mobile(packet.get("caller") or ""),
        reason_code="callback" if callback else "phone_transfer",
        channel=packet.get("channel", "phone"),
        collected={k: v for k, v in collected.items() if v != "None"},
        transcript=turns,
        callback_requested=callback,
    )
