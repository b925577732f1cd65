"""Live events for open pages: what staff say reaches the citizen's page, and the reverse.

One process keeps its subscribers in memory. With several web processes behind a load balancer
the same interface is backed by a shared broker (Redis pub/sub) so that a staff member on one
process reaches a citizen on another; that is the scale-out profile's job, not this class's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from integration.client.logsafe import short_id

log = logging.getLogger(__name__)
QUEUE_LIMIT = 100  # events a slow page may lag behind before the oldest are dropped


class Hub(Protocol):
    def publish(self, channel: str, event: dict[str, Any]) -> int:
        """Deliver to every current subscriber of ``channel``; returns how many received it."""
        ...

    def subscribe(self, channel: str) -> Any:
        """Async context manager yielding an ``asyncio.Queue`` of events."""
        ...


def citizen_channel(conversation_id: str) -> str:
    return f"citizen:{conversation_id}"


def staff_channel(conversation_id: str) -> str:
    return f"staff:{conversation_id}"


class MemoryHub:
    """In-process fan-out with bounded queues."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    def publish(self, channel: str, event: dict[str, Any]) -> int:
        queues = self._subscribers.get(channel, set())
        for queue in queues:
            if queue.full():  # never block the publisher on a stalled page
                queue.get_nowait()
                log.warning("dropped an event for a slow subscriber of %s", short_id(channel))
            queue.put_nowait(event)
        return len(queues)

    def subscribers(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_LIMIT)
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            subscribers = self._subscribers.get(channel, set())
            subscribers.discard(queue)
            if not subscribers:
                self._subscribers.pop(channel, None)
