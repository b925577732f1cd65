"""The staff desk's part of the OpenAPI document: accounts, the queue, the case desk,
statistics, exports, evidence and mediator profiles (merged into ``openapi.PATHS``)."""

from __future__ import annotations

from typing import Any

from integration.categories import CATEGORY_NAMES

_ERR = {"$ref": "#/components/schemas/Error"}
_S = {"type": "string"}
_OBJ = {"type": "object"}


def _op(
    summary: str,
    status: str = "200",
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    content: str = "application/json",
    **extra: Any,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            status: {
                "description": "OK",
                "content": {content: {"schema": _OBJ if content.endswith("json") else _S}},
            },
            "4XX": {"description": "error", "content": {"application/json": {"schema": _ERR}}},
        },
        **extra,
    }
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _q(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "required": False, "schema": _S} for n in names]


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


_RANGE = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "string", "format": "date"}}
    for n in ("from", "to")
]
_PASSWORD = {"type": "string", "minLength": 1, "maxLength": 256}
_TAGS = _obj(["tags"], tags={"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 12}})
_CASE_FIELDS = _obj(
    ["category", "description", "applicant"],
    category={"enum": list(CATEGORY_NAMES)},
    description=_S,
    location=_S,
    amount_yuan=_S,
    respondents={"type": "array"},
    applicant=_obj(["name", "phone"], name=_S, phone=_S, id_number=_S),
)
_MEDIATOR = {
    "type": "object",
    "properties": {
        "code": _S,
        "name": _S,
        "title": _S,
        "institution": _S,
        "bio": _S,
        "active": {"type": "boolean"},
        "specialties": {"type": "array", "items": {"enum": list(CATEGORY_NAMES)}},
        "languages": {"type": "array", "items": _S},
        "hours": {
            "type": "array",
            "items": _obj(["weekday", "start", "end"], weekday={"type": "integer"}, start=_S, end=_S),
        },
        "days_off": {"type": "array", "items": {"type": "string", "format": "date"}},
    },
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/staff/login": {
        "post": _op(
            "工作人员登录（无需令牌）：返回会话令牌；连续输错锁定账号",
            body=_obj(
                ["username", "password"], username={"type": "string", "maxLength": 64}, password=_PASSWORD
            ),
        )
    },
    "/api/staff/logout": {"post": _op("结束当前会话")},
    "/api/staff/me": {"get": _op("当前令牌或会话对应的工作人员、角色与权限")},
    "/api/staff/accounts": {
        "get": _op("账号列表（管理员）"),
        "post": _op(
            "创建账号（管理员）",
            "201",
            _obj(
                ["username", "role", "password"],
                username=_S,
                display_name=_S,
                password=_PASSWORD,
                role={"enum": ["clerk", "mediator", "supervisor", "admin"]},
                institution=_S,
            ),
        ),
    },
    "/api/staff/accounts/{username}/{action}": {
        "post": _op(
            "停用 / 启用账号，或重设密码（管理员）",
            body={"type": "object", "properties": {"password": _PASSWORD}},
        )
    },
    "/api/staff/colleagues": {"get": _op("可转交会话的同事")},
    "/api/staff/password": {
        "post": _op(
            "修改自己的密码（其他会话随即失效）",
            body=_obj(["current", "password"], current=_PASSWORD, password=_PASSWORD),
        )
    },
    "/api/staff/audit": {
        "get": _op("工作人员操作与拒绝记录（管理员）"),
        "post": _op(
            "记录网页服务拒绝的请求（如缺少 CSRF 令牌）",
            "201",
            _obj(["action"], action={"type": "string", "maxLength": 32}, path=_S),
        ),
    },
    "/api/handoffs/events": {
        "get": _op(
            "转人工队列变化的实时推送（server-sent events）",
            content="text/event-stream",
        )
        | {"x-stream": True}
    },
    "/api/handoffs/{handoff_id}/pass": {
        "post": _op(
            "把处理中的会话转交同事", body=_obj(["to"], to={"type": "string", "maxLength": 32}, note=_S)
        )
    },
    "/api/handoffs/{handoff_id}/tags": {
        "put": _op("设置会话标签（识别错误、需补充训练、投诉…）", body=_TAGS)
    },
    "/api/handoffs/{handoff_id}/evidence": {"get": _op("会话中群众上传的材料")},
    "/api/desk/cases": {
        "get": _op(
            "案件列表：逾期优先，其次按下一个时限；姓名、手机已脱敏",
            params=_q("status", "category", "institution", "overdue", "q"),
        )
    },
    "/api/cases/{case_no}/desk": {"get": _op("案件详情：当事人、对话、预约、备注、材料、操作日志")},
    "/api/desk/from-handoff/{handoff_id}": {
        "post": _op("根据转人工会话登记案件（核对后的信息）", "201", _CASE_FIELDS)
    },
    "/api/desk/attach/{handoff_id}": {
        "post": _op(
            "把会话关联到已有案件", body=_obj(["case_no"], case_no={"type": "string", "maxLength": 32})
        )
    },
    "/api/desk/stats": {
        "get": _op("统计：受理量、转人工原因、类别、机构、结果、时限、性别与年龄段", params=_RANGE)
    },
    "/api/desk/stats.csv": {"get": _op("统计导出（CSV）", params=_RANGE, content="text/csv")},
    "/api/desk/cases.csv": {
        "get": _op("案件导出（CSV；个人信息仅限有权角色）", params=_RANGE, content="text/csv")
    },
    "/api/desk/transcripts.json": {"get": _op("对话记录导出（JSON，用于再训练）", params=_RANGE)},
    "/api/desk/transcripts.csv": {
        "get": _op("对话记录导出（CSV，用于再训练）", params=_RANGE, content="text/csv")
    },
    "/api/conversations/{conversation_id}/evidence": {
        "post": {
            **_op(
                "上传群众材料（JPG/PNG/WebP/PDF，按内容校验）",
                "201",
                params=[{"name": "X-Filename", "in": "header", "required": False, "schema": _S}],
            ),
            "requestBody": {
                "required": True,
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("image/jpeg", "image/png", "image/webp", "application/pdf")
                },
            },
        }
    },
    "/api/evidence/{ref}": {"get": _op("材料信息")},
    "/api/evidence/{ref}/file": {"get": _op("材料文件", content="application/octet-stream")},
    "/api/specialties": {"get": _op("擅长领域（纠纷类别）")},
    "/api/mediators": {
        "get": _op(
            "调解员（按姓名、称谓、擅长领域、机构）", params=_q("name", "specialty", "institution", "all")
        ),
        "post": _op("新增调解员", "201", {**_MEDIATOR, "required": ["code", "name", "institution"]}),
    },
    "/api/mediators/{code}": {"put": _op("修改调解员信息", body=_MEDIATOR)},
    "/api/mediators/{code}/slots": {
        "get": _op(
            "某位调解员的空闲时段；没有时说明原因",
            params=[
                *_RANGE[:1],
                {
                    "name": "days",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 14},
                },
            ],
        )
    },
}

PATH_PARAMS: dict[str, dict[str, Any]] = {
    "username": {"type": "string", "maxLength": 32},
    "action": {"enum": ["disable", "enable", "password"]},
    "conversation_id": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,128}$"},
    "code": {"type": "string", "maxLength": 64},
}
