"""Conversation-record use cases against SQLite and PostgreSQL: insert or replace, links, and
concurrent PUTs of a new conversation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from threading import Barrier
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from integration.service.domain.conversation import NewConversation, parse_conversation
from integration.service.domain.errors import ConversationNotFound
from integration.service.domain.handoff import parse_new_handoff
from integration.service.services import conversations, handoffs
from integration.service.services.context import ServiceContext
from tests.integration.conftest import Clock
from tests.integration.helpers import register

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _put(ctx: ServiceContext, new: NewConversation, actor: str = "bot") -> dict[str, Any]:
    with ctx.uow() as uow:
        result = conversations.put_conversation(ctx, uow, new, actor)
        uow.commit()
        return result


def test_insert_then_replace_keeps_one_row(ctx: ServiceContext, clock: Clock) -> None:
    started = datetime(2026, 3, 2, 1, 59, tzinfo=UTC)
    first = _put(ctx, NewConversation("c-1", "web", started, None, [{"kind": "caller", "text": "你好"}]))
    assert first == {"conversation_id": "c-1", "turns": 1, "updated_at": "2026-03-02T10:00:00+08:00"}
    clock.advance(minutes=2)
    _put(ctx, NewConversation("c-1", "robot", None, clock.now, [{"kind": "bot"}, {"kind": "call_end"}]))
    got = conversations.get_conversation(ctx, "c-1")
    assert got == {
        "conversation_id": "c-1",
        "channel": "robot",
        "started_at": None,
        "ended_at": "2026-03-02T10:02:00+08:00",
        "updated_at": "2026-03-02T10:02:00+08:00",
        "turns": [{"kind": "bot"}, {"kind": "call_end"}],
        "cases": [],
        "handoffs": [],
    }


def test_links_every_case_and_handoff_of_the_conversation(ctx: ServiceContext) -> None:
    first = register(ctx, conversation_id="c-2")["case_no"]
    second = register(ctx, conversation_id="c-2", description="另一件：邻居漏水")["case_no"]
    register(ctx, conversation_id="c-3")
    with ctx.uow() as uow:
        ids = [
            handoffs.request(ctx, uow, parse_new_handoff({"conversation_id": cid, "reason": "人工"}), "bot")[
                "id"
            ]
            for cid in ("c-2", "c-3", "c-2")
        ]
        uow.commit()
    _put(ctx, parse_conversation("c-2", {"channel": "phone", "turns": []}, SHANGHAI))
    got = conversations.get_conversation(ctx, "c-2")
    assert (got["cases"], got["handoffs"]) == ([first, second], [ids[0], ids[2]])


def test_unknown_conversation_raises_not_found(ctx: ServiceContext) -> None:
    with pytest.raises(ConversationNotFound):
        conversations.get_conversation(ctx, "nobody")


def test_concurrent_puts_of_a_new_conversation_all_succeed(ctx: ServiceContext) -> None:
    """A retry racing its own first attempt must not fail on the unique conversation id."""
    workers, rounds = 8, 5
    start = Barrier(workers, timeout=30)  # a timeout, so a failing round cannot hang the suite

    def put(i: int) -> int:
        turns = [{"kind": "caller", "n": n} for n in range(i % workers + 1)]
        start.wait()  # each round's PUTs hit the new id together
        return int(_put(ctx, NewConversation(f"race-{i // workers}", "phone", None, None, turns))["turns"])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(put, i) for i in range(workers * rounds)]
    assert [f.exception() for f in futures] == [None] * len(futures)
    assert sorted(f.result() for f in futures) == sorted(list(range(1, workers + 1)) * rounds)
    for round_no in range(rounds):
        stored = conversations.get_conversation(ctx, f"race-{round_no}")["turns"]
        assert stored == [{"kind": "caller", "n": n} for n in range(len(stored))]
