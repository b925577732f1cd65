"""A real case service (SQLite in a temporary folder) and a real web service in front of it, both
in this process, with Rasa faked: the staff desk end to end over HTTP."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from integration.service.api.app import create_app as create_case_service
from integration.service.services import accounts
from integration.service.settings import Settings
from launcher.supervisor import free_port
from tests.integration.web.conftest import WebFactory
from tests.servers import serve, shutdown
from tests.unit.web.fakes import FakeRasaAdmin
from voice.dialogue.scripted import ScriptedDialogue

PASSWORD = "desk-password-2026!"
_names = itertools.count()


@dataclass
class Desk:
    web: str  # base URL of the web service
    cases: str  # base URL of the case service
    settings: Settings
    app: Any  # the case service's Sanic app
    rasa: FakeRasaAdmin

    def make_account(
        self, username: str, role: str, institution: str | None = None, display_name: str = ""
    ) -> None:
        ctx = self.app.ctx.service
        with ctx.uow() as uow:
            accounts.create_account(
                ctx,
                uow,
                username=username,
                display_name=display_name or username,
                role=role,
                password=PASSWORD,
                institution=institution,
                actor="test",
            )
            uow.commit()

    async def login(self, client: httpx.AsyncClient, username: str) -> str:
        """Log ``client`` in (the cookie stays in its jar); returns the CSRF token."""
        response = await client.post("/staff/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["csrf"])


@pytest.fixture
async def desk(tmp_path: Path, start_web: WebFactory) -> AsyncIterator[Desk]:
    port = free_port()
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'cases.db'}",
        port=port,
        scheduler_interval_s=0,
        evidence_dir=tmp_path / "evidence",
        evidence_max_bytes=3 * 1024 * 1024,
    )
    app = create_case_service(settings, name=f"desk_cases_{next(_names)}")
    server = await serve(app, port)
    rasa = FakeRasaAdmin()
    web = await start_web(
        dialogue=ScriptedDialogue([]),
        rasa_admin=rasa,
        case_service_url=f"http://127.0.0.1:{port}",
        case_service_token=settings.bot_token,
        evidence_max_bytes=settings.evidence_max_bytes,
    )
    try:
        yield Desk(web.base_url, f"http://127.0.0.1:{port}", settings, app, rasa)
    finally:
        await shutdown(server)
