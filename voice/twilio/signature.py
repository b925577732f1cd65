"""Webhook authentication: Twilio's request signature plus a replay guard."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Mapping

from twilio.request_validator import RequestValidator


class WebhookAuth:
    """Checks ``X-Twilio-Signature`` and refuses a signature seen before within ``ttl_s``.

    Twilio signs URL + POST parameters with the auth token but no timestamp, so a captured
    request could be replayed; every action URL we hand Twilio carries a nonce, so a legitimate
    request never repeats a signature.
    """

    def __init__(self, auth_token: str, ttl_s: float = 3600.0, max_entries: int = 100_000) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None
        self._token = auth_token
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._ttl_s = ttl_s
        self._max = max_entries

    @property
    def configured(self) -> bool:
        return self._validator is not None

    def verify(self, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        """True for a correctly signed request not seen before (no token configured: always False)."""
        return self.check(url, params, signature) == "ok"

    def check(self, url: str, params: Mapping[str, str], signature: str | None) -> str:
        """``ok``; ``replay`` for a correct signature seen before (Twilio may retry a slow
        webhook, so it is no sign of an attacker); ``bad`` for a missing or wrong one."""
        if self._validator is None or not signature:
            return "bad"
        if not self._validator.validate(url, dict(params), signature):
            return "bad"
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) < now - self._ttl_s:
            self._seen.popitem(last=False)
        if signature in self._seen:
            return "replay"
        self._seen[signature] = now
        if len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return "ok"

    def stream_token(self, call_sid: str) -> str:
        """A per-call secret passed as a ``<Stream>`` parameter, proving the stream is ours."""
        return hmac.new(self._token.encode(), f"stream:{call_sid}".encode(), hashlib.sha256).hexdigest()[:32]

    def check_stream_token(self, call_sid: str, token: str) -> bool:
        return bool(self._token) and hmac.compare_digest(self.stream_token(call_sid), token)
