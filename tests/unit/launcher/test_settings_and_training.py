from dataclasses import replace
from pathlib import Path

import pytest

from launcher import training
from launcher.settings import StackSettings, env_bool, load_dotenv


def test_booleans_are_parsed_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "false")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "On")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(SystemExit, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_ports_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_PORT", "6005")
    monkeypatch.setenv("CASE_SERVICE_PORT", "not-a-port")
    with pytest.raises(SystemExit, match="CASE_SERVICE_PORT"):
        StackSettings.from_env()
    monkeypatch.setenv("CASE_SERVICE_PORT", "9000")
    settings = StackSettings.from_env()
    assert (settings.rasa_port, settings.case_port, settings.action_port) == (6005, 9000, 5055)


def test_dotenv_never_overrides_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\nX_A=from-file\nX_B='quoted # kept'\nX_C=7   # inline comment\n")
    monkeypatch.setenv("X_A", "from-env")
    monkeypatch.delenv("X_B", raising=False)
    monkeypatch.delenv("X_C", raising=False)
    load_dotenv(env)
    import os

    assert os.environ["X_A"] == "from-env"
    assert os.environ["X_B"] == "quoted # kept"
    assert os.environ["X_C"] == "7"
    monkeypatch.delenv("X_B")
    monkeypatch.delenv("X_C")


def test_fingerprint_changes_with_any_training_input(tmp_path: Path) -> None:
    (tmp_path / "bot/domain").mkdir(parents=True)
    (tmp_path / "bot/data").mkdir(parents=True)
    (tmp_path / "bot/jieba").mkdir(parents=True)
    (tmp_path / "config.yml").write_text("a")
    (tmp_path / "bot/data/nlu.yml").write_text("x")
    first = training.fingerprint(tmp_path)
    assert training.fingerprint(tmp_path) == first
    (tmp_path / "bot/data/nlu.yml").write_text("y")
    assert training.fingerprint(tmp_path) != first


def test_an_up_to_date_model_is_not_retrained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training, "fingerprint", lambda root=None: "abc")
    (tmp_path / "jiefen.tar.gz").write_bytes(b"model")
    (tmp_path / "jiefen.fingerprint").write_text("abc")
    assert training.train_if_needed(tmp_path) is False


def test_rasa_endpoints_are_rendered_with_the_stack_ports(tmp_path: Path) -> None:

    from launcher.services import all_services, render_endpoints

    settings = replace(StackSettings.from_env(), var_dir=tmp_path, action_port=6055)
    text = render_endpoints(settings).read_text()
    assert "url: http://127.0.0.1:6055/webhook" in text
    assert f"db: {tmp_path / 'tracker.db'}" in text
    assert "${" not in text
    names = [spec.name for spec in all_services(settings)]
    assert names == ["case-service", "action-server", "rasa", "voice-gateway", "web"]


def test_the_web_page_and_the_gateway_share_one_session_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from launcher.services import all_services

    monkeypatch.delenv("CHAT_SESSION_SECRET", raising=False)
    first, second = StackSettings.from_env(), StackSettings.from_env()
    assert len(first.chat_session_secret) >= 32 and first.chat_session_secret != second.chat_session_secret
    settings = replace(first, var_dir=tmp_path, voice_port=6006, web_port=6080)
    specs = {spec.name: spec for spec in all_services(settings)}
    secrets = {specs[name].env["CHAT_SESSION_SECRET"] for name in ("web", "voice-gateway")}
    assert secrets == {first.chat_session_secret}
    assert specs["web"].env["VOICE_STREAM_PUBLIC_URL"] == "ws://127.0.0.1:6006/robot/stream"
    assert specs["web"].port == 6080


def test_a_secret_beginning_with_a_dash_is_not_read_as_an_option(tmp_path: Path) -> None:
    """token_urlsafe() can start with "-": passed as a separate argv item, argparse
    takes it for an option and `rasa run` exits with "expected one argument"."""
    import re
    from dataclasses import replace

    from launcher.services import all_services

    settings = replace(
        StackSettings.from_env(),
        var_dir=tmp_path,
        rasa_auth_token="-Auth_token",
        rasa_jwt_secret="-jwt-secret",
        action_server_token="-action",
        rasa_channel_token="-channel",
    )
    option = re.compile(r"^(-m|--[a-z][a-z-]*(=.*)?)$")
    for spec in all_services(settings):
        dashed = [arg for arg in spec.argv if arg.startswith("-") and not option.match(arg)]
        assert dashed == [], f"{spec.name}: {dashed}"
    rasa = next(spec for spec in all_services(settings) if spec.name == "rasa")
    assert "--jwt-secret=-jwt-secret" in rasa.argv and "--auth-token=-Auth_token" in rasa.argv


def test_the_stack_is_development_unless_told_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from launcher.services import all_services
    from launcher.settings import startup_verdict

    monkeypatch.delenv("JIEFEN_ENV", raising=False)
    settings = StackSettings.from_env()
    assert settings.environment == "development"
    assert {spec.env["JIEFEN_ENV"] for spec in all_services(settings)} == {"development"}
    refusal, notice = startup_verdict(settings, {"RASA_AUTH_TOKEN": "dev-rasa-token"})
    assert refusal is None and notice is not None
    assert notice.startswith("development mode (JIEFEN_ENV=development, the default of `make run`): "
                             "RASA_AUTH_TOKEN is a development default; CENTER_API_TOKEN is missing")
    monkeypatch.setenv("JIEFEN_ENV", "production")
    production = StackSettings.from_env()
    assert {spec.env["JIEFEN_ENV"] for spec in all_services(production)} == {"production"}
    strong = {"RASA_AUTH_TOKEN": "r" * 20, "CENTER_API_TOKEN": "c" * 20}
    assert startup_verdict(production, strong) == (None, None)
    refusal, _ = startup_verdict(production, {**strong, "ROBOT_DEVICE_TOKENS": "lobby:short"})
    assert refusal is not None and "ROBOT_DEVICE_TOKENS is shorter than 16 characters" in refusal
    anonymous = replace(production, rasa_channel_allow_anonymous=True)
    refusal, _ = startup_verdict(anonymous, strong)
    assert refusal is not None and "RASA_CHANNEL_ALLOW_ANONYMOUS" in refusal
    refusal, _ = startup_verdict(settings, {"ACTION_SERVER_CORS": "*"})  # any mode
    assert refusal is not None and refusal.startswith("ACTION_SERVER_CORS")
    monkeypatch.setenv("JIEFEN_ENV", "prod")
    with pytest.raises(SystemExit, match="JIEFEN_ENV"):
        StackSettings.from_env()
