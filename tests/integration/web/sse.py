"""Reading a server-sent event stream in the background, for the web service's tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx


@contextlib.asynccontextmanager
async def events(client: httpx.AsyncClient, url: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """Read an event stream in the background into a queue."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    connected = asyncio.Event()

    async def read() -> None:
        async with client.stream("GET", url) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                connected.set()
                if line.startswith("data: "):
                    queue.put_nowait(json.loads(line[6:]))

    task = asyncio.create_task(read())
    await asyncio.wait_for(connected.wait(), 5)
    try:
        yield queue
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
