"""The port every SMS provider adapter implements, and what crosses it.

Adapters are synchronous (the dispatcher runs them in a worker thread, never on the event loop)
and wrap every failure of their provider into one of two errors: ``ProviderUnavailable`` (try
again later: the network, a timeout, 5xx, rate limiting) or ``ProviderRejected`` (this message
will never go out: a number the provider refuses, an opted-out recipient)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_E164_MOBILE = re.compile(r"\+?86(1[3-9]\d)\d{4}(\d{4})")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_numbers(text: str) -> str:
    """Provider messages quote the recipient (+8613800138000): masked before they are logged
    or stored, which ``textnorm.mask.mask_text`` would miss after the country code."""
    text = _E164_MOBILE.sub(lambda m: f"+86{m.group(1)}****{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


@dataclass(frozen=True)
class OutgoingSms:
    to: str  # E.164, e.g. +8613800138000
    body: str
    reference: str  # our notification id, for the provider's logs and callbacks


@dataclass(frozen=True)
class SendReceipt:
    provider: str
    provider_id: str  # the provider's message id (Twilio: SM…), matched by delivery callbacks
    status: str  # the provider's first status (queued, accepted, sent …)


@dataclass(frozen=True)
class DeliveryUpdate:
    """A provider's report on a message it accepted earlier."""

    provider_id: str
    status: str  # sent | delivered | undelivered | failed
    error_code: str | None = None


@dataclass(frozen=True)
class InboundSms:
    """A citizen's reply (e.g. "退订"); ``phone`` is the 11-digit mobile number, or None when
    the sender is not a mainland mobile."""

    phone: str | None
    body: str


class ProviderUnavailable(Exception):
    """Not sent this time; the same message may be tried again later."""


class ProviderRejected(Exception):
    """The provider refuses this message for good; ``opted_out`` when the recipient told the
    provider itself to stop (the number is then opted out here too)."""

    def __init__(self, code: str, message: str, *, opted_out: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.opted_out = opted_out


class SmsSender(Protocol):
    """What the dispatcher needs of a provider."""

    name: str

    def send(self, message: OutgoingSms) -> SendReceipt:
        """Hand the message to the provider; raises ProviderUnavailable or ProviderRejected."""
        ...
