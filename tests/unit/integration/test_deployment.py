"""Development or production mode, and the secrets production refuses (integration/deployment.py)."""

from __future__ import annotations

import logging

import pytest

from integration import deployment
from integration.client import factory
from integration.deployment import InsecureSettings, Secret
from integration.envparse import SettingsError

SECRETS = (Secret("CENTER_API_TOKEN"), Secret("CENTER_STAFF_TOKENS", required=False, pairs=True),
           Secret("TWILIO_AUTH_TOKEN", required=False))
STRONG = "x7Gq2LrV9sKp4TzW"


def test_the_mode_is_explicit_and_unset_means_production() -> None:
    assert deployment.mode({}) == "production"
    assert deployment.mode({"JIEFEN_ENV": " Development "}) == "development"
    assert deployment.mode({}, default="development") == "development"  # the launcher's default
    with pytest.raises(SettingsError, match="JIEFEN_ENV"):
        deployment.mode({"JIEFEN_ENV": "dev"})


@pytest.mark.parametrize(
    ("env", "found"),
    [
        ({}, ["CENTER_API_TOKEN is missing"]),
        ({"CENTER_API_TOKEN": " dev-bot-token "}, ["CENTER_API_TOKEN is a development default"]),
        ({"CENTER_API_TOKEN": "short-token"}, ["CENTER_API_TOKEN is shorter than 16 characters"]),
        ({"CENTER_API_TOKEN": STRONG, "CENTER_STAFF_TOKENS": f"tool:{STRONG},console:dev-staff-token"},
         ["CENTER_STAFF_TOKENS is a development default"]),
        ({"CENTER_API_TOKEN": STRONG, "CENTER_STAFF_TOKENS": "tool:abc"},
         ["CENTER_STAFF_TOKENS is shorter than 16 characters"]),
        ({"CENTER_API_TOKEN": STRONG, "TWILIO_AUTH_TOKEN": "123"},
         ["TWILIO_AUTH_TOKEN is shorter than 16 characters"]),
        ({"CENTER_API_TOKEN": STRONG, "CENTER_STAFF_TOKENS": "", "TWILIO_AUTH_TOKEN": ""}, []),
    ],
)
def test_missing_development_and_short_secrets_are_named(env: dict[str, str], found: list[str]) -> None:
    assert deployment.problems(env, SECRETS) == found


def test_production_refuses_with_one_line_naming_the_variables(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.deployment")
    env = {"CENTER_API_TOKEN": "dev-bot-token", "TWILIO_AUTH_TOKEN": "123"}
    with caplog.at_level(logging.INFO, "test.deployment"):
        assert deployment.check_startup("case service", env, SECRETS, log) is False
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    line = record.getMessage()
    assert line.startswith("case service: refusing to start in production mode: CENTER_API_TOKEN is a "
                           "development default; TWILIO_AUTH_TOKEN is shorter than 16 characters")
    assert "JIEFEN_ENV=development" in line and "dev-bot-token" not in line and "123" not in line


def test_development_accepts_them_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.deployment")
    with caplog.at_level(logging.INFO, "test.deployment"):
        assert deployment.check_startup("web", {"JIEFEN_ENV": "development"}, SECRETS, log) is True
        assert deployment.check_startup("web", {"CENTER_API_TOKEN": STRONG}, SECRETS, log) is True
        assert deployment.check_startup("web", {"JIEFEN_ENV": "staging"}, SECRETS, log) is False
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.ERROR]
    assert "development mode" in caplog.records[0].getMessage()
    assert "JIEFEN_ENV" in caplog.records[1].getMessage()


def test_the_bots_client_refuses_the_development_token_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CENTER_API_TOKEN", raising=False)
    monkeypatch.setenv("JIEFEN_ENV", "production")
    with pytest.raises(InsecureSettings, match="CENTER_API_TOKEN is missing"):
        factory.http_from_env()
    monkeypatch.setenv("CENTER_API_TOKEN", "dev-bot-token")
    with pytest.raises(InsecureSettings, match="CENTER_API_TOKEN is a development default"):
        factory.http_from_env()
    monkeypatch.setenv("CENTER_API_TOKEN", STRONG)
    assert factory.http_from_env() is not None
    monkeypatch.setenv("JIEFEN_ENV", "development")
    monkeypatch.delenv("CENTER_API_TOKEN")
    assert factory.http_from_env() is not None  # development: the default token, as before
