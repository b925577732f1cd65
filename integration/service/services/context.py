"""Everything a use case needs besides its arguments, built once from Settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.deadlines import DeadlinePolicy
from integration.service.notify.policy import NotifyPolicy
from integration.service.services.routing import RoutingTable


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext:
    uow: Callable[[], UnitOfWork]
    router: RoutingTable
    policy: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    slot_length: timedelta = timedelta(hours=1)
    booking_horizon: timedelta = timedelta(days=30)
    clock: Callable[[], datetime] = utc_now
    notify: NotifyPolicy | None = None  # None: no SMS provider, no texts queued
