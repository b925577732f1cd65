"""The staff desk's case list, opened case, cases from hand-offs, statistics and exports."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, text

from integration.service.api.common import body, offload, require, service
from integration.service.api.handoffs import known
from integration.service.domain import validation as v
from integration.service.services import desk, exports, stats
from integration.service.services.idempotency import run_idempotent

bp = Blueprint("desk")
CSV = "text/csv; charset=utf-8"


def _attachment(content: str, content_type: str, filename: str) -> HTTPResponse:
    return text(
        content,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/api/desk/cases")
async def case_list(request: Request) -> HTTPResponse:
    """``status`` (a status, or ``open``), ``category``, ``institution``, ``overdue=1``, ``q``:
    overdue first, then by the next deadline; names and phones masked."""
    who = require(request, "cases.read")
    query = desk.validate_query(request.args)
    return json({"items": await offload(desk.case_list, service(request), who, query)})


@bp.get("/api/cases/<case_no:str>/desk")
async def case_desk(request: Request, case_no: str) -> HTTPResponse:
    who = require(request, "cases.read")
    return json(await offload(desk.case_desk, service(request), case_no, who))


async def _write(request: Request, payload: dict[str, Any], op: Any, status: int = 200) -> HTTPResponse:
    ctx = service(request)
    result = await offload(
        run_idempotent,
        ctx,
        request.ctx.actor,
        request.headers.get("idempotency-key"),
        payload,
        lambda uow: (status, op(ctx, uow)),
    )
    return json(result.body, status=result.status)


@bp.post("/api/desk/from-handoff/<handoff_id:int>")
async def from_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    """Register a case from a hand-off with the corrected details (category, description,
    applicant, respondents, location, amount_yuan)."""
    who, data, handoff_id = require(request, "cases.create"), body(request), known(handoff_id)
    return await _write(
        request,
        {"handoff": handoff_id, **data},
        lambda ctx, uow: desk.from_handoff(ctx, uow, handoff_id, data, who),
        201,
    )


@bp.post("/api/desk/attach/<handoff_id:int>")
async def attach(request: Request, handoff_id: int) -> HTTPResponse:
    who, data, handoff_id = require(request, "cases.create"), body(request), known(handoff_id)
    case_no = v.required_text(data, "case_no", max_len=32).upper()
    return await _write(
        request,
        {"handoff": handoff_id, **data},
        lambda ctx, uow: desk.attach(ctx, uow, handoff_id, case_no, who),
    )


def _range(request: Request) -> Any:
    return stats.date_range(service(request), request.args.get("from"), request.args.get("to"))


@bp.get("/api/desk/stats")
async def statistics(request: Request) -> HTTPResponse:
    require(request, "stats")
    first, last = _range(request)
    return json(await offload(stats.compute, service(request), first, last))


@bp.get("/api/desk/stats.csv")
async def statistics_csv(request: Request) -> HTTPResponse:
    require(request, "export")
    first, last = _range(request)
    data = await offload(stats.compute, service(request), first, last)
    return _attachment(stats.stats_csv(data), CSV, f"statistics-{first}-{last}.csv")


@bp.get("/api/desk/cases.csv")
async def cases_csv(request: Request) -> HTTPResponse:
    """Names, phones and ID numbers in full only for roles allowed personal data."""
    who = require(request, "export")
    first, last = _range(request)
    content = await offload(exports.cases_csv, service(request), who, first, last)
    return _attachment(content, CSV, f"cases-{first}-{last}.csv")


@bp.get("/api/desk/transcripts.json", name="transcripts_json")
async def transcripts_json(request: Request) -> HTTPResponse:
    return await _transcripts(request, "json")


@bp.get("/api/desk/transcripts.csv", name="transcripts_csv")
async def transcripts_csv(request: Request) -> HTTPResponse:
    return await _transcripts(request, "csv")


async def _transcripts(request: Request, fmt: str) -> HTTPResponse:
    """Conversations with their tags, for retraining; masked unless the role may see personal data."""
    who = require(request, "export")
    first, last = _range(request)
    items = await offload(exports.transcripts, service(request), who, first, last)
    if fmt == "csv":
        return _attachment(exports.transcripts_csv(items), CSV, f"transcripts-{first}-{last}.csv")
    return _attachment(
        exports.transcripts_json(items), "application/json; charset=utf-8", f"transcripts-{first}-{last}.json"
    )
