"""Gateway settings, read once from the environment (``VoiceSettings.from_env``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from integration.client.limits import LockPolicy, Rate
from integration.deployment import Secret
from integration.envparse import SettingsError, env_int, env_str, parse_bool, parse_float
from integration.office_hours import DEFAULT_SPEC, OfficeHours, OfficeHoursError
from voice.asr.config import AsrSettings

__all__ = [
    "SettingsError",
    "VoiceSettings",
    "parse_bool",
    "parse_device_tokens",
    "parse_office_hours",
    "startup_secrets",
]


def startup_secrets(env: Mapping[str, str]) -> tuple[Secret, ...]:
    """What `python -m voice` checks before it starts (integration/deployment.py): Rasa's channel
    token always, the case service's token when hand-offs and call records go there, and any
    optional secret that is set (chat tickets, kiosks, Twilio's signatures)."""
    to_cases = parse_bool("VOICE_HANDOFF_TO_CASE_SERVICE", env.get("VOICE_HANDOFF_TO_CASE_SERVICE"), True)
    return (
        Secret("RASA_CHANNEL_TOKEN"),
        Secret("CENTER_API_TOKEN", required=to_cases),
        Secret("CHAT_SESSION_SECRET", required=False),
        Secret("ROBOT_DEVICE_TOKENS", required=False, pairs=True),
        Secret("TWILIO_AUTH_TOKEN", required=False),
    )


def parse_office_hours(raw: str, tz: str) -> OfficeHours:
    """The shared office-hours format, with errors reported as settings errors."""
    try:
        return OfficeHours.parse(raw, tz)
    except OfficeHoursError as exc:
        raise SettingsError(f"CENTER_OFFICE_HOURS_SPEC: {exc}") from exc


def parse_device_tokens(raw: str) -> dict[str, str]:
    """``name:token`` pairs, comma-separated → {token: name}."""
    tokens: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, token = pair.partition(":")
        if not sep or not name.strip() or len(token.strip()) < 16:
            raise SettingsError("ROBOT_DEVICE_TOKENS: use name:token pairs with tokens of 16+ characters")
        tokens[token.strip()] = name.strip()
    return tokens


@dataclass(frozen=True)
class VoiceSettings:
    """Everything the gateway reads from the environment."""

    host: str = "127.0.0.1"
    port: int = 5006
    public_url: str = ""  # https://… address Twilio reaches (a tunnel in development)
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    asr: AsrSettings = field(default_factory=AsrSettings)  # ASR_ENGINE, VOSK_*, WHISPER_*
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 8.0
    staff_phone_number: str = ""
    office_hours: OfficeHours = field(default_factory=lambda: OfficeHours.parse(DEFAULT_SPEC))
    recording_enabled: bool = False
    tts_voice: str = "Polly.Zhiyu"
    tts_language: str = "cmn-CN"
    data_dir: Path = Path("var/voice")
    silence_timeout_s: float = 8.0
    handoff_to_case_service: bool = False  # also deliver packets through integration.client
    max_calls: int = 4  # concurrent calls + kiosk sessions one process decodes; beyond: apology + staff
    archive_retry_s: float = 60.0  # how often call records the case service missed are re-sent
    chat_session_secret: str = ""  # shared with the web service: signs the chat page's tickets
    robot_device_tokens: Mapping[str, str] = field(default_factory=dict)  # token -> kiosk name
    rasa_channel_token: str = ""  # RASA_CHANNEL_TOKEN: the gateway's token for Rasa's REST channel
    max_utterance_chars: int = 2000  # RASA_MAX_MESSAGE_CHARS: longer transcripts are cut before Rasa
    stream_start_timeout_s: float = 10.0  # a Media Stream without a valid start by then is closed
    max_pending_streams: int = 16  # Media Streams waiting for their start at once; more are refused
    # VOICE_WEBHOOKS_PER_IP_PER_MIN (Twilio calls from few addresses), VOICE_STREAMS_PER_IP_PER_MIN
    # (WebSocket openings), VOICE_STREAMS_PER_CONVERSATION_PER_MIN (push-to-talk); AUTH_*: wrong
    # signatures, tickets, device and stream tokens per address
    webhooks_per_ip: Rate = field(default_factory=lambda: Rate(600))
    streams_per_ip: Rate = field(default_factory=lambda: Rate(60))
    streams_per_conversation: Rate = field(default_factory=lambda: Rate(10))
    lock_policy: LockPolicy = field(default_factory=LockPolicy)

    @property
    def robot_stream_enabled(self) -> bool:
        """The kiosk stream needs a way to authenticate its clients; with none it refuses them all."""
        return bool(self.chat_session_secret or self.robot_device_tokens)

    @property
    def vosk_model_path(self) -> Path | None:
        return self.asr.vosk_model_path

    @property
    def asr_configured(self) -> bool:
        return self.asr.model_path is not None

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
        port = parse_float("VOICE_PORT", env.get("VOICE_PORT"), 5006)
        var_dir = Path(env.get("VAR_DIR", "var"))
        return cls(
            host=env.get("VOICE_HOST", "127.0.0.1"),
            port=int(port),
            public_url=env.get("PUBLIC_URL", "").strip(),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            asr=AsrSettings.from_env(env),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_timeout_s=parse_float("RASA_TIMEOUT_S", env.get("RASA_TIMEOUT_S"), 8.0),
            staff_phone_number=env.get("STAFF_PHONE_NUMBER", "").strip(),
            office_hours=parse_office_hours(
                env.get("CENTER_OFFICE_HOURS_SPEC", DEFAULT_SPEC), env.get("CENTER_TIMEZONE", "Asia/Shanghai")
            ),
            recording_enabled=parse_bool(
                "VOICE_RECORDING_ENABLED", env.get("VOICE_RECORDING_ENABLED"), default=False
            ),
            tts_voice=env.get("VOICE_TTS_VOICE", "Polly.Zhiyu"),
            tts_language=env.get("VOICE_TTS_LANGUAGE", "cmn-CN"),
            data_dir=Path(env.get("VOICE_DATA_DIR", str(var_dir / "voice"))),
            max_calls=int(parse_float("VOICE_MAX_CALLS", env.get("VOICE_MAX_CALLS"), 4)),
            handoff_to_case_service=parse_bool(
                "VOICE_HANDOFF_TO_CASE_SERVICE", env.get("VOICE_HANDOFF_TO_CASE_SERVICE"), default=True
            ),
            silence_timeout_s=parse_float("VOICE_SILENCE_TIMEOUT_S", env.get("VOICE_SILENCE_TIMEOUT_S"), 8.0),
            archive_retry_s=parse_float("VOICE_ARCHIVE_RETRY_S", env.get("VOICE_ARCHIVE_RETRY_S"), 60.0),
            chat_session_secret=env.get("CHAT_SESSION_SECRET", "").strip(),
            robot_device_tokens=parse_device_tokens(env.get("ROBOT_DEVICE_TOKENS", "")),
            rasa_channel_token=env_str(env, "RASA_CHANNEL_TOKEN", ""),
            max_utterance_chars=env_int(env, "RASA_MAX_MESSAGE_CHARS", 2000),
            stream_start_timeout_s=parse_float(
                "VOICE_STREAM_START_TIMEOUT_S", env.get("VOICE_STREAM_START_TIMEOUT_S"), 10.0
            ),
            max_pending_streams=env_int(env, "VOICE_MAX_PENDING_STREAMS", 16),
            webhooks_per_ip=Rate(env_int(env, "VOICE_WEBHOOKS_PER_IP_PER_MIN", 600)),
            streams_per_ip=Rate(env_int(env, "VOICE_STREAMS_PER_IP_PER_MIN", 60)),
            streams_per_conversation=Rate(env_int(env, "VOICE_STREAMS_PER_CONVERSATION_PER_MIN", 10)),
            lock_policy=LockPolicy.from_env(env),
        )
