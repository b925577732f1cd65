"""Text messages: Twilio's signed webhooks (delivery reports, replies such as "退订"), the
citizens' opt-outs, and what staff see of the queue."""

from __future__ import annotations

import math
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, text

from integration.client.limits import LockOut
from integration.service.api.common import body, offload, require_staff, service
from integration.service.api.errors import ApiError
from integration.service.domain import validation as v
from integration.service.notify.config import INBOUND_PATH, STATUS_PATH, NotifySettings
from integration.service.notify.twilio_sms import (
    delivery_update,
    inbound_sms,
    signature_valid,
    twiml_reply,
)
from integration.service.services import notifications, sms_dispatch
from integration.service.services.context import ServiceContext
from integration.service.services.views import notification_json
from textnorm.mask import mask_phone

bp = Blueprint("sms")
WEBHOOK_PATHS = frozenset({STATUS_PATH, INBOUND_PATH})
NOTIFICATION_STATUSES = frozenset({"pending", "sending", "sent", "delivered", "undelivered",
                                   "failed", "skipped", "cancelled", "expired"})


def _twilio_params(request: Request) -> dict[str, str]:
    """A signed Twilio webhook's parameters; 403 unless the signature is right.

    A right signature is always accepted: behind a reverse proxy every caller shares one
    address, and a guesser must not lock Twilio out. Wrong ones still count towards the
    address's lock-out, and a locked address is told so (429)."""
    settings: NotifySettings = request.app.ctx.settings.notify
    if settings.provider != "twilio" or not settings.public_url:
        raise ApiError(404, "not_found", "未启用短信回调")
    form = request.form
    params = {key: form.get(key) or "" for key in form} if form is not None else {}
    url = settings.public_url.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string
    signature = request.headers.get("x-twilio-signature", "")
    if signature_valid(settings.twilio_auth_token, url, params, signature):
        return params
    lockout: LockOut = request.app.ctx.lockout
    source = request.remote_addr or request.ip or "?"
    locked = lockout.failed(source) or lockout.locked(source)
    if locked:
        raise ApiError(429, "locked_out", f"尝试次数过多，请{math.ceil(locked / 60)}分钟后再试")
    raise ApiError(403, "bad_signature", "签名无效")


@bp.post(STATUS_PATH)
async def twilio_status(request: Request) -> HTTPResponse:
    update = delivery_update(_twilio_params(request))
    if update is not None:
        await offload(sms_dispatch.record_delivery, service(request), "twilio", update)
    return text("", status=204)


@bp.post(INBOUND_PATH)
async def twilio_inbound(request: Request) -> HTTPResponse:
    settings: NotifySettings = request.app.ctx.settings.notify
    message = inbound_sms(_twilio_params(request), settings.country_code)
    reply = await offload(sms_dispatch.handle_inbound, service(request), message)
    return text(twiml_reply(reply), content_type="application/xml")


@bp.post("/api/sms/opt-outs")
async def opt_out(request: Request) -> HTTPResponse:
    """The citizen asked the bot (or staff) for no more texts to this number."""
    phone = v.phone(body(request).get("phone"), "phone")
    source = "staff" if request.ctx.is_staff else "citizen_request"

    def run(ctx: ServiceContext) -> bool:
        with ctx.uow() as uow:
            added = notifications.decline(ctx, uow, phone, source)
            uow.commit()
            return added
    added = await offload(run, service(request))
    return json({"phone_masked": mask_phone(phone), "opted_out": True, "new": added},
                status=201 if added else 200)


@bp.delete("/api/sms/opt-outs/<phone:str>")
async def opt_in(request: Request, phone: str) -> HTTPResponse:
    """Staff, on the citizen's request: texts to this number again."""
    require_staff(request)
    number = v.phone(phone, "phone")

    def run(ctx: ServiceContext) -> bool:
        with ctx.uow() as uow:
            removed = uow.repo.remove_opt_out(number)
            uow.commit()
            return removed
    removed = await offload(run, service(request))
    return json({"phone_masked": mask_phone(number), "opted_out": False, "removed": removed})


@bp.get("/api/cases/<case_no:str>/notifications")
async def case_notifications(request: Request, case_no: str) -> HTTPResponse:
    require_staff(request)

    def load(ctx: ServiceContext) -> list[dict[str, Any]]:
        with ctx.uow() as uow:
            case = uow.repo.get_case(case_no)
            return [notification_json(n, ctx.tz) for n in uow.repo.notifications_of_case(case.id)]
    return json({"items": await offload(load, service(request))})


@bp.get("/api/staff/notifications")
async def staff_notifications(request: Request) -> HTTPResponse:
    """Newest first; ``?status=failed,expired`` lists the texts that never arrived."""
    require_staff(request)
    statuses = [s for s in (request.args.get("status") or "").split(",") if s]
    unknown = set(statuses) - NOTIFICATION_STATUSES
    if unknown:
        raise ApiError(422, "invalid_status", "短信状态不正确")

    def load(ctx: ServiceContext) -> list[dict[str, Any]]:
        with ctx.uow() as uow:
            rows = uow.repo.notifications_by_status(statuses or sorted(NOTIFICATION_STATUSES))
            return [notification_json(n, ctx.tz) for n in rows]
    return json({"items": await offload(load, service(request))})
