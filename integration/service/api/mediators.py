"""Mediator profiles: the bot and staff look them up (by name, title or specialty) and read one
mediator's free slots; staff with ``mediators.manage`` keep them."""

from __future__ import annotations

from datetime import date

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from integration.categories import CATEGORY_NAMES
from integration.service.api.common import body, offload, principal, require, service
from integration.service.domain.errors import ValidationFailed
from integration.service.services import mediators

bp = Blueprint("mediators", url_prefix="/api")


@bp.get("/specialties")
async def specialties(request: Request) -> HTTPResponse:
    return json({"items": [{"code": k, "name": v} for k, v in CATEGORY_NAMES.items()]})


@bp.get("/mediators")
async def search(request: Request) -> HTTPResponse:
    """``name`` (王 / 陈律师), ``specialty`` (family …), ``institution``; staff who keep the
    profiles also see inactive ones (``all=1``)."""
    who, args = principal(request), request.args
    specialty = args.get("specialty") or None
    if specialty and specialty not in CATEGORY_NAMES:
        raise ValidationFailed("unknown_category", "擅长领域应为纠纷类别代码", field="specialty")
    name = (args.get("name") or "")[:20] or None
    everyone = args.get("all") == "1" and who.may("mediators.manage")
    items = await offload(
        lambda: mediators.search(
            service(request),
            name=name,
            specialty=specialty,
            institution=args.get("institution") or None,
            include_inactive=everyone,
        )
    )
    return json({"items": items})


@bp.get("/mediators/<code:str>/slots")
async def free_slots(request: Request, code: str) -> HTTPResponse:
    """``from`` (a local date, default today) and ``days`` (1–14, default 7)."""
    ctx = service(request)
    try:
        first = date.fromisoformat(
            request.args.get("from") or ctx.clock().astimezone(ctx.tz).date().isoformat()
        )
        days = int(request.args.get("days") or 7)
    except ValueError as exc:
        raise ValidationFailed("invalid_date", "日期格式应为 YYYY-MM-DD，天数为整数", field="from") from exc
    return json(await offload(mediators.free_slots, ctx, code, first, days))


@bp.post("/mediators")
async def create(request: Request) -> HTTPResponse:
    who, data, ctx = require(request, "mediators.manage"), body(request), service(request)
    code = str(data.get("code") or "")

    def run() -> dict[str, object]:
        with ctx.uow() as uow:
            made = mediators.save(ctx, uow, code, data, who.actor, create=True)
            uow.commit()
            return made

    return json(await offload(run), status=201)


@bp.put("/mediators/<code:str>")
async def update(request: Request, code: str) -> HTTPResponse:
    who, data, ctx = require(request, "mediators.manage"), body(request), service(request)

    def run() -> dict[str, object]:
        with ctx.uow() as uow:
            saved = mediators.save(ctx, uow, code, data, who.actor, create=False)
            uow.commit()
            return saved

    return json(await offload(run))
