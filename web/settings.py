"""Settings of the web service, read once from the environment (``WebSettings.from_env``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from integration.client.limits import LockPolicy, Rate
from integration.deployment import Secret
from integration.envparse import SettingsError, env_bool, env_float, env_int, env_str, parse_origins

__all__ = ["SECRETS", "SettingsError", "WebSettings"]

# What `python -m web` checks before it starts (integration/deployment.py).
SECRETS = (
    Secret("CHAT_SESSION_SECRET"),
    Secret("RASA_CHANNEL_TOKEN"),
    Secret("RASA_JWT_SECRET"),
    Secret("CENTER_API_TOKEN"),
)


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
    rasa_channel_token: str = ""  # RASA_CHANNEL_TOKEN: the relay's token for Rasa's REST channel
    rasa_jwt_secret: str = ""  # RASA_JWT_SECRET: Rasa's HTTP API for live takeover, as a JWT header
    case_service_url: str = "http://127.0.0.1:8000"  # the staff console's hand-off API
    staff_console: bool = True  # serve /staff/ here; off on a process that faces the public internet
    case_service_token: str = ""  # CENTER_API_TOKEN: the chat page's evidence uploads to the case service
    evidence_max_bytes: int = 10 * 1024 * 1024  # EVIDENCE_MAX_MB, the same limit as the case service's
    # WEB_UPLOADS_PER_CONVERSATION_PER_MIN
    evidence_per_minute: Rate = field(default_factory=lambda: Rate(10))
    asr_low_confidence: float = 0.6  # WEB_ASR_LOW_CONFIDENCE: call lines below it are highlighted
    staff_cookie_secure: bool = False  # WEB_STAFF_COOKIE_SECURE: true whenever the console is on HTTPS
    # WEB_SESSIONS_PER_IP_PER_MIN (new or renewed conversations, event streams), WEB_CHATS_PER_IP_PER_MIN
    # (an office behind one address), WEB_CHATS_PER_CONVERSATION_PER_MIN; AUTH_*: wrong tickets
    # or staff tokens per address
    sessions_per_ip: Rate = field(default_factory=lambda: Rate(30))
    chats_per_ip: Rate = field(default_factory=lambda: Rate(120))
    chats_per_conversation: Rate = field(default_factory=lambda: Rate(20))
    lock_policy: LockPolicy = field(default_factory=LockPolicy)
    # CORS_ALLOWED_ORIGINS: sites whose pages may call the chat API (/api/…) from the browser;
    # none by default (same origin only), never "*"
    cors_allowed_origins: frozenset[str] = frozenset()

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
            rasa_channel_token=env_str(env, "RASA_CHANNEL_TOKEN", ""),
            rasa_jwt_secret=env_str(env, "RASA_JWT_SECRET", ""),
            case_service_url=env.get("CASE_SERVICE_URL", "http://127.0.0.1:8000").rstrip("/"),
            staff_console=env_bool(env, "WEB_STAFF_CONSOLE", True),
            staff_cookie_secure=env_bool(env, "WEB_STAFF_COOKIE_SECURE", False),
            asr_low_confidence=env_float(env, "WEB_ASR_LOW_CONFIDENCE", 0.6),
            case_service_token=env_str(env, "CENTER_API_TOKEN", ""),
            evidence_max_bytes=int(env_float(env, "EVIDENCE_MAX_MB", 10) * 1024 * 1024),
            evidence_per_minute=Rate(env_int(env, "WEB_UPLOADS_PER_CONVERSATION_PER_MIN", 10)),
            sessions_per_ip=Rate(env_int(env, "WEB_SESSIONS_PER_IP_PER_MIN", 30)),
            chats_per_ip=Rate(env_int(env, "WEB_CHATS_PER_IP_PER_MIN", 120)),
            chats_per_conversation=Rate(env_int(env, "WEB_CHATS_PER_CONVERSATION_PER_MIN", 20)),
            lock_policy=LockPolicy.from_env(env),
            cors_allowed_origins=parse_origins("CORS_ALLOWED_ORIGINS", env.get("CORS_ALLOWED_ORIGINS")),
        )
