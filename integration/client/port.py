"""The port the bot's actions call. Another center platform plugs in by implementing it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from integration.client.receipts import ReceiptStatus
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


class CaseSystem(Protocol):
    async def create_case(self, intake: IntakeRequest, idempotency_key: str) -> CreateOutcome:
        """Register the intake; the same key never creates a second case."""
        ...

    async def find_cases(self, phone: str) -> list[CaseView]: ...

    async def get_case(self, case_no: str) -> CaseView: ...

    async def receipt_status(self, receipt_id: str) -> ReceiptStatus:
        """Where the intake given this outbox receipt is: the registered case, still queued,
        refused, or unknown. Raises ``CaseSystemUnavailable`` when that cannot be told."""
        ...

    async def decline_sms(self, phone: str) -> None:
        """The citizen asked for no more text messages to ``phone``."""
        ...

    async def free_slots(self, institution: str, day: date) -> list[SlotView]: ...

    async def find_mediators(self, name: str | None = None,
                             specialty: str | None = None) -> list[MediatorView]:
        """Active mediators whose name or title matches ``name`` ("王律师": 王 and 律师) or who
        have the ``specialty`` (a category code)."""
        ...

    async def book(self, booking: BookingRequest, idempotency_key: str) -> AppointmentView: ...

    async def cancel(self, ref: str, reason: str | None = None) -> AppointmentView: ...

    async def reschedule(self, ref: str, start: datetime, idempotency_key: str,
                         mediator: str | None = None) -> AppointmentView: ...

    async def find_appointments(self, phone: str) -> list[AppointmentView]: ...

    async def attach_transcript(self, case_no: str, text: str,
                                conversation_id: str | None = None) -> None: ...

    async def request_handoff(self, request: HandoffRequest, idempotency_key: str) -> int:
        """Ask for a person to take over; returns the hand-off id. The same key never creates a
        second hand-off.

        Always an id when it returns: a hand-off that could not be delivered is never reported
        as an id. ``BufferedCaseSystem`` then saves it in the durable outbox (delivered later by
        ``OutboxDrainer``) and raises ``HandoffQueued`` (``.receipt_id``, ``.urgent``), a
        subclass of ``CaseSystemUnavailable``; an unbuffered adapter raises
        ``CaseSystemUnavailable`` itself. ``CaseRejected`` (HTTP 422) means the packet is
        malformed and was not stored."""
        ...

    async def put_conversation(self, record: ConversationRecord) -> None:
        """Store the whole conversation under ``record.conversation_id``, replacing what was
        stored before (send every turn each time; a retry or a repeat is harmless).

        Raises ``CaseSystemUnavailable`` when the case system cannot be reached or fails
        (nothing is queued: the caller keeps its own copy and may send it again later) and
        ``CaseRejected`` when the record is refused (HTTP 4xx: bad id or channel, a turn that is
        not a JSON object, too many turns, or a body over the size limit, status 413)."""
        ...

    async def aclose(self) -> None: ...
