"""One supervised child process: start it, wait until healthy, stop it and its children."""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def private_dir(path: Path) -> None:
    """A folder only its owner may enter (0700), created if needed; var/ and its log folder."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


def make_private_tree(root: Path) -> None:
    """Take group and other permissions off everything under ``root`` (what an older version
    left 0644: databases, transcripts, logs); new files are private through the umask anyway."""
    if not root.is_dir():
        return
    for path in [root, *root.rglob("*")]:
        with contextlib.suppress(OSError):
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & 0o700)


def as_user(user: str | None) -> dict[str, Any]:
    """``subprocess`` arguments that run a child as ``user`` (its own group, no supplementary
    groups) when the launcher is root; nothing otherwise (it runs as the launcher's user)."""
    if user is None or os.geteuid() != 0:
        return {}
    return {"user": user, "group": grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name, "extra_groups": []}


class StackError(RuntimeError):
    """A failure that ends the run with one clear line: what went wrong and how to fix it."""


@dataclass
class ServiceSpec:
    """How to start one service and how to know it is ready."""

    name: str
    argv: list[str]
    health_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    host: str | None = None  # the interface it binds, when not the stack's (Rasa: loopback only)
    # Extra readiness check on the health response body (e.g. a model is loaded).
    ready_when: Callable[[bytes], bool] | None = None
    # Readiness of a service without an HTTP health URL (PostgreSQL, Redis): True when it answers.
    probe: Callable[[], bool] | None = None
    # The account it runs as when the launcher runs as root (PostgreSQL refuses root); its group
    # is the account's own and it keeps none of root's supplementary groups.
    user: str | None = None
    # False: the process sees ``env`` only, none of the launcher's environment (its secrets).
    inherit_env: bool = True
    # Run before every start, restarts included (PostgreSQL: its folder must be reachable).
    before_start: Callable[[], None] | None = None


class ManagedProcess:
    """A started service, with its log file."""

    def __init__(self, spec: ServiceSpec, log_dir: Path, cwd: Path) -> None:
        self.spec = spec
        self.log_path = log_dir / f"{spec.name}.log"
        env = {**os.environ, **spec.env} if spec.inherit_env else dict(spec.env)
        if spec.before_start is not None:
            spec.before_start()
        identity = as_user(spec.user)
        private_dir(log_dir)
        self._log = os.fdopen(os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        self.log_path.chmod(0o600)
        # A new session so that stop() can signal the whole process group (Rasa spawns workers).
        # umask 077: every database, transcript, outbox entry and log the services create holds
        # personal data, so none is readable by other local users (files 0600, folders 0700).
        self.popen = subprocess.Popen(
            spec.argv,
            cwd=cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            umask=0o077,
            **identity,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def exited(self) -> int | None:
        """The exit code if the process has ended, else None."""
        return self.popen.poll()

    def is_healthy(self) -> bool:
        """One health probe: HTTP 200 (and the body check, if any), or the spec's own probe."""
        if self.spec.health_url is None:
            return self.exited() is None and (self.spec.probe is None or self.spec.probe())
        try:
            with urllib.request.urlopen(self.spec.health_url, timeout=2) as response:
                body = response.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False
        return self.spec.ready_when is None or self.spec.ready_when(body)

    def tail(self, lines: int = 15) -> str:
        """The last lines of the service's log, for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after the grace period."""
        if self.exited() is None:
            _signal_group(self.popen.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            while self.exited() is None and time.monotonic() < deadline:
                time.sleep(0.1)
        _signal_group(self.popen.pid, signal.SIGKILL)  # stragglers in the group, if any
        if self.exited() is None:
            self.popen.wait(timeout=5)
        self._log.close()

    def kill(self) -> None:
        """SIGKILL the group now and reap it (the log stays open until ``stop``)."""
        _signal_group(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
