"""Production mode as the processes see it: each refuses development, missing or short secrets with
one line naming them and a non-zero exit, before it serves anything; a service started without
JIEFEN_ENV counts as production; one with real secrets starts and honours no development token."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.pg import free_port

ROOT = Path(__file__).resolve().parents[2]
BOT_PY = ROOT / ".venv/bot/bin/python"
STRONG = "x7Gq2LrV9sKp4TzW-0123"


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    """A clean environment (nothing inherited from the test run, JIEFEN_ENV included)."""
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "VAR_DIR": str(tmp_path),
            "CASE_OUTBOX_DIR": str(tmp_path / "outbox"), **values}


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _refusals(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if "refusing to start" in line
            and not line.startswith(" ")]


@pytest.mark.parametrize(
    ("module", "values", "named"),
    [
        ("integration.service", {"JIEFEN_ENV": "production", "CENTER_API_TOKEN": "dev-bot-token"},
         "case service: refusing to start in production mode: CENTER_API_TOKEN is a development default"),
        ("integration.service", {"CENTER_STAFF_TOKENS": "console:dev-staff-token"},  # no JIEFEN_ENV
         "CENTER_API_TOKEN is missing; CENTER_STAFF_TOKENS is a development default"),
        ("web", {"JIEFEN_ENV": "production", "CHAT_SESSION_SECRET": STRONG, "RASA_CHANNEL_TOKEN": "short",
                 "CENTER_API_TOKEN": STRONG},
         "web: refusing to start in production mode: RASA_CHANNEL_TOKEN is shorter than 16 characters; "
         "RASA_JWT_SECRET is missing"),
        ("voice",
         {"JIEFEN_ENV": "production", "RASA_CHANNEL_TOKEN": STRONG, "CENTER_API_TOKEN": "dev-bot-token"},
         "voice gateway: refusing to start in production mode: CENTER_API_TOKEN is a development default"),
    ],
)
def test_a_service_refuses_development_secrets_in_production(
    tmp_path: Path, module: str, values: dict[str, str], named: str
) -> None:
    result = _run([sys.executable, "-m", module], _env(tmp_path, **values))
    assert result.returncode == 2, result.stderr[-2000:]
    [line] = _refusals(result)
    assert named in line
    assert "dev-bot-token" not in result.stderr and "dev-staff-token" not in result.stderr


def test_the_launcher_refuses_before_starting_anything(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = _env(tmp_path, JIEFEN_ENV="production", VAR_DIR=str(var), RASA_AUTH_TOKEN="dev-rasa-token",
               CENTER_API_TOKEN=STRONG, RASA_PORT=str(free_port()), CASE_SERVICE_PORT=str(free_port()))
    result = _run([sys.executable, "-m", "launcher", "run"], env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert errors == [
        "[stack] ERROR launcher: refusing to start in production mode: RASA_AUTH_TOKEN is a development "
        "default — set real secrets (16+ random characters), or JIEFEN_ENV=development on a developer's "
        "machine"
    ]
    assert not var.exists()  # no folder, no model download, no process


@pytest.mark.skipif(not BOT_PY.is_file(), reason="the bot environment (.venv/bot) is not set up")
def test_the_action_server_stops_on_the_development_token(tmp_path: Path) -> None:
    """bot/action_server.py checks its secrets before Sanic starts: one line, exit 2, no traceback."""
    env = _env(tmp_path, JIEFEN_ENV="production", CENTER_API_TOKEN="dev-bot-token",
               ACTION_SERVER_TOKEN=STRONG)
    result = _run([str(BOT_PY), "-m", "bot.action_server", "--port", str(free_port())], env)
    assert result.returncode == 2
    assert "action server: refusing to start in production mode: CENTER_API_TOKEN is a development " \
           "default" in result.stderr
    assert "Traceback" not in result.stderr
    missing = _env(tmp_path, JIEFEN_ENV="production", CENTER_API_TOKEN=STRONG, ACTION_SERVER_TOKEN="")
    result = _run([str(BOT_PY), "-m", "bot.action_server", "--port", str(free_port())], missing)
    assert result.returncode == 2 and "ACTION_SERVER_TOKEN" in result.stderr


def test_with_real_secrets_production_starts_and_honours_no_development_token(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path, JIEFEN_ENV="production", CENTER_API_TOKEN=STRONG, CASE_SERVICE_PORT=str(port),
               CASE_DB_URL=f"sqlite:///{tmp_path / 'cases.db'}", CASE_SCHEDULER_INTERVAL_S="0")
    log = (tmp_path / "case.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "integration.service"], cwd=ROOT, env=env,
                            stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, (tmp_path / "case.log").read_text()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "case service did not become healthy"
            time.sleep(0.2)
        for token, status in (("dev-staff-token", 401), ("dev-bot-token", 401), (STRONG, 200)):
            answer = httpx.get(f"{base}/api/cases?phone=13800138000",
                               headers={"Authorization": f"Bearer {token}"}, timeout=5)
            assert answer.status_code == status, token
    finally:
        proc.terminate()
        proc.wait(timeout=15)
