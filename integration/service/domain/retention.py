"""What the retention job (services/retention.py) leaves where personal data was."""

from __future__ import annotations

from collections.abc import Callable

MARKER = "[已按保留期限删除]"


def masked_name(name: str, mask: Callable[[str], str]) -> str:
    """``mask(name)``; the marker hides nothing, so it is shown as it is."""
    return name if name == MARKER else mask(name)
