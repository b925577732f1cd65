"""Sanic application factory; all resources are built in listeners, never at import time."""

from __future__ import annotations

import logging
from datetime import timedelta

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from sqlalchemy import Engine

from integration.client.limits import LockOut
from integration.service.adapters.db import make_engine, migrate
from integration.service.adapters.unit_of_work import uow_factory
from integration.service.api import appointments, cases, conversations, errors, handoffs, misc, openapi
from integration.service.api.auth import authenticate
from integration.service.domain.errors import DomainError
from integration.service.services import scheduler
from integration.service.services.context import ServiceContext
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
    return ServiceContext(
        uow=factory, router=load_routing(settings.routing_file), policy=settings.deadlines,
        tz=settings.timezone, slot_length=settings.slot_length,
        booking_horizon=timedelta(days=settings.booking_horizon_days))


def create_app(settings: Settings, name: str = "case_service",
               service: ServiceContext | None = None) -> Sanic:
    """`service` lets tests inject a prepared context (own clock, own database)."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings

    @app.before_server_start
    async def setup(app: Sanic) -> None:
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

    @app.after_server_stop
    async def teardown(app: Sanic) -> None:
        engine = getattr(app.ctx, "engine", None)
        if engine is not None:
            engine.dispose()

    lockout = LockOut(settings.lock_policy)

    @app.on_request
    async def auth(request: Request) -> None:
        authenticate(settings, request, lockout)

    @app.on_response
    async def secure(request: Request, response: HTTPResponse) -> None:
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)

    app.error_handler.add(DomainError, errors.domain_error)
    app.error_handler.add(SanicException, errors.sanic_error)
    app.error_handler.add(Exception, errors.unexpected_error)
    for bp in (misc.bp, cases.bp, appointments.bp, handoffs.bp, conversations.bp, openapi.bp):
        app.blueprint(bp)
    return app

