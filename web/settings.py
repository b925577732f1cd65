"""Settings of the web service, read once from the environment (``WebSettings.from_env``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from integration.envparse import SettingsError, env_bool, env_float, env_int

__all__ = ["SettingsError", "WebSettings"]


@dataclass(frozen=True)
class WebSettings:
    """Everything the web service reads from the environment."""

    session_secret: str  # CHAT_SESSION_SECRET, shared with the voice gateway
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 10.0
    session_ttl_s: int = 12 * 3600
    voice_stream_url: str = "ws://127.0.0.1:5006/robot/stream"  # as the browser reaches it
    max_message_chars: int = 2000
    center_hotline: str = "0539-12348"
    rasa_auth_token: str = ""  # Rasa's HTTP API, for live takeover (pause, staff lines, resume)
    case_service_url: str = "http://127.0.0.1:8000"  # the staff console's hand-off API
    staff_console: bool = True  # serve /staff/ here; off on a process that faces the public internet

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """Build from WEB_* and shared variables (listed in .env.example)."""
        env = os.environ if env is None else env
        secret = env.get("CHAT_SESSION_SECRET", "").strip()
        if len(secret) < 16:
            raise SettingsError(
                "CHAT_SESSION_SECRET must be set (16+ characters, shared with the voice gateway)"
            )
        voice_port = env_int(env, "VOICE_PORT", 5006)
        return cls(
            session_secret=secret,
            host=env.get("WEB_HOST", "127.0.0.1"),
            port=env_int(env, "WEB_PORT", 8080),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_timeout_s=env_float(env, "WEB_RASA_TIMEOUT_S", 10.0),
            session_ttl_s=env_int(env, "CHAT_SESSION_TTL_S", 12 * 3600),
            voice_stream_url=env.get("VOICE_STREAM_PUBLIC_URL", "").strip()
            or f"ws://{env.get('VOICE_HOST', '127.0.0.1')}:{voice_port}/robot/stream",
            max_message_chars=env_int(env, "CHAT_MAX_MESSAGE_CHARS", 2000),
            center_hotline=env.get("CENTER_HOTLINE", "0539-12348"),
            rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
            case_service_url=env.get("CASE_SERVICE_URL", "http://127.0.0.1:8000").rstrip("/"),
            staff_console=env_bool(env, "WEB_STAFF_CONSOLE", True),
        )
