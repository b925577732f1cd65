"""Receipt numbers of intakes kept in the outbox (``RC-`` and 10 hex digits), as citizens type
or say them back: lower case, spaces, full-width or missing dashes are all the same receipt.

A citizen whose intake was queued has only this number until the case is registered, so the
case-progress question accepts it (the case service stores it with the case)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from integration.client.types import CaseView

_RECEIPT_RE = re.compile(
    r"(?<![A-Za-z0-9])[Rr][Cc][\s\-－—_]*((?:[0-9A-Fa-f][\s\-－]?){9}[0-9A-Fa-f])(?![0-9A-Za-z])")
_SEPARATORS = re.compile(r"[\s\-－]")

# Where a receipt's intake is: registered (case known), still queued, refused, or unknown here.
REGISTERED, QUEUED, FAILED, UNKNOWN = "registered", "queued", "failed", "unknown"


def find_receipt(text: str) -> str | None:
    """The receipt number in ``text`` in its canonical form ``RC-3F2A1B9C0D``, or None."""
    match = _RECEIPT_RE.search(text or "")
    if match is None:
        return None
    return "RC-" + _SEPARATORS.sub("", match.group(1)).upper()


@dataclass(frozen=True)
class ReceiptStatus:
    """What a receipt number leads to; ``case`` is set when ``state`` is REGISTERED."""

    receipt_id: str
    state: str
    case: CaseView | None = None
