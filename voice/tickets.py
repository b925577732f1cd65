"""Signed conversation tickets: the web page's proof that it owns a conversation id.

The web service issues ``v1.<conversation>.<expiry>.<hmac>`` when a chat page opens; the page sends
it with every typed message and when it opens ``/robot/stream`` for push-to-talk, so typed and
spoken turns land in the same Rasa conversation and nobody can write into somebody else's.
Both services share ``CHAT_SESSION_SECRET``; kiosks use a device token instead (see settings).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_VERSION = "v1"
_CONVERSATION_RE = re.compile(r"^[a-z]+-[0-9a-f]{8,32}$")
_EXPIRY_RE = re.compile(r"^[0-9]{1,12}$")  # ASCII digits only: "³".isdigit() is True


class TicketInvalid(ValueError):
    """Malformed, forged or expired ticket; the message says which (never the secret)."""


def new_conversation_id(prefix: str = "web") -> str:
    """A random conversation id such as ``web-3f9a…`` (the prefix names the channel)."""
    return f"{prefix}-{secrets.token_hex(12)}"


def _sign(secret: str, conversation_id: str, expires_at: int) -> str:
    message = f"{_VERSION}.{conversation_id}.{expires_at}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def issue_ticket(secret: str, conversation_id: str, *, now: float, ttl_s: int) -> str:
    """A ticket for ``conversation_id`` valid until ``now + ttl_s`` (Unix seconds)."""
    if not secret:
        raise ValueError("a ticket secret is required")
    if not _CONVERSATION_RE.match(conversation_id):
        raise ValueError(f"not a conversation id: {conversation_id!r}")
    expires_at = int(now) + ttl_s
    return f"{_VERSION}.{conversation_id}.{expires_at}.{_sign(secret, conversation_id, expires_at)}"


def verify_ticket(secret: str, ticket: str, *, now: float) -> str:
    """The conversation id the ticket was issued for; ``TicketInvalid`` otherwise."""
    parts = ticket.split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not _EXPIRY_RE.match(parts[2]):
        raise TicketInvalid("malformed ticket")
    _, conversation_id, expiry, signature = parts
    if not _CONVERSATION_RE.match(conversation_id):
        raise TicketInvalid("malformed ticket")
    if not hmac.compare_digest(signature, _sign(secret, conversation_id, int(expiry))):
        raise TicketInvalid("bad signature")
    if int(expiry) < now:
        raise TicketInvalid("expired ticket")
    return conversation_id
