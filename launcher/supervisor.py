"""Start a set of services, wait until all are healthy with visible progress, stop them all."""

from __future__ import annotations

import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from launcher.process import ManagedProcess, ServiceSpec, StackError


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port (we may bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel considers free right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RestartPolicy:
    """When a service that died is started again. A crash loop (more than ``limit`` restarts of
    one service within ``window_s``) ends the stack with the service's log instead of hiding it;
    ``limit`` 0 restores the old rule (the first death stops everything)."""

    limit: int = 5
    window_s: float = 600.0
    backoff_s: float = 1.0  # before the n-th restart in the window: backoff_s * 2**(n-1), ≤ 30 s


class Supervisor:
    """Owns the started processes; `stop_all` is safe to call more than once."""

    def __init__(
        self,
        log_dir: Path,
        cwd: Path,
        out: TextIO = sys.stdout,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.log_dir = log_dir
        self.cwd = cwd
        self.out = out
        self.processes: list[ManagedProcess] = []
        self._clock = clock
        self._sleep = sleep
        self._restarts: dict[str, deque[float]] = {}

    @staticmethod
    def check_ports(specs: Iterable[ServiceSpec], host: str) -> None:
        """Fail fast, before any training or start, when a port is taken."""
        for spec in specs:
            if spec.port is not None and not port_is_free(spec.host or host, spec.port):
                raise StackError(
                    f"port {spec.port} for {spec.name} is already in use — stop the program using it "
                    f"(`ss -ltnp 'sport = :{spec.port}'`) or choose another port in .env"
                )

    def start(self, specs: Iterable[ServiceSpec], host: str, timeout_s: float) -> None:
        """Start every service and block until all are healthy; on failure stop all and raise."""
        specs = list(specs)
        self.check_ports(specs, host)
        try:
            for spec in specs:
                self.processes.append(ManagedProcess(spec, self.log_dir, self.cwd))
                self._say(
                    f"started {spec.name} (pid {self.processes[-1].pid}), log {self.log_dir / spec.name}.log"
                )
            self._wait_healthy(timeout_s)
        except BaseException:
            self.stop_all()
            raise

    def _wait_healthy(self, timeout_s: float) -> None:
        started = time.monotonic()
        pending = list(self.processes)
        last_report = 0.0
        while pending:
            for proc in list(pending):
                code = proc.exited()
                if code is not None:
                    raise StackError(
                        f"{proc.spec.name} exited with code {code} before becoming healthy — "
                        f"see {proc.log_path}:\n{proc.tail()}"
                    )
                if proc.is_healthy():
                    pending.remove(proc)
                    self._say(f"{proc.spec.name} is healthy after {time.monotonic() - started:.0f} s")
            elapsed = time.monotonic() - started
            if pending and elapsed > timeout_s:
                names = ", ".join(p.spec.name for p in pending)
                raise StackError(
                    f"{names} not healthy after {timeout_s:.0f} s — see the logs in {self.log_dir} "
                    "(or raise STACK_HEALTH_TIMEOUT_S on a slow machine)"
                )
            if pending and elapsed - last_report >= 5:
                last_report = elapsed
                self._say(f"waiting for {', '.join(p.spec.name for p in pending)} ({elapsed:.0f} s)")
            time.sleep(0.3)

    def restart_dead(self, policy: RestartPolicy, timeout_s: float) -> list[str]:
        """Start again every service that has exited, each waited for until healthy; the names
        that came back. Raises StackError when one crash-loops (see ``RestartPolicy``); one that
        dies again or hangs while starting is left dead for the next call (``_came_back``)."""
        restarted = []
        for index, proc in enumerate(self.processes):
            code = proc.exited()
            if code is None:
                continue
            name = proc.spec.name
            recent = self._restarts.setdefault(name, deque())
            now = self._clock()
            while recent and now - recent[0] > policy.window_s:
                recent.popleft()
            if len(recent) >= policy.limit:
                why = (
                    f"{len(recent) + 1} times within {policy.window_s / 60:.0f} min — not restarting it"
                    if policy.limit else "— STACK_RESTART_LIMIT=0, so the stack stops"
                )
                raise StackError(
                    f"{name} stopped unexpectedly (exit {code}) {why}; see {proc.log_path}:\n{proc.tail()}"
                )
            recent.append(now)
            delay = min(30.0, policy.backoff_s * 2 ** (len(recent) - 1))
            self._say(
                f"{name} stopped unexpectedly (exit {code}); restarting in {delay:.0f} s "
                f"({len(recent)} of {policy.limit} within {policy.window_s / 60:.0f} min), "
                f"log {proc.log_path}"
            )
            proc.stop(grace_s=0)  # reaps it, kills stragglers of its group, closes its log
            self._sleep(delay)
            fresh = ManagedProcess(proc.spec, self.log_dir, self.cwd)
            self.processes[index] = fresh
            if self._came_back(fresh, timeout_s):
                self._say(f"{name} restarted (pid {fresh.pid})")
                restarted.append(name)
        return restarted

    def _came_back(self, proc: ManagedProcess, timeout_s: float) -> bool:
        """Wait until a restarted service is healthy. One that dies again, or hangs unhealthy
        (then killed), is left dead for the next round: it counts as another death, so a crash
        loop ends in StackError with its log rather than here."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.exited() is not None:
                self._say(f"{proc.spec.name} died again (exit {proc.exited()}) while starting")
                return False
            if proc.is_healthy():
                return True
            time.sleep(0.3)
        self._say(f"{proc.spec.name} not healthy {timeout_s:.0f} s after its restart; killing it")
        proc.kill()
        return False

    def stop_all(self) -> None:
        """Stop in reverse start order."""
        while self.processes:
            proc = self.processes.pop()
            proc.stop()
            self._say(f"stopped {proc.spec.name}")

    def _say(self, message: str) -> None:
        print(f"[stack] {message}", file=self.out, flush=True)
