"""The run command itself: a clear line on bad input, and nothing left running after it stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.supervisor import free_port, port_is_free

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def launcher_env(tmp_path: Path, **ports: int) -> dict[str, str]:
    env = {**os.environ, "VAR_DIR": str(tmp_path), "STACK_WARM_UP": "true", "PYTHONPATH": str(ROOT)}
    env.update({name: str(port) for name, port in ports.items()})
    return env


def test_a_port_in_use_ends_the_run_with_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        env = launcher_env(
            tmp_path,
            RASA_PORT=free_port(),
            ACTION_PORT=free_port(),
            VOICE_PORT=free_port(),
            CASE_SERVICE_PORT=taken,
        )
        result = subprocess.run(
            [sys.executable, "-m", "launcher", "run"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert errors == [
        f"[stack] ERROR port {taken} for case-service is already in use — stop the program "
        f"using it (`ss -ltnp 'sport = :{taken}'`) or choose another port in .env"
    ]


def read_until(stream: Iterator[str], marker: str, seen: list[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for line in stream:
        seen.append(line)
        if marker in line or time.monotonic() > deadline:
            return


def test_a_killed_service_is_restarted_and_sigterm_stops_every_service(tmp_path: Path) -> None:
    ports = {
        "RASA_PORT": free_port(),
        "ACTION_PORT": free_port(),
        "CASE_SERVICE_PORT": free_port(),
        "VOICE_PORT": free_port(),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "launcher", "run"],
        cwd=ROOT,
        env=launcher_env(tmp_path, **ports),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        seen: list[str] = []
        read_until(proc.stdout, "Press Ctrl-C", seen, timeout_s=300)
        assert any("warm-up reply" in line for line in seen), "".join(seen)
        # kill -9 the action server (as the OOM killer would): the launcher starts it again
        started = next(m for line in seen if (m := re.search(r"started action-server \(pid (\d+)\)", line)))
        os.killpg(int(started.group(1)), signal.SIGKILL)
        read_until(proc.stdout, "action-server restarted", seen, timeout_s=120)
        log = "".join(seen)
        assert "action-server stopped unexpectedly (exit -9); restarting" in log, log
        assert "action-server restarted" in log, log
        action = f"http://127.0.0.1:{ports['ACTION_PORT']}/health"
        with urllib.request.urlopen(action, timeout=5) as response:
            assert response.status == 200
    except BaseException:
        proc.send_signal(signal.SIGTERM)  # the launcher stops its services: none is left behind
        proc.communicate(timeout=60)
        raise
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert all(port_is_free("127.0.0.1", port) for port in ports.values())
    assert all(
        f"stopped {name}" in rest for name in ("rasa", "case-service", "action-server", "voice-gateway")
    )
