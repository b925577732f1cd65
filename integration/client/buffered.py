"""A CaseSystem that falls back to the durable outbox when the service is unreachable."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime

from integration.client.errors import CaseSystemUnavailable, HandoffQueued
from integration.client.outbox import FileOutbox
from integration.client.outbox.records import receipt_for
from integration.client.port import CaseSystem
from integration.client.receipts import FAILED, QUEUED, REGISTERED, UNKNOWN, ReceiptStatus
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

log = logging.getLogger(__name__)

# What the bot can tell a citizen whose intake was queued: true, and says how they will hear back
# (the receipt number finds the case once it is registered).
QUEUED_NOTICE = (
    "您的纠纷申请已经收到并妥善保存（回执号 {receipt}）。案件系统暂时繁忙，恢复后会自动登记、"
    "生成统一案件编号，之后可凭回执号查询案件编号；工作人员会通过您留下的电话与您联系，"
    "您无需重复提交。"
)

# What the bot can tell a citizen whose hand-off was queued (HandoffQueued): no person has it yet.
HANDOFF_QUEUED_NOTICE = (
    "您的转人工请求已经记录（回执号 {receipt}）。系统暂时繁忙，恢复后会第一时间转给工作人员，"
    "您无需重复提交。如遇紧急情况或有人身危险，请立即拨打 110（急救 120）。"
)


class BufferedCaseSystem:
    """Creation and hand-offs never get lost for availability reasons: they are delivered or
    queued on disk. Every other call is passed through unchanged (a slot cannot be booked
    offline)."""

    def __init__(self, inner: CaseSystem, outbox: FileOutbox) -> None:
        self.inner = inner
        self.outbox = outbox

    async def create_case(self, intake: IntakeRequest, idempotency_key: str) -> CreateOutcome:
        # The receipt goes with the first attempt too: if that attempt registered the case but
        # its answer was lost, the redelivery is the same request, and the receipt finds it.
        if not intake.receipt_id:
            intake = replace(intake, receipt_id=receipt_for(idempotency_key))
        try:
            return await self.inner.create_case(intake, idempotency_key)
        except CaseSystemUnavailable:
            receipt = self.outbox.put(intake, idempotency_key)
            log.warning("case service unavailable; intake queued as %s", receipt)
            return CreateOutcome(registered=False, receipt_id=receipt)

    async def find_cases(self, phone: str) -> list[CaseView]:
        return await self.inner.find_cases(phone)

    async def get_case(self, case_no: str) -> CaseView:
        return await self.inner.get_case(case_no)

    async def receipt_status(self, receipt_id: str) -> ReceiptStatus:
        """The case service's answer when it knows the receipt; otherwise (or while it is down)
        what the local outbox says: still queued, refused, or unknown."""
        try:
            status = await self.inner.receipt_status(receipt_id)
        except CaseSystemUnavailable:
            status = None
        if status is not None and status.state == REGISTERED:
            return status
        local = self.outbox.status(receipt_id)
        if local is not None and local["state"] == "pending":
            return ReceiptStatus(receipt_id, QUEUED)
        if local is not None and local["state"] == "failed":
            return ReceiptStatus(receipt_id, FAILED)
        if status is None:
            # Delivered or unknown here, and the service cannot be asked: say so, not "unknown".
            raise CaseSystemUnavailable("case service unavailable for a receipt look-up")
        return ReceiptStatus(receipt_id, UNKNOWN)

    async def decline_sms(self, phone: str) -> None:
        await self.inner.decline_sms(phone)

    async def free_slots(self, institution: str, day: date) -> list[SlotView]:
        return await self.inner.free_slots(institution, day)

    async def find_mediators(self, name: str | None = None,
                             specialty: str | None = None) -> list[MediatorView]:
        return await self.inner.find_mediators(name, specialty)

    async def book(self, booking: BookingRequest, idempotency_key: str) -> AppointmentView:
        return await self.inner.book(booking, idempotency_key)

    async def cancel(self, ref: str, reason: str | None = None) -> AppointmentView:
        return await self.inner.cancel(ref, reason)

    async def reschedule(self, ref: str, start: datetime, idempotency_key: str,
                         mediator: str | None = None) -> AppointmentView:
        return await self.inner.reschedule(ref, start, idempotency_key, mediator)

    async def find_appointments(self, phone: str) -> list[AppointmentView]:
        return await self.inner.find_appointments(phone)

    async def attach_transcript(self, case_no: str, text: str,
                                conversation_id: str | None = None) -> None:
        await self.inner.attach_transcript(case_no, text, conversation_id)

    async def request_handoff(self, request: HandoffRequest, idempotency_key: str) -> int:
        """The hand-off id when delivered; raises HandoffQueued(receipt_id) when it was queued."""
        try:
            return await self.inner.request_handoff(request, idempotency_key)
        except CaseSystemUnavailable as exc:
            receipt = self.outbox.put(request, idempotency_key)
            log.warning("case service unavailable; hand-off queued as %s (urgent=%s)",
                        receipt, request.urgent)
            raise HandoffQueued(receipt, urgent=request.urgent) from exc

    async def put_conversation(self, record: ConversationRecord) -> None:
        """Passed through, never queued: the caller keeps the record on disk and re-sends it."""
        await self.inner.put_conversation(record)

    async def aclose(self) -> None:
        await self.inner.aclose()
