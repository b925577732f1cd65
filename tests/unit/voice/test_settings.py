"""Settings from the environment: explicit booleans, office hours, public URLs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voice.settings import SettingsError, VoiceSettings, parse_bool, parse_office_hours


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("0", False), ("false", False), ("OFF", False), ("", True)]
)
def test_parse_bool(raw: str, value: bool) -> None:
    assert parse_bool("X", raw, default=True) is value


def test_parse_bool_refuses_anything_else() -> None:
    with pytest.raises(SettingsError, match="VOICE_RECORDING_ENABLED"):
        VoiceSettings.from_env({"VOICE_RECORDING_ENABLED": "maybe"})


def test_defaults() -> None:
    settings = VoiceSettings.from_env({})
    assert (settings.host, settings.port, settings.rasa_url) == ("127.0.0.1", 5006, "http://127.0.0.1:5005")
    assert settings.vosk_model_path is None and not settings.recording_enabled
    assert settings.data_dir == Path("var/voice")


def test_env_values_and_public_urls() -> None:
    settings = VoiceSettings.from_env(
        {
            "VOICE_PORT": "7006",
            "PUBLIC_URL": "https://abc.tunnel.example/",
            "VOSK_MODEL_PATH": "/models/vosk-model-small-cn-0.22",
            "VOICE_RECORDING_ENABLED": "false",
            "RASA_URL": "http://rasa:5005/",
        }
    )
    assert settings.port == 7006 and settings.rasa_url == "http://rasa:5005"
    assert settings.vosk_model_path == Path("/models/vosk-model-small-cn-0.22")
    assert settings.public_wss("/twilio/stream") == "wss://abc.tunnel.example/twilio/stream"
    assert settings.public_https("/twilio/voice") == "https://abc.tunnel.example/twilio/voice"


def test_office_hours() -> None:
    hours = parse_office_hours("1-5 09:00-12:00,13:30-17:30;6 09:00-12:00", "Asia/Shanghai")
    shanghai = ZoneInfo("Asia/Shanghai")
    assert hours.is_open(datetime(2026, 11, 26, 10, 0, tzinfo=shanghai))  # Thursday morning
    assert not hours.is_open(datetime(2026, 11, 26, 12, 30, tzinfo=shanghai))  # lunch
    assert hours.is_open(datetime(2026, 11, 28, 11, 0, tzinfo=shanghai))  # Saturday
    assert not hours.is_open(datetime(2026, 11, 29, 11, 0, tzinfo=shanghai))  # Sunday
    assert hours.is_open(datetime(2026, 11, 26, 2, 0, tzinfo=ZoneInfo("UTC")))  # 10:00 in Shanghai


@pytest.mark.parametrize("raw", ["weekdays 9-5", "1-5 25:00-26:00", "1-5 0900-1700"])
def test_bad_office_hours(raw: str) -> None:
    with pytest.raises(SettingsError):
        parse_office_hours(raw, "Asia/Shanghai")
