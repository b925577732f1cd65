"""The product's processes, as ServiceSpecs built from one StackSettings."""

from __future__ import annotations

import json
from pathlib import Path
from string import Template

from launcher.process import ServiceSpec
from launcher.settings import ROOT, StackSettings
from launcher.training import model_path

BOT_PY = ROOT / ".venv/bot/bin/python"
SVC_PY = ROOT / ".venv/svc/bin/python"


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


def action_server(s: StackSettings) -> ServiceSpec:
    """rasa-sdk action server (bot environment)."""
    return ServiceSpec(
        name="action-server",
        argv=[str(BOT_PY), "-m", "bot.action_server", "--host", s.host, "--port", str(s.action_port)],
        health_url=f"{s.url(s.action_port)}/health",
        env=common_env(s),
        port=s.action_port,
    )


def render_endpoints(s: StackSettings) -> Path:
    """Fill the variables of bot/endpoints.yml into var/endpoints.yml.

    Rasa would substitute them itself, but leaves a literal '${RASA_TRACKER_DB}' file behind
    whenever a variable is unset; rendering here fails loudly instead.
    """
    values = {
        "ACTION_ENDPOINT_URL": f"{s.url(s.action_port)}/webhook",
        "RASA_TRACKER_DB": str(s.var_dir / "tracker.db"),
    }
    template = Template((ROOT / "bot" / "endpoints.yml").read_text(encoding="utf-8"))
    s.var_dir.mkdir(parents=True, exist_ok=True)
    rendered = s.var_dir / "endpoints.yml"
    rendered.write_text(template.substitute(values), encoding="utf-8")
    return rendered


def rasa_server(s: StackSettings) -> ServiceSpec:
    """Rasa server with the REST and socket.io channels; HTTP API only with a token."""
    env = common_env(s)
    argv = [
        str(BOT_PY),
        "-m",
        "rasa",
        "run",
        "--model",
        str(model_path(s.model_dir)),
        "--interface",
        s.host,
        "--port",
        str(s.rasa_port),
        "--enable-api",
        "--auth-token",
        s.rasa_auth_token,
        "--credentials",
        "bot/credentials.yml",
        "--endpoints",
        str(render_endpoints(s)),
    ]
    return ServiceSpec(
        name="rasa",
        argv=argv,
        env=env,
        port=s.rasa_port,
        health_url=f"{s.url(s.rasa_port)}/status?token={s.rasa_auth_token}",
        ready_when=_model_loaded,
    )


def _model_loaded(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("model_file"))
    except (ValueError, AttributeError):
        return False


def voice_gateway(s: StackSettings) -> ServiceSpec:
    """Phone (Twilio Media Streams) and kiosk voice gateway (service environment).

    It becomes healthy without a Vosk model too (callers then hear an apology and are
    transferred); /health says which.
    """
    env = {
        **common_env(s),
        "VOICE_HOST": s.host,
        "VOICE_PORT": str(s.voice_port),
        "RASA_URL": s.url(s.rasa_port),
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
        "RASA_AUTH_TOKEN": s.rasa_auth_token,  # live takeover pauses and resumes conversations
        "VOICE_STREAM_PUBLIC_URL": s.voice_stream_url,
    }
    return ServiceSpec(
        name="web",
        argv=[str(SVC_PY), "-m", "web"],
        health_url=f"{s.url(s.web_port)}/health",
        env=env,
        port=s.web_port,
    )


def all_services(s: StackSettings) -> list[ServiceSpec]:
    """Every process of the product, in start order."""
    return [case_service(s), action_server(s), rasa_server(s), voice_gateway(s), web(s)]
