"""A fake SMS provider and a notification-enabled ServiceContext for the queue's tests."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from integration.service.notify.policy import NotifyPolicy, QuietHours
from integration.service.notify.port import (
    OutgoingSms,
    ProviderRejected,
    ProviderUnavailable,
    SendReceipt,
)
from integration.service.notify.templates import Templates
from integration.service.services.context import ServiceContext

TZ = ZoneInfo("Asia/Shanghai")
CENTER = "测试县非诉讼纠纷化解中心"


@dataclass
class FakeSender:
    """Accepts messages unless told to be down or to refuse the next ones."""

    name: str = "fake"
    down: bool = False
    refuse: list[ProviderRejected] = field(default_factory=list)
    sent: list[OutgoingSms] = field(default_factory=list)
    attempts: int = 0

    def send(self, message: OutgoingSms) -> SendReceipt:
        self.attempts += 1
        if self.down:
            raise ProviderUnavailable("HTTP 503 from the provider")
        if self.refuse:
            raise self.refuse.pop(0)
        self.sent.append(message)
        return SendReceipt(provider=self.name, provider_id=f"FAKE{len(self.sent)}", status="queued")


def policy(quiet: str = "", **overrides: object) -> NotifyPolicy:
    base = NotifyPolicy(
        templates=Templates(center_name=CENTER, hotline="0539-12348", tz=TZ, replies_handled=True),
        provider="fake", center_address="测试县人民路1号", quiet=QuietHours.parse("q", quiet, TZ),
        retry_base=timedelta(seconds=30), retry_max=timedelta(minutes=30),
        max_age=timedelta(hours=72))
    return replace(base, **overrides)  # type: ignore[arg-type]


def with_sms(ctx: ServiceContext, quiet: str = "", **overrides: object) -> ServiceContext:
    return replace(ctx, notify=policy(quiet, **overrides))
