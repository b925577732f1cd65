"""A real gateway on a free port, in this process, with fakes injected at its ports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from launcher.supervisor import free_port
from tests.integration.voice.simulator import CallSimulator, FakeTwilioRest
from tests.servers import serve, shutdown
from voice.app import Services, create_app
from voice.asr.base import AsrEngine
from voice.core.archive import ArchiveSink
from voice.core.records import FileRecordStore
from voice.dialogue.base import DialogueEngine
from voice.settings import VoiceSettings

AUTH_TOKEN = "integration-auth-token"
CHAT_SECRET = "integration-chat-secret"
KIOSK_TOKEN = "kiosk-token-0123456789abcdef"
STAFF = "+862088886666"


@dataclass
class Gateway:
    app: Sanic
    base_url: str
    rest: FakeTwilioRest
    store: FileRecordStore
    sim: CallSimulator

    @property
    def services(self) -> Services:
        services: Services = self.app.ctx.voice
        return services


GatewayFactory = Callable[..., Any]


@pytest.fixture
async def start_gateway(tmp_path: Path) -> AsyncIterator[GatewayFactory]:
    servers: list[Any] = []
    sims: list[CallSimulator] = []

    async def start(
        *,
        dialogue: DialogueEngine,
        asr: AsrEngine | None,
        office_open: bool = True,
        archive: ArchiveSink | None = None,
        **overrides: Any,
    ) -> Gateway:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        settings = VoiceSettings(
            port=port,
            public_url=base_url,
            twilio_account_sid="AC" + "5" * 32,
            twilio_auth_token=AUTH_TOKEN,
            staff_phone_number=STAFF,
            data_dir=tmp_path,
            **{
                "chat_session_secret": CHAT_SECRET,
                "robot_device_tokens": {KIOSK_TOKEN: "lobby"},
                **overrides,
            },
        )
        rest, store = FakeTwilioRest(), FileRecordStore(tmp_path)
        app = create_app(
            settings,
            dialogue=dialogue,
            asr=asr,
            updater=rest,
            store=store,
            office_open=lambda: office_open,
            archive=archive,
        )
        server = await serve(app, port)
        servers.append(server)
        sim = CallSimulator(base_url, AUTH_TOKEN)
        sims.append(sim)
        return Gateway(app, base_url, rest, store, sim)

    yield start
    for sim in sims:
        await sim.aclose()
    for server in servers:
        await shutdown(server)
