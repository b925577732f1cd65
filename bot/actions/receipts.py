"""Case progress by an outbox receipt number (RC-…): the citizen whose intake was queued was
given only that number, so it must lead to the case number (or say truthfully where it is)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.actions.settings import settings
from integration.client import ReceiptStatus
from integration.client.receipts import FAILED, QUEUED


def tell_receipt(dispatcher: CollectingDispatcher, status: ReceiptStatus) -> bool:
    """Say what the receipt leads to; True when a case was found (its progress follows)."""
    if status.case is not None:
        dispatcher.utter_message(
            response="utter_receipt_case_no", receipt=status.receipt_id, case_no=status.case.case_no
        )
        return True
    hotline = settings().center_hotline
    if status.state in (QUEUED, FAILED):
        response = "utter_receipt_pending" if status.state == QUEUED else "utter_receipt_failed"
        dispatcher.utter_message(response=response, receipt=status.receipt_id, center_hotline=hotline)
    else:
        dispatcher.utter_message(response="utter_case_not_found")
    return False
