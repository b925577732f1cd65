"""Sanic apps served inside the test's own event loop (fakes injected, no subprocess)."""

from __future__ import annotations

from typing import Any

from sanic import Sanic


async def serve(app: Sanic, port: int) -> Any:
    """Start ``app`` on 127.0.0.1:``port`` in the running loop; stop it with ``shutdown``."""
    app.config.TOUCHUP = False  # Sanic's touch-up breaks on the second app started in one process
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    await server.start_serving()
    return server


async def shutdown(server: Any) -> None:
    """Run the app's stop hooks and close the listening socket."""
    await server.before_stop()
    await server.close()
    await server.after_stop()
