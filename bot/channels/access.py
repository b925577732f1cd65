"""Who may send what through the guarded REST channel (pure Python: no Rasa, unit-tested anywhere).

Three kinds of client:

- **gateway** — the web relay and the voice gateway, with ``RASA_CHANNEL_TOKEN``: they have
  authenticated the citizen (a signed ticket, a signed Twilio call, a kiosk token), so they may
  use citizens' conversation ids (``web-…``, ``phone-…``, ``robot-…``) and set ``metadata.channel``;
- **integrator** — another platform with its own token (``RASA_INTEGRATOR_TOKENS``): its sender
  ids are put in its own namespace (``ext-<name>-<sender>``) and its metadata is dropped, so it
  can reach neither a citizen's conversation nor another integrator's;
- **anonymous** — no token: refused, unless ``RASA_CHANNEL_ALLOW_ANONYMOUS`` (development and the
  end-to-end tests only) lets loopback scripts talk with sender ids outside every namespace above.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from integration.client.limits import LockPolicy
from integration.envparse import SettingsError, env_bool, env_int, env_str, parse_pairs

GATEWAY_SENDER = re.compile(r"^(web|phone|robot|warmup)-[A-Za-z0-9]{8,64}$")
OTHER_SENDER = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
RESERVED_PREFIXES = ("web-", "phone-", "robot-", "warmup-", "ext-")
GATEWAY_CHANNELS = ("web", "phone", "robot", "walk-in")
GATEWAY_METADATA = ("channel", "voice_slot", "slot_source", "input")
INTEGRATOR_NAME = re.compile(r"^[a-z0-9]{1,20}$")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")

MESSAGES = {
    "unauthorized": "缺少或无效的访问令牌。",
    "forbidden_sender": "无权使用该会话编号。",
    "bad_request": "消息格式不正确，请重新输入。",
    "too_long": "消息太长了（最多{limit}个字），请分几次发送。",
    "payload_too_large": "请求内容过大。",
    "rate_limited": "您发送得太快了，请{seconds}秒后再试。",
    "locked_out": "尝试次数过多，请{minutes}分钟后再试。",
}


@dataclass(frozen=True)
class ChannelSettings:
    """The channel's settings (listed with their defaults in .env.example)."""

    gateway_token: str = ""
    integrator_tokens: Mapping[str, str] = field(default_factory=dict)  # token -> integrator name
    allow_anonymous: bool = False
    max_message_chars: int = 2000
    max_body_bytes: int = 65_536
    integrator_messages_per_min: int = 30
    lock_policy: LockPolicy = field(default_factory=LockPolicy)
    nlu_long_chars: int = 200  # longer messages are parsed in a lane of their own

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChannelSettings:
        env = os.environ if env is None else env
        integrators = parse_pairs("RASA_INTEGRATOR_TOKENS", env.get("RASA_INTEGRATOR_TOKENS"))
        if not all(INTEGRATOR_NAME.match(name) for name in integrators.values()):
            raise SettingsError("RASA_INTEGRATOR_TOKENS: names are 1-20 lower-case letters or digits")
        return cls(
            gateway_token=env_str(env, "RASA_CHANNEL_TOKEN", ""),
            integrator_tokens=integrators,
            allow_anonymous=env_bool(env, "RASA_CHANNEL_ALLOW_ANONYMOUS", False),
            max_message_chars=env_int(env, "RASA_MAX_MESSAGE_CHARS", 2000),
            max_body_bytes=env_int(env, "RASA_MAX_BODY_BYTES", 65_536),
            integrator_messages_per_min=env_int(env, "RASA_INTEGRATOR_MESSAGES_PER_MIN", 30),
            lock_policy=LockPolicy.from_env(env),
            nlu_long_chars=env_int(env, "RASA_NLU_LONG_CHARS", 200),
        )


class Refused(Exception):
    """A request the channel does not pass to Rasa: HTTP status, code and the Chinese message."""

    def __init__(self, status: int, code: str, **values: object) -> None:
        super().__init__(code)
        self.status, self.code = status, code
        self.message = MESSAGES[code].format(**values)


@dataclass(frozen=True)
class Client:
    kind: str  # gateway | integrator | anonymous
    name: str  # the integrator's name; "gateway" / "anonymous" otherwise


@dataclass(frozen=True)
class Accepted:
    sender: str
    text: str
    metadata: dict[str, Any] | None


GATEWAY = Client("gateway", "gateway")
ANONYMOUS = Client("anonymous", "anonymous")


def bearer(header: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header, or ""."""
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def identify(settings: ChannelSettings, token: str) -> Client | None:
    """The client a token belongs to; None for a wrong token (anonymous when none is given)."""
    if not token:
        return ANONYMOUS if settings.allow_anonymous else None
    given = token.encode("utf-8", "replace")
    if settings.gateway_token and hmac.compare_digest(given, settings.gateway_token.encode()):
        return GATEWAY
    for known, name in settings.integrator_tokens.items():
        if hmac.compare_digest(given, known.encode()):
            return Client("integrator", name)
    return None


def accept(settings: ChannelSettings, client: Client, body: object) -> Accepted:
    """Validate one ``{"sender", "message", "metadata"}`` body for this client (``Refused`` if not)."""
    if not isinstance(body, dict):
        raise Refused(400, "bad_request")
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not isinstance(text, str):
        raise Refused(400, "bad_request")
    text = _LONE_SURROGATE.sub("", text).replace("\x00", "")  # an empty message is Rasa's to answer
    if len(text) > settings.max_message_chars:
        raise Refused(413, "too_long", limit=settings.max_message_chars)
    return Accepted(_sender(client, sender), text, _metadata(client, metadata))


def _sender(client: Client, sender: str) -> str:
    if client.kind == "gateway":
        if not GATEWAY_SENDER.match(sender):
            raise Refused(403, "forbidden_sender")
        return sender
    if not OTHER_SENDER.match(sender):
        raise Refused(400, "bad_request")
    if client.kind == "integrator":
        return f"ext-{client.name}-{sender}"
    if sender.startswith(RESERVED_PREFIXES):  # anonymous scripts never reach a citizen's conversation
        raise Refused(403, "forbidden_sender")
    return sender


def _metadata(client: Client, metadata: object) -> dict[str, Any] | None:
    if client.kind != "gateway" or not isinstance(metadata, dict):
        return None
    kept: dict[str, Any] = {
        key: metadata[key] for key in GATEWAY_METADATA if isinstance(metadata.get(key), str)
    }
    if "channel" in kept and kept["channel"] not in GATEWAY_CHANNELS:
        raise Refused(400, "bad_request")
    voice_name = _voice_name(metadata.get("voice_name"))
    if voice_name is not None:
        kept["voice_name"] = voice_name
    return kept or None


def _voice_name(value: object) -> dict[str, Any] | None:
    """The gateway's name-by-ear record (voice/core/names.py): whether the caller spelt the name,
    and the names heard and spelt as short strings; anything else in it is dropped."""
    if not isinstance(value, dict) or not isinstance(value.get("confirmed"), bool):
        return None
    record: dict[str, Any] = {"confirmed": value["confirmed"]}
    for key in ("heard", "name"):
        if isinstance(value.get(key), str) and 0 < len(value[key]) <= 50:
            record[key] = value[key]
    return record
