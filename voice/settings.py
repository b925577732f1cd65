"""Gateway settings, read once from the environment (``VoiceSettings.from_env``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo


class SettingsError(ValueError):
    """A malformed setting; the message names the variable."""


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    """true/false, 1/0, yes/no, on/off; anything else is an error (never silently true)."""
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")


def _parse_number(name: str, raw: str | None, default: float) -> float:
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not a number") from exc


_RULE_RE = re.compile(r"^([1-7])(?:-([1-7]))?\s+(.+)$")
_SPAN_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class OfficeHours:
    """Weekly opening hours, e.g. ``1-5 09:00-12:00,13:30-17:30;6 09:00-12:00`` (ISO weekdays)."""

    spans: tuple[tuple[int, time, time], ...]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    @classmethod
    def parse(cls, raw: str, tz: str = "Asia/Shanghai") -> OfficeHours:
        spans: list[tuple[int, time, time]] = []
        for rule in filter(None, (r.strip() for r in raw.split(";"))):
            match = _RULE_RE.match(rule)
            if not match:
                raise SettingsError(f"OFFICE_HOURS rule {rule!r} is not like '1-5 09:00-17:30'")
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            for span in match.group(3).split(","):
                times = _SPAN_RE.match(span.strip())
                if not times:
                    raise SettingsError(f"OFFICE_HOURS span {span!r} is not like 09:00-17:30")
                h1, m1, h2, m2 = (int(g) for g in times.groups())
                if not (h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60):
                    raise SettingsError(f"OFFICE_HOURS span {span!r} has an invalid time")
                start, end = time(h1, m1), time(23, 59, 59) if h2 == 24 else time(h2, m2)
                spans.extend((day, start, end) for day in range(first, last + 1))
        return cls(spans=tuple(spans), tz=ZoneInfo(tz))

    def is_open(self, at: datetime) -> bool:
        """True when ``at`` (timezone-aware) falls inside opening hours."""
        local = at.astimezone(self.tz)
        now = local.time()
        return any(day == local.isoweekday() and start <= now < end for day, start, end in self.spans)


@dataclass(frozen=True)
class VoiceSettings:
    """Everything the gateway reads from the environment."""

    host: str = "127.0.0.1"
    port: int = 5006
    public_url: str = ""  # https://… address Twilio reaches (a tunnel in development)
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    vosk_model_path: Path | None = None
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 8.0
    staff_phone_number: str = ""
    office_hours: OfficeHours = field(default_factory=lambda: OfficeHours.parse("1-5 09:00-17:30"))
    recording_enabled: bool = False
    tts_voice: str = "Polly.Zhiyu"
    tts_language: str = "cmn-CN"
    data_dir: Path = Path("var/voice")
    silence_timeout_s: float = 8.0
    max_call_s: float = 1800.0

    @property
    def asr_configured(self) -> bool:
        return self.vosk_model_path is not None

    def public_https(self, path: str) -> str:
        """Absolute https URL of a gateway path as Twilio sees it."""
        return self.public_url.rstrip("/") + path

    def public_wss(self, path: str) -> str:
        """Absolute wss URL of a gateway WebSocket path as Twilio sees it."""
        base = self.public_url.rstrip("/")
        return re.sub(r"^http", "ws", base) + path

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> VoiceSettings:
        """Build from VOICE_* and shared variables; see voice/README.md for the list."""
        env = os.environ if env is None else env
        model = env.get("VOSK_MODEL_PATH", "").strip()
        port = _parse_number("VOICE_PORT", env.get("VOICE_PORT"), 5006)
        var_dir = Path(env.get("VAR_DIR", "var"))
        return cls(
            host=env.get("VOICE_HOST", "127.0.0.1"),
            port=int(port),
            public_url=env.get("PUBLIC_URL", "").strip(),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            vosk_model_path=Path(model) if model else None,
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_timeout_s=_parse_number("RASA_TIMEOUT_S", env.get("RASA_TIMEOUT_S"), 8.0),
            staff_phone_number=env.get("STAFF_PHONE_NUMBER", "").strip(),
            office_hours=OfficeHours.parse(
                env.get("OFFICE_HOURS", "1-5 09:00-17:30"), env.get("CENTER_TIMEZONE", "Asia/Shanghai")
            ),
            recording_enabled=parse_bool(
                "VOICE_RECORDING_ENABLED", env.get("VOICE_RECORDING_ENABLED"), default=False
            ),
            tts_voice=env.get("VOICE_TTS_VOICE", "Polly.Zhiyu"),
            tts_language=env.get("VOICE_TTS_LANGUAGE", "cmn-CN"),
            data_dir=Path(env.get("VOICE_DATA_DIR", str(var_dir / "voice"))),
            silence_timeout_s=_parse_number(
                "VOICE_SILENCE_TIMEOUT_S", env.get("VOICE_SILENCE_TIMEOUT_S"), 8.0
            ),
            max_call_s=_parse_number("VOICE_MAX_CALL_S", env.get("VOICE_MAX_CALL_S"), 1800.0),
        )
