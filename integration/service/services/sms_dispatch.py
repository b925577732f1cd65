"""Sending the queued texts, recording what the provider reports, and honouring replies.

One message at a time: claim it (a short transaction that marks it "sending" with a lease),
hand it to the provider outside any transaction, record the result. While the provider is down
the message waits with exponential backoff and the pass stops (nothing is lost, nothing is
hammered); a refused message is failed for good and staff see why in the audit log. During
quiet hours nothing is sent. A process that dies between the provider's acceptance and the
bookkeeping leaves the claim to expire, and the message is sent again: a duplicate text is
possible in that window, a lost one is not."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.notify.policy import NotifyPolicy, backoff
from integration.service.notify.port import (
    DeliveryUpdate,
    InboundSms,
    OutgoingSms,
    ProviderRejected,
    ProviderUnavailable,
    SendReceipt,
    SmsSender,
    mask_numbers,
)
from integration.service.services import notifications
from integration.service.services.audit import audit
from integration.service.services.context import ServiceContext
from textnorm.mask import mask_phone

log = logging.getLogger(__name__)
ACTOR = notifications.ACTOR
FINAL = frozenset({"delivered", "undelivered", "failed"})
# "退订", "TD", "T", "STOP" …: the usual ways to unsubscribe from a Chinese (or Twilio) text.
STOP_WORDS = frozenset({"退订", "退订短信", "取消订阅", "取消短信", "不要短信", "TD", "T", "STOP",
                        "UNSUBSCRIBE", "STOPALL", "CANCEL", "END", "QUIT"})
_NOISE = re.compile(r"[\s。.!！,，“”\"'‘’]+")


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    quiet: bool = False
    provider_down: bool = False


@dataclass(frozen=True)
class _Claim:
    id: int
    phone: str
    body: str
    attempts: int


def dispatch_once(ctx: ServiceContext, sender: SmsSender, limit: int = 50) -> DispatchReport:
    """One pass over due messages (at most ``limit`` sends)."""
    notify = ctx.notify
    report = DispatchReport()
    if notify is None:
        return report
    if notify.quiet is not None and notify.quiet.contains(ctx.clock()):
        report.quiet = True
        return report
    for _ in range(limit):
        claim = _claim_next(ctx, notify, report)
        if claim is None:
            break
        message = OutgoingSms(to=f"+{notify.country_code}{claim.phone}", body=claim.body,
                              reference=str(claim.id))
        try:
            receipt = sender.send(message)
        except ProviderUnavailable as exc:
            _retry_later(ctx, notify, claim, str(exc))
            report.retried += 1
            report.provider_down = True
            break  # the next message would meet the same outage
        except ProviderRejected as exc:
            _rejected(ctx, claim, exc)
            report.failed += 1
            continue
        _sent(ctx, claim, receipt)
        report.sent += 1
    return report


def _claim_next(ctx: ServiceContext, notify: NotifyPolicy, report: DispatchReport) -> _Claim | None:
    """The next message to send, marked "sending"; expired and opted-out ones are settled on
    the way (and audited)."""
    while True:
        with ctx.uow() as uow:
            now = ctx.clock()
            row = uow.repo.next_due_notification(now)
            if row is None:
                return None
            if row.expires_at <= now:
                _settle(uow, row, "expired", now, "sms_failed", why="expired",
                        attempts=row.attempts, last_error=row.last_error)
                report.failed += 1
            elif uow.repo.opted_out(row.phone):
                _settle(uow, row, "skipped", now, "sms_skipped", why="opted_out")
                report.skipped += 1
            else:
                row.status, row.locked_until = "sending", now + notify.lease
                row.attempts, row.updated_at = row.attempts + 1, now
                claim = _Claim(row.id, row.phone, row.body, row.attempts)
                uow.commit()
                return claim
            uow.commit()


def _settle(uow: UnitOfWork, row: orm.Notification, status: str, now: datetime, action: str,
            **detail: Any) -> None:
    row.status, row.locked_until, row.updated_at = status, None, now
    if row.case is not None:
        audit(uow, row.case, ACTOR, action, now, kind=row.kind, notification=row.id,
              to=mask_phone(row.phone), **detail)
    log.info("sms %s %s (%s)", row.id, status, row.kind)


def _retry_later(ctx: ServiceContext, notify: NotifyPolicy, claim: _Claim, error: str) -> None:
    with ctx.uow() as uow:
        row = uow.repo.notification(claim.id)
        assert row is not None
        now = ctx.clock()
        wait = backoff(claim.attempts, notify.retry_base, notify.retry_max)
        row.status, row.locked_until, row.updated_at = "pending", None, now
        row.next_attempt_at, row.last_error = now + wait, mask_numbers(error)[:300]
        if claim.attempts == 1 and row.case is not None:  # the first delay, not every retry
            audit(uow, row.case, ACTOR, "sms_delayed", now, kind=row.kind, notification=row.id,
                  error=row.last_error, retry_at=row.next_attempt_at.isoformat())
        uow.commit()
    log.warning("sms %s not sent (attempt %d), retry in %ds: %s", claim.id, claim.attempts,
                wait.total_seconds(), mask_numbers(error))


def _rejected(ctx: ServiceContext, claim: _Claim, exc: ProviderRejected) -> None:
    with ctx.uow() as uow:
        row = uow.repo.notification(claim.id)
        assert row is not None
        now = ctx.clock()
        row.last_error = mask_numbers(f"{exc.code}: {exc.message}")[:300]
        _settle(uow, row, "failed", now, "sms_failed", why="rejected", code=exc.code,
                error=row.last_error)
        if exc.opted_out:
            notifications.decline(ctx, uow, row.phone, "provider_unsubscribed", row.case)
        uow.commit()
    log.warning("sms %s refused by the provider: %s", claim.id, mask_numbers(str(exc)))


def _sent(ctx: ServiceContext, claim: _Claim, receipt: SendReceipt) -> None:
    with ctx.uow() as uow:
        row = uow.repo.notification(claim.id)
        assert row is not None
        now = ctx.clock()
        row.provider, row.provider_id, row.sent_at = receipt.provider, receipt.provider_id, now
        row.last_error = None
        _settle(uow, row, "sent", now, "sms_sent", provider=receipt.provider,
                provider_id=receipt.provider_id, attempts=claim.attempts)
        uow.commit()


def record_delivery(ctx: ServiceContext, provider: str, update: DeliveryUpdate) -> bool:
    """A provider's delivery report; each change of status is audited once, and a late
    "sent" never overwrites "delivered". False when no message has that provider id."""
    with ctx.uow() as uow:
        row = uow.repo.notification_by_provider_id(provider, update.provider_id)
        if row is None:
            return False
        if row.status == update.status or row.status in FINAL or update.status == "sent":
            return True
        now = ctx.clock()
        row.status, row.updated_at = update.status, now
        if update.error_code:
            row.last_error = f"provider error {update.error_code}"
        if row.case is not None:
            audit(uow, row.case, ACTOR, "sms_status", now, kind=row.kind, notification=row.id,
                  status=update.status, error_code=update.error_code)
        uow.commit()
    log.info("sms %s %s", row.id, update.status)
    return True


def is_stop(body: str) -> bool:
    return _NOISE.sub("", body).upper() in STOP_WORDS


def handle_inbound(ctx: ServiceContext, message: InboundSms) -> str | None:
    """A citizen's reply. "退订" opts the number out (audited on its cases) and is answered
    with a confirmation; anything else is only logged (masked) and not answered."""
    if message.phone is None or not is_stop(message.body):
        log.info("inbound sms from %s ignored", mask_phone(message.phone or ""))
        return None
    with ctx.uow() as uow:
        added = notifications.decline(ctx, uow, message.phone, "inbound_stop")
        if added:
            now = ctx.clock()
            for case in uow.repo.cases_by_phone(message.phone):
                audit(uow, case, ACTOR, "sms_opt_out", now, to=mask_phone(message.phone),
                      source="inbound_stop")
        uow.commit()
    notify = ctx.notify
    return notify.templates.opted_out() if notify is not None else None


async def run_forever(ctx: ServiceContext, sender: SmsSender, interval_s: float) -> None:
    """Background task of the case service: send what is due, then wait."""
    while True:
        try:
            await asyncio.to_thread(dispatch_once, ctx, sender)
        except Exception:  # top level of a background task: log and keep sending
            log.exception("sms dispatch failed")
        await asyncio.sleep(interval_s)
