"""Limits and lock-outs of the voice gateway's public endpoints (webhooks and both streams)."""

from __future__ import annotations

from dataclasses import dataclass

from sanic import Request

from integration.client.limits import LockOut, RateLimiter
from voice.settings import VoiceSettings

BUSY = "您操作得太频繁了，请稍后再试。"
LOCKED = "尝试次数过多，请稍后再试。"


def client_ip(request: Request) -> str:
    """The caller's address (``remote_addr`` when Sanic is told about a proxy, else the peer)."""
    return request.remote_addr or request.ip or "?"


@dataclass
class VoiceGuards:
    webhooks: RateLimiter  # Twilio webhooks per address
    streams: RateLimiter  # WebSocket openings per address (Media Streams and kiosk streams)
    conversations: RateLimiter  # kiosk / push-to-talk openings per conversation
    signatures: LockOut  # Twilio webhooks with a wrong signature
    credentials: LockOut  # wrong tickets, device tokens and stream tokens

    @classmethod
    def from_settings(cls, settings: VoiceSettings) -> VoiceGuards:
        return cls(
            webhooks=RateLimiter(settings.webhooks_per_ip),
            streams=RateLimiter(settings.streams_per_ip),
            conversations=RateLimiter(settings.streams_per_conversation),
            signatures=LockOut(settings.lock_policy),
            credentials=LockOut(settings.lock_policy),
        )
