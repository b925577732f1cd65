"""OpenAPI 3.1 document served at /api/openapi.json (hand-written; a test checks it lists every
route the app registers)."""

from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from integration.categories import CATEGORY_NAMES, CHANNELS
from integration.conversation_vocab import CHANNELS as CONVERSATION_CHANNELS
from integration.conversation_vocab import MAX_BODY_BYTES
from integration.conversation_vocab import MAX_TURNS as MAX_CONVERSATION_TURNS
from integration.handoff_vocab import (
    MAX_COLLECTED,
    MAX_SLOT_VALUE,
    MAX_TURN_CHARS,
    MAX_TURNS,
    REASON_NAMES,
    SPEAKERS,
    STATUSES,
)
from integration.service.api import openapi_desk as desk_paths

bp = Blueprint("openapi")

_ERR = {"$ref": "#/components/schemas/Error"}
_CASE = {"$ref": "#/components/schemas/Case"}
_APPT = {"$ref": "#/components/schemas/Appointment"}
_HANDOFF = {"$ref": "#/components/schemas/Handoff"}
_CONV = {"$ref": "#/components/schemas/Conversation"}
_SMS = {"$ref": "#/components/schemas/Notification"}
_IDEM = {"name": "Idempotency-Key", "in": "header", "required": False,
         "schema": {"type": "string", "maxLength": 200}}
_S = {"type": "string"}
_NS = {"type": ["string", "null"]}
_TURN = {"type": "object", "required": ["speaker", "text"], "properties": {
    "speaker": {"enum": list(SPEAKERS)},
    "text": {"type": "string", "maxLength": MAX_TURN_CHARS},
    "at": {"type": ["string", "null"], "format": "date-time"},
    "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1}}}
_PACKET: dict[str, Any] = {
    "conversation_id": {"type": "string", "maxLength": 128},
    "reason": {"type": "string", "maxLength": 200, "description": "free text for staff"},
    "reason_code": {"enum": list(REASON_NAMES), "default": "requested"},
    "urgent": {"type": "boolean", "default": False,
               "description": "always true when reason_code is safety"},
    "category": {"type": ["string", "null"], "enum": [None, *CATEGORY_NAMES]},
    "channel": {"enum": list(CHANNELS), "default": "web"},
    "summary": {"type": ["string", "null"]},
    "phone": {"type": ["string", "null"]},
    "case_no": {"type": ["string", "null"]},
    "collected": {"type": "object", "maxProperties": MAX_COLLECTED,
                  "additionalProperties": {"type": "string", "maxLength": MAX_SLOT_VALUE},
                  "description": "slot name -> value, e.g. applicant_name, applicant_phone"},
    "transcript": {"type": "array", "items": _TURN,
                   "description": f"only the last {MAX_TURNS} turns are kept"},
    "callback_requested": {"type": "boolean", "default": False},
}


def _op(summary: str, ok: dict[str, Any] | None = None, status: str = "200",
        body: bool | dict[str, Any] = False, params: list[dict[str, Any]] | None = None,
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
        op["requestBody"] = {"required": body is True, "content": {"application/json": {
            "schema": {"type": "object"} if body is True else body}}}
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
        "get": _op("按申请人手机号或受理回执号（RC-…，登记请求暂存时告知市民的）查询案件",
                   _items(_CASE), params=[
                       {"name": "phone", "in": "query", "required": False, "schema": _S},
                       {"name": "receipt", "in": "query", "required": False,
                        "schema": {"type": "string", "maxLength": 32}}]),
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
    "/api/cases/{case_no}/notifications": {"get": _op(
        "本案的短信及其发送状态", _items(_SMS), staff=True)},
    "/api/staff/notifications": {"get": _op(
        "短信队列（最新在前）；status=failed,expired 列出未送达的", _items(_SMS), staff=True,
        params=[{"name": "status", "in": "query", "required": False, "schema": _S}])},
    "/api/sms/opt-outs": {"post": _op(
        "市民不再接收短信（退订）", {"type": "object"}, "201",
        {"type": "object", "required": ["phone"], "properties": {"phone": _S}})},
    "/api/sms/opt-outs/{phone}": {"delete": _op("恢复向该号码发送短信（应市民要求）",
                                                staff=True)},
    "/twilio/sms/status": {"post": {**_op("Twilio 短信状态回调（X-Twilio-Signature 签名，无需令牌）"),
                                    "security": []}},
    "/twilio/sms/inbound": {"post": {**_op("Twilio 收到市民回复（如“退订”，签名校验，回复 TwiML）"),
                                     "security": []}},
    "/api/handoffs": {
        "post": {**_op("请求转人工，附完整交接信息（支持 Idempotency-Key）", _HANDOFF, "201",
                       params=[_IDEM]),
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/HandoffRequest"}}}}},
        "get": _op("转人工请求列表：紧急优先，其次最早优先", _items(_HANDOFF), staff=True,
                   params=[{"name": "status", "in": "query", "required": False, "schema": {
                       "enum": list(STATUSES), "default": "open"}}]),
    },
    "/api/handoffs/{handoff_id}": {"get": _op("查看转人工请求", _HANDOFF, staff=True)},
    "/api/handoffs/{handoff_id}/claim": {"post": _op(
        "接手转人工请求（open → claimed；已被接手返回 409）", _HANDOFF, staff=True,
        params=[_IDEM])},
    "/api/handoffs/{handoff_id}/close": {"post": _op(
        "结束转人工请求（可附 note）", _HANDOFF, staff=True, params=[_IDEM],
        body={"type": "object", "properties": {"note": _NS}})},
    "/api/conversations/{conversation_id}": {
        "parameters": [{"name": "conversation_id", "in": "path", "required": True, "schema": {
            "type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,128}$"}}],
        "put": {**_op(f"保存（替换）完整对话记录；请求体最多 {MAX_BODY_BYTES:,} 字节，超出返回 413",
                      {"type": "object", "properties": {
                          "conversation_id": _S, "turns": {"type": "integer"},
                          "updated_at": _S}}),
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ConversationRecord"}}}}},
        "get": _op("查看完整对话记录及关联的案件和转人工请求", _CONV, staff=True),
    },
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

PATHS.update(desk_paths.PATHS)

_PATH_PARAMS: dict[str, dict[str, Any]] = {
    **desk_paths.PATH_PARAMS,
    "case_no": {"type": "string", "maxLength": 32, "description": "案件编号，如 JF-2026-000123"},
    "handoff_id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    "ref": {"type": "string", "maxLength": 32, "description": "预约编号"},
    "phone": {"type": "string", "maxLength": 32, "description": "11位手机号"},
}


def _with_path_parameters(paths: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every ``{name}`` of a path template declared once for the path (OpenAPI requires it)."""
    for template, item in paths.items():
        declared = {p["name"] for p in item.get("parameters", []) if p.get("in") == "path"}
        for name in re.findall(r"\{(\w+)\}", template):
            if name not in declared:
                item.setdefault("parameters", []).append(
                    {"name": name, "in": "path", "required": True, "schema": _PATH_PARAMS[name]})
    return paths


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
        "conversation_id": _NS,
        "sms_queued": {"type": "boolean", "description": (
            "only in the answer to POST: a text with the case number is queued")}}},
    "Notification": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": _S,
        "status": {"enum": ["pending", "sending", "sent", "delivered", "undelivered", "failed",
                            "skipped", "cancelled", "expired"]},
        "to": {"type": "string", "description": "masked"}, "body": _S, "case_no": _NS,
        "appointment_ref": _NS, "attempts": {"type": "integer"}, "next_attempt_at": _NS,
        "sent_at": _NS, "provider": _NS, "provider_id": _NS, "last_error": _NS,
        "created_at": _S}},
    "HandoffRequest": {"type": "object", "required": ["conversation_id", "reason"],
                       "properties": _PACKET},
    "Handoff": {"type": "object", "properties": {
        **_PACKET,
        "id": {"type": "integer"},
        "status": {"enum": list(STATUSES)},
        "reason_name": _S,
        "category_name": _NS,
        "case_found": {"type": "boolean",
                       "description": "case_no names an existing case (linked)"},
        "created_at": _S, "claimed_by": _NS, "claimed_at": _NS, "closed_by": _NS,
        "closed_at": _NS, "close_note": _NS,
        "merged": {"type": "boolean", "description": (
            "true when the request was added to the conversation's hand-off that was still open "
            "or claimed (one per conversation; status 200 instead of 201)")}}},
    "ConversationRecord": {"type": "object", "required": ["channel", "turns"], "properties": {
        "conversation_id": {"type": "string", "description": "optional; must equal the path's"},
        "channel": {"enum": list(CONVERSATION_CHANNELS)},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "ended_at": {"type": ["string", "null"], "format": "date-time",
                     "description": "not before started_at"},
        "turns": {"type": "array", "maxItems": MAX_CONVERSATION_TURNS,
                  "items": {"type": "object"},
                  "description": "stored as sent, e.g. the phone gateway's events "
                                 "{at, t_ms, kind, text, confidence}"}}},
    "Conversation": {"type": "object", "properties": {
        "conversation_id": _S, "channel": {"enum": list(CONVERSATION_CHANNELS)},
        "started_at": _NS, "ended_at": _NS, "updated_at": _S,
        "turns": {"type": "array", "items": {"type": "object"}},
        "cases": {"type": "array", "items": _S,
                  "description": "numbers of the cases registered from this conversation"},
        "handoffs": {"type": "array", "items": {"type": "integer"},
                     "description": "ids of the hand-offs requested in this conversation"}}},
    "Appointment": {"type": "object", "properties": {
        "ref": _S, "status": {"enum": ["booked", "cancelled", "rescheduled"]},
        "institution": {"type": "object"}, "mediator": {"type": "object"}, "start": _S,
        "end": _S, "name": _S, "phone": _S, "case_no": _NS, "replaced_by": _NS,
        "sms": {"enum": [None, "confirmation", "confirmation_and_reminder"], "description": (
            "only in answers to booking, cancelling and moving: the texts queued")}}},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "解纷助手 案件服务 API", "version": "1.0.0"},
    "components": {"schemas": SCHEMAS, "securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "paths": _with_path_parameters(PATHS),
}


@bp.get("/api/openapi.json")
async def openapi_json(request: Request) -> HTTPResponse:
    return json(DOCUMENT)
