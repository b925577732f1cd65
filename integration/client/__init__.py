"""Client port for the center's case system (Python 3.10+, no sanic/sqlalchemy).

    from integration.client import case_system_from_env, IntakeRequest
"""

from __future__ import annotations

from integration.client.buffered import HANDOFF_QUEUED_NOTICE, QUEUED_NOTICE, BufferedCaseSystem
from integration.client.errors import (
    CaseNotFound,
    CaseRejected,
    CaseSystemError,
    CaseSystemUnavailable,
    HandoffQueued,
)
from integration.client.factory import case_system_from_env, drainer_from_env
from integration.client.http import HttpCaseSystem
from integration.client.outbox import DrainReport, FileOutbox, OutboxDrainer
from integration.client.port import CaseSystem
from integration.client.receipts import ReceiptStatus, find_receipt
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

__all__ = [
    "HANDOFF_QUEUED_NOTICE", "QUEUED_NOTICE", "AppointmentView", "BookingRequest",
    "BufferedCaseSystem", "CaseNotFound", "CaseRejected", "CaseSystem", "CaseSystemError",
    "CaseSystemUnavailable", "CaseView", "ConversationRecord", "CreateOutcome", "DrainReport",
    "FileOutbox", "HandoffQueued", "HandoffRequest", "HttpCaseSystem", "IntakeRequest",
    "MediatorView", "OutboxDrainer", "ReceiptStatus", "SlotView", "case_system_from_env",
    "drainer_from_env",
    "find_receipt",
]
