"""Train the Rasa model only when config, domain, data or the jieba dictionary changed."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from launcher.process import StackError
from launcher.settings import ROOT

MODEL_NAME = "jiefen"
TRAINING_INPUTS = (
    "config.yml", "bot/domain", "bot/data", "bot/jieba", "bot/nlu", "bot/policies", "textnorm/safety.py",
)


def fingerprint(root: Path = ROOT) -> str:
    """A hash over every training input file's path and bytes."""
    digest = hashlib.sha256()
    for entry in TRAINING_INPUTS:
        path = root / entry
        if not path.exists():
            digest.update(f"{entry} missing\0".encode())
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()


def model_path(model_dir: Path) -> Path:
    """Where the trained model lives."""
    return model_dir / f"{MODEL_NAME}.tar.gz"


_COMPONENT_RE = re.compile(r"Starting to train component '([^']+)'")


def current_component(log: Path) -> str:
    """The component Rasa is training now, read from its log (for progress lines)."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return "starting"
    found = _COMPONENT_RE.findall(text)
    return f"training {found[-1]} ({len(found)} components so far)" if found else "reading data"


def train_if_needed(model_dir: Path, force: bool = False) -> bool:
    """Train into model_dir unless its fingerprint matches; returns True when it trained.

    A lock file makes a second run command (or the tests) wait for a training in progress
    instead of training the same model concurrently.
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    with (model_dir / ".train.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("[train] another training is running; waiting for it", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        return _train_locked(model_dir, force)


def _train_locked(model_dir: Path, force: bool) -> bool:
    stamp = model_dir / f"{MODEL_NAME}.fingerprint"
    current = fingerprint()
    if not force and model_path(model_dir).is_file() and stamp.is_file() and stamp.read_text() == current:
        print(f"[train] model is up to date ({model_path(model_dir)})", flush=True)
        return False
    log = model_dir / "train.log"
    print(f"[train] training the Rasa model (a few minutes on 2 cores); log {log}", flush=True)
    started = time.monotonic()
    argv = [
        str(ROOT / ".venv/bot/bin/rasa"),
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        "bot/data",
        "--out",
        str(model_dir),
        "--fixed-model-name",
        MODEL_NAME,
    ]
    # PYTHONPATH: config.yml names our own NLU component (bot.nlu.safety_override).
    env = {
        **os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            time.sleep(10)
            step = current_component(log)
            print(f"[train] {time.monotonic() - started:.0f} s: {step}", flush=True)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise StackError(f"training failed (exit {proc.returncode}) — see {log}:\n{tail}")
    stamp.write_text(current)
    print(f"[train] trained in {time.monotonic() - started:.0f} s", flush=True)
    return True


def main() -> int:
    """`python -m launcher.training [--force]`."""
    from launcher.settings import StackSettings

    try:
        train_if_needed(StackSettings.from_env().model_dir, force="--force" in sys.argv)
    except StackError as exc:
        print(f"[train] ERROR {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
