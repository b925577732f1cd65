"""A real web service on a free port, in this process, with the bot replaced by a script."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sanic import Sanic

from voice.dialogue.base import DialogueEngine
from web.app import create_app
from web.settings import WebSettings

SECRET = "web-test-secret-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Web:
    app: Sanic
    base_url: str
    settings: WebSettings


WebFactory = Callable[..., Any]


@pytest.fixture
async def start_web() -> AsyncIterator[WebFactory]:
    servers: list[Any] = []

    async def start(
        *, dialogue: DialogueEngine, rasa_admin: Any = None, staff_cases: Any = None, **overrides: Any
    ) -> Web:
        port = free_port()
        settings = WebSettings(**{"session_secret": SECRET, "port": port, **overrides})
        app = create_app(settings, dialogue=dialogue, rasa_admin=rasa_admin, staff_cases=staff_cases)
        app.config.TOUCHUP = False  # Sanic's touch-up breaks on the second app started in one process
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        await server.start_serving()
        servers.append(server)
        return Web(app, f"http://127.0.0.1:{port}", settings)

    yield start
    for server in servers:
        await server.before_stop()
        await server.close()
        await server.after_stop()
