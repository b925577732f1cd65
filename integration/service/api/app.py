"""Sanic application factory; all resources are built in listeners, never at import time."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from sqlalchemy import Engine, func, select

from integration.client.limits import LockOut
from integration.service.adapters import orm
from integration.service.adapters.db import make_engine, migrate
from integration.service.adapters.unit_of_work import uow_factory
from integration.service.api import (
    appointments,
    cases,
    conversations,
    desk,
    errors,
    evidence,
    handoffs,
    mediators,
    misc,
    openapi,
    sms,
    staff,
)
from integration.service.api.auth import authenticate
from integration.service.api.common import offload
from integration.service.domain.errors import DomainError
from integration.service.domain.roles import Principal
from integration.service.notify.factory import sender_from_settings
from integration.service.notify.policy import NotifyPolicy
from integration.service.notify.port import SmsSender
from integration.service.notify.templates import Templates
from integration.service.services import accounts, retention, scheduler, sms_dispatch
from integration.service.services.context import ServiceContext
from integration.service.services.queue import QueueFeed
from integration.service.services.routing import load_routing
from integration.service.services.seed import load_directory
from integration.service.settings import Settings

log = logging.getLogger(__name__)
SECURITY_HEADERS = {  # a JSON API: never sniffed as HTML, never framed
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


def build_context(settings: Settings, engine: Engine) -> ServiceContext:
    """Migrations, optional demo seed, routing table -> ServiceContext."""
    migrate(engine)
    factory = uow_factory(engine)
    if settings.seed_demo:
        with factory() as uow:
            load_directory(uow, settings.seed_file)
    with factory() as uow:
        if uow.session.scalar(select(func.count(orm.StaffAccount.id))) == 0:
            log.warning("no staff account yet: create the first administrator with "
                        "`python -m integration.service.manage create-admin <name>`")
    return ServiceContext(
        uow=factory, router=load_routing(settings.routing_file), policy=settings.deadlines,
        tz=settings.timezone, slot_length=settings.slot_length,
        booking_horizon=timedelta(days=settings.booking_horizon_days),
        notify=notify_policy(settings))


def notify_policy(settings: Settings) -> NotifyPolicy | None:
    """How texts are worded and paced, or None without a provider (then none are queued)."""
    n = settings.notify
    if not n.enabled:
        return None
    templates = Templates(center_name=n.center_name, hotline=n.center_hotline,
                          tz=settings.timezone, replies_handled=bool(n.public_url))
    return NotifyPolicy(
        templates=templates, provider=n.provider, center_address=n.center_address,
        reminder_time=n.reminder_time, max_age=timedelta(hours=n.max_age_h),
        quiet=n.quiet(settings.timezone), retry_base=timedelta(seconds=n.retry_base_s),
        retry_max=timedelta(seconds=n.retry_max_s), country_code=n.country_code)


def create_app(settings: Settings, name: str = "case_service",
               service: ServiceContext | None = None,
               sms_sender: SmsSender | None = None) -> Sanic:
    """`service` lets tests inject a prepared context (own clock, own database), `sms_sender`
    a provider of their own; otherwise both are built from settings at start-up."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 3  # open queue streams must not hold a stop
    app.ctx.settings = settings
    app.ctx.queue_feed = QueueFeed()

    @app.before_server_start
    async def setup(app: Sanic) -> None:
        app.ctx.sms_sender = sms_sender or sender_from_settings(settings.notify)
        if service is not None:
            app.ctx.service = service
            return
        app.ctx.engine = make_engine(settings.db_url)
        app.ctx.service = build_context(settings, app.ctx.engine)

    @app.after_server_start
    async def start_scheduler(app: Sanic) -> None:
        if settings.scheduler_interval_s > 0:
            app.add_task(scheduler.run_forever(app.ctx.service, settings.scheduler_interval_s),
                         name="overdue_scheduler")
        interval = settings.notify.dispatch_interval_s
        if app.ctx.sms_sender is not None and app.ctx.service.notify is not None and interval > 0:
            app.add_task(sms_dispatch.run_forever(app.ctx.service, app.ctx.sms_sender, interval),
                         name="sms_dispatch")
            log.info("text messages: %s, every %gs", app.ctx.sms_sender.name, interval)
        policy = settings.retention
        if policy.days > 0 and policy.interval_h > 0:
            app.add_task(retention.run_forever(app.ctx.service, policy, settings.evidence_dir),
                         name="retention")

    @app.after_server_stop
    async def teardown(app: Sanic) -> None:
        engine = getattr(app.ctx, "engine", None)
        if engine is not None:
            engine.dispose()

    lockout = LockOut(settings.lock_policy)
    app.ctx.lockout = lockout  # also counts wrong Twilio signatures (api/sms.py)

    async def session(token: str) -> Principal | None:
        return await offload(accounts.session_principal, app.ctx.service,
                             settings.login_policy, token)

    @app.on_request
    async def auth(request: Request) -> None:
        await authenticate(settings, request, lockout, session)

    @app.on_response
    async def audit_refusals(request: Request, response: HTTPResponse) -> None:
        """A wrong role or a dead session is recorded in the staff audit log (wrong machine
        tokens are counted by the lock-out instead: a guesser must not fill the database)."""
        who: Principal | None = getattr(request.ctx, "principal", None)
        permission = getattr(request.ctx, "refused_permission", None)
        dead_session = getattr(request.ctx, "refused_session", False)
        if not ((response.status == 403 and who is not None) or dead_session):
            return
        detail = {"method": request.method, "path": request.path, "status": response.status,
                  "permission": permission, "cause": "session" if dead_session else "role"}
        await offload(partial(accounts.record_now, app.ctx.service,
                              who.actor if who else "anonymous", "refused", "refused",
                              staff.client_source(request), **detail))

    @app.on_response
    async def secure(request: Request, response: HTTPResponse) -> None:
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)

    app.error_handler.add(DomainError, errors.domain_error)
    app.error_handler.add(SanicException, errors.sanic_error)
    app.error_handler.add(Exception, errors.unexpected_error)
    for bp in (misc.bp, cases.bp, appointments.bp, handoffs.bp, conversations.bp, staff.bp,
               desk.bp, evidence.bp, mediators.bp, sms.bp, openapi.bp):
        app.blueprint(bp)
    return app

