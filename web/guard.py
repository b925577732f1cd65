"""Limits and lock-outs of the web service, and the security headers of every response."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from sanic import Request
from sanic.response import HTTPResponse, json

from integration.client.limits import LockOut, RateLimiter
from web.messages import error_text
from web.settings import WebSettings


def client_ip(request: Request) -> str:
    """The caller's address (``remote_addr`` when Sanic is told about a proxy, else the peer)."""
    return request.remote_addr or request.ip or "?"


@dataclass
class Guards:
    """Per-address and per-conversation limits, and the lock-out of wrong tickets and tokens."""

    sessions: RateLimiter
    chats_by_ip: RateLimiter
    chats_by_conversation: RateLimiter
    uploads: RateLimiter  # evidence files per conversation
    tickets: LockOut  # wrong or expired chat tickets
    staff: LockOut  # wrong staff tokens on the console

    @classmethod
    def from_settings(cls, settings: WebSettings) -> Guards:
        return cls(
            sessions=RateLimiter(settings.sessions_per_ip),
            chats_by_ip=RateLimiter(settings.chats_per_ip),
            chats_by_conversation=RateLimiter(settings.chats_per_conversation),
            uploads=RateLimiter(settings.evidence_per_minute),
            tickets=LockOut(settings.lock_policy),
            staff=LockOut(settings.lock_policy),
        )


def too_many(seconds: float) -> HTTPResponse:
    """429 for a citizen sending too fast: the Chinese sentence says how long to wait."""
    wait = max(math.ceil(seconds), 1)
    message = error_text("rate_limited", seconds=wait)
    return json({"code": "rate_limited", "message": message}, status=429, headers={"Retry-After": str(wait)})


def locked_out(seconds: float) -> HTTPResponse:
    """429 for an address locked after too many wrong credentials."""
    wait = max(math.ceil(seconds), 1)
    message = error_text("locked_out", minutes=math.ceil(wait / 60))
    return json({"code": "locked_out", "message": message}, status=429, headers={"Retry-After": str(wait)})


def security_headers(settings: WebSettings) -> dict[str, str]:
    """Headers on every response: a strict content security policy (scripts and styles from our
    own files only; the page may connect to itself and to the push-to-talk gateway), no framing,
    no MIME sniffing, no referrer."""
    voice = urlsplit(settings.voice_stream_url)
    connect = "'self'" + (f" {voice.scheme}://{voice.netloc}" if voice.scheme and voice.netloc else "")
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
