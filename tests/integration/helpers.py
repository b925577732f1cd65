"""Shared builders for integration tests."""

from __future__ import annotations

from typing import Any

from sanic import Sanic

from integration.service.domain.intake import NewCase, parse_new_case
from integration.service.services import cases
from integration.service.services.context import ServiceContext
from integration.service.services.idempotency import run_idempotent

VALID_ID = "11010519491231002X"
BOT = {"Authorization": "Bearer dev-bot-token"}
STAFF = {"Authorization": "Bearer dev-staff-token"}


def case_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "labour", "description": "公司拖欠三个月工资",
        "applicant": {"name": "张三", "phone": "13800138000", "id_number": VALID_ID},
        "respondents": ["某建筑公司"], "location": "莒南县十字路街道", "amount_yuan": "12000.50",
        "channel": "robot", "conversation_id": "conv-1",
    }
    body.update(overrides)
    return body


def new_case(**overrides: Any) -> NewCase:
    return parse_new_case(case_body(**overrides))


def register(ctx: ServiceContext, key: str | None = None, **overrides: Any) -> dict[str, Any]:
    body = case_body(**overrides)
    new = parse_new_case(body)
    result = run_idempotent(ctx, "bot", key, body,
                            lambda uow: (201, cases.register(ctx, uow, new, "bot")))
    return result.body


async def call(app: Sanic, method: str, path: str, headers: dict[str, str] | None = None,
               **kw: Any) -> Any:
    """One request through Sanic's ASGI test client; the bot's token unless told otherwise."""
    _, resp = await getattr(app.asgi_client, method)(
        path, headers=BOT if headers is None else headers, **kw)
    return resp
