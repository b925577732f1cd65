"""OpenAPI 3.1 document served at /api/openapi.json (hand-written; a test checks it lists every
route the app registers)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

bp = Blueprint("openapi")

_ERR = {"$ref": "#/components/schemas/Error"}
_CASE = {"$ref": "#/components/schemas/Case"}
_APPT = {"$ref": "#/components/schemas/Appointment"}
_IDEM = {"name": "Idempotency-Key", "in": "header", "required": False,
         "schema": {"type": "string", "maxLength": 200}}


def _op(summary: str, ok: dict[str, Any] | None = None, status: str = "200",
        body: bool = False, params: list[dict[str, Any]] | None = None,
        staff: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary + ("（仅工作人员）" if staff else ""),
        "responses": {status: {"description": "OK", "content": {"application/json": {
            "schema": ok or {"type": "object"}}}},
            "4XX": {"description": "error", "content": {"application/json": {"schema": _ERR}}}},
    }
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"type": "object"}}}}
    return op


def _q(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": True, "schema": {"type": "string"}}


def _items(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {"items": {"type": "array", "items": schema}}}


PATHS: dict[str, dict[str, Any]] = {
    "/health": {"get": _op("健康检查（无需令牌）")},
    "/api/openapi.json": {"get": _op("本文档")},
    "/api/institutions": {"get": _op("调解机构列表")},
    "/api/cases": {
        "post": _op("登记案件（支持 Idempotency-Key）", _CASE, "201", True, [_IDEM]),
        "get": _op("按申请人手机号查询案件", _items(_CASE), params=[_q("phone")]),
    },
    "/api/cases/{case_no}": {"get": _op("查询案件", _CASE)},
    "/api/cases/{case_no}/audit": {"get": _op("案件操作日志", staff=True)},
    "/api/cases/{case_no}/transitions": {"post": _op(
        "状态流转：route / start_mediation / close(outcome)", _CASE, body=True, staff=True)},
    "/api/cases/{case_no}/reroute": {"post": _op("改派机构（须说明理由）", _CASE, body=True,
                                                 staff=True)},
    "/api/cases/{case_no}/contact": {"post": _op("记录首次联系当事人", _CASE, body=True,
                                                 staff=True)},
    "/api/cases/{case_no}/notes": {"post": _op("添加备注", _CASE, "201", True, staff=True)},
    "/api/cases/{case_no}/follow-up": {"post": _op("记录回访结果", _CASE, body=True,
                                                   staff=True)},
    "/api/cases/{case_no}/transcript": {"put": _op("附加（替换）对话记录", body=True)},
    "/api/handoffs": {"post": _op("请求转人工（支持 Idempotency-Key）", status="201", body=True,
                                  params=[_IDEM]),
                      "get": _op("待处理的转人工请求", staff=True)},
    "/api/staff/cases": {"get": _op("工作台：逾期案件优先", _items(_CASE), staff=True)},
    "/api/staff/overdue-check": {"post": _op("立即执行逾期检查", staff=True)},
    "/api/slots": {"get": _op("可预约时段", params=[_q("institution"), _q("date")])},
    "/api/appointments": {
        "post": _op("预约（支持 Idempotency-Key）", _APPT, "201", True, [_IDEM]),
        "get": _op("按手机号查询预约", _items(_APPT), params=[_q("phone")]),
    },
    "/api/appointments/{ref}/cancel": {"post": _op("取消预约", _APPT)},
    "/api/appointments/{ref}/reschedule": {"post": _op("改约", _APPT, body=True,
                                                       params=[_IDEM])},
}

_S = {"type": "string"}
_NS = {"type": ["string", "null"]}
SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "code": _S, "message": _S, "field": _S}, "required": ["code", "message"]}}},
    "Case": {"type": "object", "required": [
        "case_no", "status", "category", "category_name", "applicant", "respondents",
        "description", "location", "amount_yuan", "channel", "institution", "created_at", "due",
        "conversation_id"], "properties": {
        "case_no": {"type": "string", "pattern": r"^JF-\d{4}-\d{6,}$"},
        "status": {"enum": ["received", "registered", "routed", "in_mediation", "closed",
                            "followed_up"]},
        "outcome": {"enum": [None, "settled", "not_settled", "referred_arbitration",
                             "referred_court", "withdrawn"]},
        "category": _S, "category_name": _S, "description": _S, "location": _NS,
        "amount_yuan": {"type": ["string", "null"], "description": "decimal yuan as a string"},
        "channel": {"enum": ["web", "phone", "robot", "walk-in"]},
        "applicant": {"type": "object", "properties": {"name": _S, "phone": _S,
                                                       "id_number_masked": _S}},
        "respondents": {"type": "array", "items": {"type": "object",
                                                   "properties": {"name": _S}}},
        "institution": {"type": ["object", "null"], "properties": {"code": _S, "name": _S}},
        "created_at": _S,
        "due": {"type": "object", "properties": {k: _S for k in (
            "route_by", "contact_by", "close_by", "follow_up_by")}},
        "overdue": {"type": "array", "items": _S},
        "conversation_id": _NS}},
    "Appointment": {"type": "object", "properties": {
        "ref": _S, "status": {"enum": ["booked", "cancelled", "rescheduled"]},
        "institution": {"type": "object"}, "mediator": {"type": "object"}, "start": _S,
        "end": _S, "name": _S, "phone": _S, "case_no": _NS, "replaced_by": _NS}},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "解纷助手 案件服务 API", "version": "1.0.0"},
    "components": {"schemas": SCHEMAS, "securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": PATHS,
}


@bp.get("/api/openapi.json")
async def openapi_json(request: Request) -> HTTPResponse:
    return json(DOCUMENT)
