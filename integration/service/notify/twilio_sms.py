"""Twilio Messaging as an SMS provider: sending (the REST API through the ``twilio`` SDK),
delivery reports and replies (signed webhooks), and the TwiML answer to a reply.

Only this module knows Twilio. A domestic provider (Aliyun, Tencent Cloud SMS …) is another
module implementing ``SmsSender`` plus, if it reports deliveries, a route of its own that turns
its callbacks into ``DeliveryUpdate`` / ``InboundSms``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from integration.service.notify.port import (
    DeliveryUpdate,
    InboundSms,
    OutgoingSms,
    ProviderRejected,
    ProviderUnavailable,
    SendReceipt,
    mask_numbers,
)
from textnorm.phone import normalize_mobile

log = logging.getLogger(__name__)
OPTED_OUT_CODES = frozenset({21610})  # "Attempt to send to unsubscribed recipient"
# Twilio's statuses → ours; accepted/queued/sending only confirm what "sent" already says.
STATUS_MAP = {"accepted": "sent", "queued": "sent", "sending": "sent", "sent": "sent",
              "delivered": "delivered", "undelivered": "undelivered", "failed": "failed",
              "read": "delivered"}


class _RoutedHttpClient(TwilioHttpClient):
    """The SDK's HTTP client with the scheme and host of every request replaced by ``base_url``
    (a local stand-in for Twilio in tests, or an egress proxy); the SDK's own request log,
    which carries the recipient and the text, is sent to a logger that is never shown."""

    def __init__(self, base_url: str | None, timeout_s: float) -> None:
        quiet = logging.getLogger("integration.service.notify.twilio_http")
        quiet.setLevel(logging.WARNING)
        quiet.propagate = False
        super().__init__(timeout=timeout_s, logger=quiet)
        self._base = urlsplit(base_url) if base_url else None

    def request(self, method: str, url: str, params: Any = None, data: Any = None,
                headers: Any = None, auth: Any = None, timeout: float | None = None,
                allow_redirects: bool = False) -> Response:
        if self._base is not None:
            parts = urlsplit(url)
            url = urlunsplit((self._base.scheme, self._base.netloc,
                              self._base.path.rstrip("/") + parts.path, parts.query, parts.fragment))
        return super().request(method, url, params=params, data=data, headers=headers, auth=auth,
                               timeout=timeout, allow_redirects=allow_redirects)


class TwilioSms:
    """``SmsSender`` over Twilio's Messages resource."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, *, from_number: str = "",
                 messaging_service_sid: str = "", status_callback: str | None = None,
                 api_base_url: str = "", timeout_s: float = 10.0) -> None:
        self._client = Client(account_sid, auth_token,
                              http_client=_RoutedHttpClient(api_base_url or None, timeout_s))
        self._from = from_number
        self._service = messaging_service_sid
        self._callback = status_callback

    def send(self, message: OutgoingSms) -> SendReceipt:
        kwargs: dict[str, Any] = {"to": message.to, "body": message.body}
        if self._service:
            kwargs["messaging_service_sid"] = self._service
        else:
            kwargs["from_"] = self._from
        if self._callback:
            kwargs["status_callback"] = self._callback
        try:
            sent = self._client.messages.create(**kwargs)
        except TwilioRestException as exc:
            detail = mask_numbers(str(exc.msg or ""))[:200]
            if exc.status >= 500 or exc.status == 429:
                raise ProviderUnavailable(f"Twilio HTTP {exc.status}: {detail}") from exc
            code = str(exc.code or exc.status)
            raise ProviderRejected(code, detail, opted_out=exc.code in OPTED_OUT_CODES) from exc
        except (requests.RequestException, TwilioException) as exc:
            raise ProviderUnavailable(f"Twilio unreachable: {type(exc).__name__}") from exc
        return SendReceipt(provider=self.name, provider_id=str(sent.sid), status=str(sent.status))


def signature_valid(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Twilio signs the full URL it called and the POST parameters with the account's token."""
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


def delivery_update(params: Mapping[str, str]) -> DeliveryUpdate | None:
    """A status callback's MessageSid / MessageStatus / ErrorCode, or None if it has none."""
    sid, status = params.get("MessageSid") or params.get("SmsSid"), params.get("MessageStatus")
    mapped = STATUS_MAP.get((status or "").lower())
    if not sid or mapped is None:
        return None
    return DeliveryUpdate(provider_id=sid, status=mapped, error_code=params.get("ErrorCode") or None)


def inbound_sms(params: Mapping[str, str], country_code: str = "86") -> InboundSms:
    """A reply's sender as an 11-digit mobile number (None for other numbers) and its text."""
    sender = (params.get("From") or "").strip()
    prefix = "+" + country_code
    local = sender[len(prefix):] if sender.startswith(prefix) else ""
    return InboundSms(phone=normalize_mobile(local) if local else None, body=params.get("Body") or "")


def twiml_reply(text: str | None) -> str:
    """The answer to an inbound message: one reply, or none."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)
