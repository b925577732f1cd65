"""Settings of the action server, read once from environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from integration.office_hours import DEFAULT_SPEC, OfficeHours


@dataclass(frozen=True)
class ActionSettings:
    """What the actions need to know about the center they serve."""

    center_name: str
    center_address: str
    center_hotline: str
    office_hours: str
    hours: OfficeHours
    timezone: str
    handoff_wait_minutes: int
    booking_horizon_days: int
    # The case service texts citizens (SMS_PROVIDER, which it reads too): only then is a text promised.
    sms_enabled: bool = False

    @classmethod
    def from_env(cls) -> ActionSettings:
        """Build from `CENTER_*` variables; defaults describe the demo center (see .env.example)."""
        return cls(
            center_name=os.environ.get("CENTER_NAME", "示范县非诉讼纠纷化解中心"),
            center_address=os.environ.get("CENTER_ADDRESS", "示范县人民路100号公共法律服务中心一楼"),
            center_hotline=os.environ.get("CENTER_HOTLINE", "0539-12348"),
            office_hours=os.environ.get("CENTER_OFFICE_HOURS", "周一至周五 8:30-12:00、13:30-17:30"),
            hours=OfficeHours.parse(
                os.environ.get("CENTER_OFFICE_HOURS_SPEC", DEFAULT_SPEC),
                os.environ.get("CENTER_TIMEZONE", "Asia/Shanghai"),
            ),
            timezone=os.environ.get("CENTER_TIMEZONE", "Asia/Shanghai"),
            handoff_wait_minutes=int(os.environ.get("HANDOFF_WAIT_MINUTES", "5")),
            booking_horizon_days=int(os.environ.get("CASE_BOOKING_HORIZON_DAYS", "30")),
            sms_enabled=os.environ.get("SMS_PROVIDER", "").strip().lower() not in ("", "none", "off"),
        )


@lru_cache(maxsize=1)
def settings() -> ActionSettings:
    """The process-wide settings, built on first use rather than at import time."""
    return ActionSettings.from_env()
