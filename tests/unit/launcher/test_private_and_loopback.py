"""The launcher keeps Rasa and the action server on loopback, secrets out of URLs and data private."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from launcher.process import ManagedProcess, ServiceSpec, make_private_tree
from launcher.services import action_server, rasa_server, voice_gateway, web
from launcher.settings import ROOT, StackSettings


@pytest.fixture
def settings(tmp_path: Path) -> StackSettings:
    return replace(StackSettings.from_env(), host="0.0.0.0", var_dir=tmp_path / "var")


def test_rasa_and_the_action_server_listen_on_loopback_in_every_profile(settings: StackSettings) -> None:
    rasa, actions = rasa_server(settings), action_server(settings)
    assert rasa.argv[rasa.argv.index("--interface") + 1] == "127.0.0.1" and rasa.host == "127.0.0.1"
    assert actions.argv[actions.argv.index("--host") + 1] == "127.0.0.1"
    assert settings.url(settings.rasa_port).startswith("http://127.0.0.1:")
    assert f"--jwt-secret={settings.rasa_jwt_secret}" in rasa.argv
    assert rasa.env["RASA_CHANNEL_TOKEN"] == settings.rasa_channel_token


def test_the_web_service_gets_a_jwt_secret_and_no_api_token(settings: StackSettings) -> None:
    env = web(settings).env
    assert env["RASA_JWT_SECRET"] == settings.rasa_jwt_secret and "RASA_AUTH_TOKEN" not in env
    assert voice_gateway(settings).env["RASA_CHANNEL_TOKEN"] == settings.rasa_channel_token


def test_the_rendered_endpoints_carry_the_action_token_and_are_private(settings: StackSettings) -> None:
    rasa_server(settings)
    rendered = settings.var_dir / "endpoints.yml"
    endpoints = yaml.safe_load(rendered.read_text())
    assert (
        endpoints["action_endpoint"]["headers"]["Authorization"] == f"Bearer {settings.action_server_token}"
    )
    assert stat.S_IMODE(rendered.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.var_dir.stat().st_mode) == 0o700


def test_rasas_own_open_channels_are_not_offered() -> None:
    channels = yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text())
    assert list(channels) == ["bot.channels.guarded_rest.GuardedRestInput"]


def test_what_a_service_writes_is_private_and_old_files_are_tightened(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    old.write_text("x")
    old.chmod(0o644)
    make_private_tree(tmp_path)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    script = "open('new.db', 'w').write('x'); import os; os.mkdir('voice')"
    spec = ServiceSpec(name="writer", argv=[sys.executable, "-c", script], health_url=None)
    process = ManagedProcess(spec, tmp_path / "log", tmp_path)
    process.popen.wait(timeout=30)
    process.stop()
    for name, mode in (("new.db", 0o600), ("voice", 0o700), ("log/writer.log", 0o600)):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == mode, name
