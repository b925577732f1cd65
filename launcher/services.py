"""The product's processes, as ServiceSpecs built from one StackSettings."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from string import Template

from launcher.process import ServiceSpec, private_dir
from launcher.settings import LOOPBACK, ROOT, StackSettings
from launcher.training import model_path

BOT_PY = ROOT / ".venv/bot/bin/python"
SVC_PY = ROOT / ".venv/svc/bin/python"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file readable by its owner only, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    path.chmod(0o600)


def common_env(s: StackSettings) -> dict[str, str]:
    """Variables every process sees, so that all of them agree on ports, tokens and paths."""
    return {
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "CENTER_API_TOKEN": s.center_api_token,
        "CASE_SERVICE_URL": s.url(s.case_port),
        "CASE_OUTBOX_DIR": str(s.var_dir / "outbox"),
        "VAR_DIR": str(s.var_dir),
        "CHAT_SESSION_SECRET": s.chat_session_secret,
        "JIEFEN_ENV": s.environment,  # explicit: a service started without it counts as production
    }


def case_service(s: StackSettings) -> ServiceSpec:
    """The center's reference case service (service environment)."""
    env = {
        **common_env(s),
        "CASE_SERVICE_HOST": s.host,
        "CASE_SERVICE_PORT": str(s.case_port),
    }
    env.setdefault("CASE_DB_URL", f"sqlite:///{s.var_dir / 'cases.db'}")
    return ServiceSpec(
        name="case-service",
        argv=[str(SVC_PY), "-m", "integration.service"],
        health_url=f"{s.url(s.case_port)}/health",
        env=env,
        port=s.case_port,
    )


def loopback_url(port: int) -> str:
    """Base URL of a process that listens on loopback only."""
    return f"http://{LOOPBACK}:{port}"


def action_server(s: StackSettings, port: int | None = None, name: str = "action-server") -> ServiceSpec:
    """rasa-sdk action server (bot environment): on loopback, answering only Rasa's token.
    ``port`` and ``name``: one of several behind a proxy (the production profile)."""
    port = s.action_port if port is None else port
    return ServiceSpec(
        name=name,
        argv=[str(BOT_PY), "-m", "bot.action_server", "--host", LOOPBACK, "--port", str(port)],
        health_url=f"{loopback_url(port)}/health",
        env={**common_env(s), "ACTION_SERVER_TOKEN": s.action_server_token},
        port=port,
        host=LOOPBACK,
    )


def render_endpoints(s: StackSettings) -> Path:
    """Fill the variables of bot/endpoints.yml into var/endpoints.yml.

    Rasa would substitute them itself, but leaves a literal '${RASA_TRACKER_DB}' file behind
    whenever a variable is unset; rendering here fails loudly instead.
    """
    values = {
        "ACTION_ENDPOINT_URL": f"{s.url(s.action_port)}/webhook",
        "ACTION_SERVER_TOKEN": s.action_server_token,
        "RASA_TRACKER_DB": str(s.var_dir / "tracker.db"),
    }
    template = Template((ROOT / "bot" / "endpoints.yml").read_text(encoding="utf-8"))
    private_dir(s.var_dir)
    rendered = s.var_dir / "endpoints.yml"  # holds a token: private, like everything in var/
    write_private(rendered, template.substitute(values))
    return rendered


def rasa_server(
    s: StackSettings, port: int | None = None, name: str = "rasa", endpoints: Path | None = None
) -> ServiceSpec:
    """Rasa server on loopback with the guarded REST channel (bot/channels); its HTTP API takes
    the token (``?token=``, for people) or a JWT in the Authorization header (the web service).
    ``port``, ``name`` and ``endpoints``: one of several behind a proxy (the production profile)."""
    port = s.rasa_port if port is None else port
    env = {
        **common_env(s),
        "RASA_CHANNEL_TOKEN": s.rasa_channel_token,
        "RASA_CHANNEL_ALLOW_ANONYMOUS": "true" if s.rasa_channel_allow_anonymous else "false",
    }
    argv = [
        str(BOT_PY),
        "-m",
        "rasa",
        "run",
        "--model",
        str(model_path(s.model_dir)),
        "--interface",
        LOOPBACK,
        "--port",
        str(port),
        "--enable-api",
        # "--flag=value": a generated secret may begin with "-", which argparse
        # would otherwise read as the next option (CI failed on one that did).
        f"--auth-token={s.rasa_auth_token}",
        f"--jwt-secret={s.rasa_jwt_secret}",
        "--jwt-method",
        "HS256",
        "--credentials",
        "bot/credentials.yml",
        "--endpoints",
        str(endpoints or render_endpoints(s)),
    ]
    return ServiceSpec(
        name=name,
        argv=argv,
        env=env,
        port=port,
        host=LOOPBACK,
        health_url=f"{loopback_url(port)}/status?token={s.rasa_auth_token}",
        ready_when=_model_loaded,
    )


def _model_loaded(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("model_file"))
    except (ValueError, AttributeError):
        return False


def voice_gateway(s: StackSettings, asr_env: Mapping[str, str] | None = None) -> ServiceSpec:
    """Phone (Twilio Media Streams) and kiosk voice gateway (service environment).

    ``asr_env``: the recogniser variables ``launcher.models`` settled on (ASR_ENGINE and the model
    folder). It becomes healthy without a model too (callers then hear an apology and are
    transferred); /health says which.
    """
    env = {
        **common_env(s),
        **(asr_env or {}),
        "VOICE_HOST": s.host,
        "VOICE_PORT": str(s.voice_port),
        "RASA_URL": s.url(s.rasa_port),
        "RASA_CHANNEL_TOKEN": s.rasa_channel_token,
        "VOICE_DATA_DIR": str(s.var_dir / "voice"),
    }
    return ServiceSpec(
        name="voice-gateway",
        argv=[str(SVC_PY), "-m", "voice"],
        health_url=f"{s.url(s.voice_port)}/health",
        env=env,
        port=s.voice_port,
    )


def web(s: StackSettings) -> ServiceSpec:
    """The citizens' chat page and its API in front of Rasa (service environment)."""
    env = {
        **common_env(s),
        "WEB_HOST": s.host,
        "WEB_PORT": str(s.web_port),
        "RASA_URL": s.url(s.rasa_port),
        "RASA_CHANNEL_TOKEN": s.rasa_channel_token,
        "RASA_JWT_SECRET": s.rasa_jwt_secret,  # live takeover pauses and resumes conversations
        "VOICE_STREAM_PUBLIC_URL": s.voice_stream_url,
    }
    return ServiceSpec(
        name="web",
        argv=[str(SVC_PY), "-m", "web"],
        health_url=f"{s.url(s.web_port)}/health",
        env=env,
        port=s.web_port,
    )


def all_services(s: StackSettings, asr_env: Mapping[str, str] | None = None) -> list[ServiceSpec]:
    """Every process of the product, in start order."""
    return [case_service(s), action_server(s), rasa_server(s), voice_gateway(s, asr_env), web(s)]
