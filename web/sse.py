"""Server-sent events from a hub channel to one browser (``EventSource``)."""

from __future__ import annotations

import asyncio
import json

from sanic import Request

from web.hub import Hub

KEEP_ALIVE_S = 15.0  # proxies close idle connections; a comment line keeps them open


async def stream_events(request: Request, hub: Hub, channel: str) -> None:
    """Send every event published on ``channel`` until the browser goes away."""
    response = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    async with hub.subscribe(channel) as queue:
        await response.send(": connected\n\n")
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE_S)
            except TimeoutError:
                await response.send(": keep-alive\n\n")
                continue
            await response.send(f"data: {json.dumps(event, ensure_ascii=False)}\n\n")
