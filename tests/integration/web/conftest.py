"""A real web service on a free port, in this process, with the bot replaced by a script."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sanic import Sanic

from launcher.supervisor import free_port
from tests.servers import serve, shutdown
from tests.unit.web.fakes import FakeRasaAdmin, TrackedDialogue
from voice.dialogue.base import DialogueEngine
from web.app import create_app
from web.settings import WebSettings

SECRET = "web-test-secret-0123456789"


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
        if rasa_admin is None:  # the relay reads Rasa's tracker for the options it offered
            rasa_admin = FakeRasaAdmin()
            dialogue = TrackedDialogue(dialogue, rasa_admin)
        settings = WebSettings(**{"session_secret": SECRET, "port": port, **overrides})
        app = create_app(settings, dialogue=dialogue, rasa_admin=rasa_admin, staff_cases=staff_cases)
        server = await serve(app, port)
        servers.append(server)
        return Web(app, f"http://127.0.0.1:{port}", settings)

    yield start
    for server in servers:
        await shutdown(server)
