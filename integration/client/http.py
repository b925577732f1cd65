"""HTTP adapter for the reference case service (and any platform speaking its API)."""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx

from integration.client.errors import CaseNotFound, CaseRejected, CaseSystemUnavailable
from integration.client.receipts import REGISTERED, UNKNOWN, ReceiptStatus
from integration.client.types import (
    AppointmentView,
    BookingRequest,
    CaseView,
    ConversationRecord,
    CreateOutcome,
    HandoffRequest,
    IntakeRequest,
    MediatorView,
    SlotView,
)
from integration.conversation_vocab import MAX_BODY_BYTES

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({500, 502, 503, 504})


class HttpCaseSystem:
    """Talks JSON over HTTP; retries transport failures and 5xx with the same idempotency key."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 5.0, retries: int = 2,
                 *, backoff_s: float = 0.2, transport: httpx.AsyncBaseTransport | None = None):
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport,
            headers={"Authorization": f"Bearer {token}"})
        self._retries = retries
        self._backoff_s = backoff_s

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, path: str, *, json: Any = None,
                       params: dict[str, str] | None = None, key: str | None = None,
                       content: bytes | None = None) -> Any:
        """`content` is a body already encoded as JSON (sent with its content type)."""
        headers = {"Idempotency-Key": key} if key else {}
        if content is not None:
            headers["Content-Type"] = "application/json"
        last: Exception | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                resp = await self._client.request(method, path, json=json, params=params,
                                                  headers=headers, content=content)
            except httpx.TransportError as exc:  # connect errors and timeouts
                last = exc
                continue
            if resp.status_code in RETRY_STATUSES:
                last = CaseSystemUnavailable(f"{method} {path}: HTTP {resp.status_code}")
                continue
            return _decode(resp)
        raise CaseSystemUnavailable(f"{method} {path} failed after {self._retries + 1} attempts"
                                    ) from last

    async def create_case(self, intake: IntakeRequest, idempotency_key: str) -> CreateOutcome:
        data = await self._request("POST", "/api/cases", json=intake.to_json(),
                                   key=idempotency_key)
        return CreateOutcome(registered=True, case=CaseView.from_json(data))

    async def find_cases(self, phone: str) -> list[CaseView]:
        data = await self._request("GET", "/api/cases", params={"phone": phone})
        return [CaseView.from_json(c) for c in data["items"]]

    async def get_case(self, case_no: str) -> CaseView:
        return CaseView.from_json(await self._request("GET", f"/api/cases/{case_no}"))

    async def receipt_status(self, receipt_id: str) -> ReceiptStatus:
        data = await self._request("GET", "/api/cases", params={"receipt": receipt_id})
        items = [CaseView.from_json(c) for c in data["items"]]
        if not items:
            return ReceiptStatus(receipt_id, UNKNOWN)
        return ReceiptStatus(receipt_id, REGISTERED, items[0])

    async def decline_sms(self, phone: str) -> None:
        await self._request("POST", "/api/sms/opt-outs", json={"phone": phone})

    async def free_slots(self, institution: str, day: date) -> list[SlotView]:
        data = await self._request("GET", "/api/slots",
                                   params={"institution": institution, "date": day.isoformat()})
        return [SlotView.from_json(s) for s in data["items"]]

    async def find_mediators(self, name: str | None = None,
                             specialty: str | None = None) -> list[MediatorView]:
        params = {k: v for k, v in (("name", name), ("specialty", specialty)) if v}
        data = await self._request("GET", "/api/mediators", params=params)
        return [MediatorView.from_json(m) for m in data["items"]]

    async def book(self, booking: BookingRequest, idempotency_key: str) -> AppointmentView:
        data = await self._request("POST", "/api/appointments", json=booking.to_json(),
                                   key=idempotency_key)
        return AppointmentView.from_json(data)

    async def cancel(self, ref: str, reason: str | None = None) -> AppointmentView:
        data = await self._request("POST", f"/api/appointments/{ref}/cancel",
                                   json={"reason": reason})
        return AppointmentView.from_json(data)

    async def reschedule(self, ref: str, start: datetime, idempotency_key: str,
                         mediator: str | None = None) -> AppointmentView:
        data = await self._request("POST", f"/api/appointments/{ref}/reschedule",
                                   json={"start": start.isoformat(), "mediator": mediator},
                                   key=idempotency_key)
        return AppointmentView.from_json(data)

    async def find_appointments(self, phone: str) -> list[AppointmentView]:
        data = await self._request("GET", "/api/appointments", params={"phone": phone})
        return [AppointmentView.from_json(a) for a in data["items"]]

    async def attach_transcript(self, case_no: str, text: str,
                                conversation_id: str | None = None) -> None:
        await self._request("PUT", f"/api/cases/{case_no}/transcript",
                            json={"text": text, "conversation_id": conversation_id})

    async def request_handoff(self, request: HandoffRequest, idempotency_key: str) -> int:
        data = await self._request("POST", "/api/handoffs", json=request.to_json(),
                                   key=idempotency_key)
        return int(data["id"])

    async def put_conversation(self, record: ConversationRecord) -> None:
        """PUT replaces the record, so retrying it (transport errors, 5xx) is safe."""
        try:
            # Encoded here, not by httpx, so a turn that is not JSON (NaN, a datetime, a lone
            # surrogate) is a rejection of the record rather than an unwrapped TypeError.
            content = jsonlib.dumps(record.to_json(), ensure_ascii=False,
                                    allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise CaseRejected("invalid_turns", "对话记录中有无法转换为 JSON 的内容", 422,
                               "turns") from exc
        if len(content) > MAX_BODY_BYTES:
            # The service answers 413, but it may close the connection while a much larger
            # body is still being sent, which would look like an outage and be retried forever.
            raise CaseRejected("payload_too_large",
                               f"请求内容过大（最多 {MAX_BODY_BYTES / 1_000_000:g} MB）", 413, "turns")
        await self._request("PUT", f"/api/conversations/{quote(record.conversation_id, safe=':')}",
                            content=content)


def _decode(resp: httpx.Response) -> Any:
    try:
        data = resp.json()
    except ValueError as exc:
        raise CaseSystemUnavailable(f"non-JSON answer (HTTP {resp.status_code})") from exc
    if resp.status_code < 400:
        return data
    err = data.get("error", {}) if isinstance(data, dict) else {}
    code = str(err.get("code", "rejected"))
    message = str(err.get("message", "请求被拒绝"))
    if resp.status_code in (401, 403):
        # A wrong token is a deployment error, not the citizen's fault: treat as unavailable
        # so the intake is kept in the outbox rather than dropped.
        raise CaseSystemUnavailable(f"case service refused our token: {code}")
    cls = CaseNotFound if resp.status_code == 404 else CaseRejected
    raise cls(code, message, resp.status_code, err.get("field"))
