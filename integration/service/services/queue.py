"""The hand-off queue as the staff desk works it: ordering (safety first, then overdue, then the
longest wait), filters, passing a claimed conversation to a colleague, tags; and the in-process
feed that pushes every change to open consoles.

The feed lives in this process's memory, like the web service's hub: with several case-service
processes behind a load balancer a shared broker takes its place (the scale-out profile's job).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.errors import Forbidden, HandoffConflict, ValidationFailed
from integration.service.domain.roles import PERMISSIONS, Principal, Role
from integration.service.services.cases import audit
from integration.service.services.context import ServiceContext
from integration.service.services.views import handoff_json

log = logging.getLogger(__name__)
SUGGESTED_TAGS = ("识别错误", "需补充训练", "投诉", "紧急", "重复来电", "信息不全", "已回电")
MAX_TAGS, MAX_TAG_CHARS = 10, 12
FEED_QUEUE = 200


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"
    category: str | None = None
    institution: str | None = None
    channel: str | None = None


def _institution(ctx: ServiceContext, row: orm.Handoff) -> str:
    """The case's institution, else where the routing table would send the category."""
    if row.case is not None and row.case.institution is not None:
        return row.case.institution.code
    return ctx.router.route(row.category or "other", None)


def entry(ctx: ServiceContext, row: orm.Handoff, overdue_after: timedelta) -> dict[str, Any]:
    now = ctx.clock()
    waited = (row.claimed_at or row.closed_at or now) - row.created_at
    return {
        **handoff_json(row, ctx.tz),
        "tags": list(row.tags or []),
        "institution": _institution(ctx, row),
        "waiting_s": int(max(waited.total_seconds(), 0)),
        "overdue": row.status == "open" and now - row.created_at > overdue_after,
    }


def listing(ctx: ServiceContext, filters: QueueFilter, overdue_after: timedelta) -> list[dict[str, Any]]:
    """Safety first, then overdue (waiting longer than HANDOFF_OVERDUE_MIN), then oldest."""
    with ctx.uow() as uow:
        rows = uow.repo.handoffs(filters.status, limit=500)
        items = [
            entry(ctx, r, overdue_after)
            for r in rows
            if (filters.category is None or r.category == filters.category)
            and (filters.channel is None or r.channel == filters.channel)
        ]
    if filters.institution:
        items = [i for i in items if i["institution"] == filters.institution]
    items.sort(key=lambda i: (not i["urgent"], not i["overdue"], i["created_at"], i["id"]))
    return items


def detail(ctx: ServiceContext, handoff_id: int, overdue_after: timedelta) -> dict[str, Any]:
    with ctx.uow() as uow:
        return entry(ctx, uow.repo.handoff(handoff_id), overdue_after)


def pass_to(
    ctx: ServiceContext, uow: UnitOfWork, handoff_id: int, who: Principal, colleague: str, note: str | None
) -> dict[str, Any]:
    """A claimed conversation to another person who works the queue; only its holder (or a
    supervisor) may pass it on."""
    row = uow.repo.handoff(handoff_id)
    if row.status != "claimed":
        raise HandoffConflict("只有处理中的会话可以转交")
    if row.claimed_by != who.actor and who.role is not Role.SUPERVISOR:
        raise Forbidden("这个会话由其他工作人员处理，只有处理人或主管可以转交")
    target = uow.session.scalars(
        select(orm.StaffAccount).where(orm.StaffAccount.username == colleague)
    ).first()
    if target is None or not target.active or Role(target.role) not in PERMISSIONS["queue"]:
        raise ValidationFailed(
            "unknown_colleague", "找不到可以接手的同事（账号不存在、已停用或无权处理会话）", field="to"
        )
    if f"staff:{target.username}" == row.claimed_by:
        raise ValidationFailed("same_colleague", "会话已经由这位同事处理", field="to")
    before, now = row.claimed_by, ctx.clock()
    row.claimed_by, row.claimed_at = f"staff:{target.username}", now
    uow.session.flush()
    if row.case is not None:
        audit(
            uow,
            row.case,
            who.actor,
            "handoff_passed",
            now,
            note,
            handoff=row.id,
            before=before,
            after=row.claimed_by,
        )
    log.info("hand-off %s passed from %s to %s by %s", row.id, before, row.claimed_by, who.actor)
    return {
        **handoff_json(row, ctx.tz),
        "tags": list(row.tags or []),
        "passed_from": before,
        "claimed_by_name": target.display_name,
    }


def set_tags(
    ctx: ServiceContext, uow: UnitOfWork, handoff_id: int, tags: object, actor: str
) -> dict[str, Any]:
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise ValidationFailed("invalid_tags", f"标签最多{MAX_TAGS}个", field="tags")
    clean: list[str] = []
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip() or len(tag.strip()) > MAX_TAG_CHARS:
            raise ValidationFailed("invalid_tags", f"每个标签1至{MAX_TAG_CHARS}个字", field="tags")
        if tag.strip() not in clean:
            clean.append(tag.strip())
    row = uow.repo.handoff(handoff_id)
    row.tags = clean
    if row.case is not None:
        audit(uow, row.case, actor, "handoff_tagged", ctx.clock(), None, handoff=row.id, tags=clean)
    return {**handoff_json(row, ctx.tz), "tags": clean}


class QueueFeed:
    """Every change of a hand-off, to every open console of this process."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()

    def publish(self, change: str, handoff: dict[str, Any]) -> None:
        event = {
            "type": "handoff",
            "change": change,
            "id": handoff.get("id"),
            "status": handoff.get("status"),
            "urgent": handoff.get("urgent"),
            "claimed_by": handoff.get("claimed_by"),
            "tags": handoff.get("tags"),
        }
        for queue in list(self._subscribers):
            if queue.full():
                queue.get_nowait()  # a stalled console loses the oldest event, never blocks
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(FEED_QUEUE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
