import io
import socket
import sys
import time
from pathlib import Path

import pytest

from launcher.process import ManagedProcess, ServiceSpec, StackError
from launcher.supervisor import RestartPolicy, Supervisor, free_port, port_is_free

PY = sys.executable


def http_server_spec(name: str, port: int) -> ServiceSpec:
    argv = [PY, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    return ServiceSpec(name=name, argv=argv, health_url=f"http://127.0.0.1:{port}/", port=port)


def test_starts_waits_for_health_and_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    out = io.StringIO()
    sup = Supervisor(tmp_path, tmp_path, out=out)
    sup.start([http_server_spec("web", port)], host="127.0.0.1", timeout_s=20)
    pid = sup.processes[0].pid
    assert not port_is_free("127.0.0.1", port)
    sup.stop_all()
    assert port_is_free("127.0.0.1", port)
    assert sup.processes == []
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)
    assert "web is healthy" in out.getvalue()


def test_a_port_in_use_is_named_with_the_fix(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        sup = Supervisor(tmp_path, tmp_path, out=io.StringIO())
        with pytest.raises(StackError, match=f"port {port} for web is already in use"):
            sup.start([http_server_spec("web", port)], host="127.0.0.1", timeout_s=5)
    assert sup.processes == []


def test_a_service_that_dies_stops_the_others_and_shows_its_log(tmp_path: Path) -> None:
    good = http_server_spec("web", free_port())
    bad = ServiceSpec(
        name="broken",
        argv=[PY, "-c", "import sys; print('boom: no model'); sys.exit(3)"],
        health_url=f"http://127.0.0.1:{free_port()}/",
    )
    sup = Supervisor(tmp_path, tmp_path, out=io.StringIO())
    with pytest.raises(StackError, match=r"broken exited with code 3(.|\n)*boom: no model"):
        sup.start([good, bad], host="127.0.0.1", timeout_s=20)
    assert sup.processes == []
    assert port_is_free("127.0.0.1", good.port or 0)


def test_a_service_never_healthy_times_out_and_is_stopped(tmp_path: Path) -> None:
    silent = ServiceSpec(
        name="silent",
        argv=[PY, "-c", "import time; time.sleep(60)"],
        health_url=f"http://127.0.0.1:{free_port()}/",
    )
    sup = Supervisor(tmp_path, tmp_path, out=io.StringIO())
    started = time.monotonic()
    with pytest.raises(StackError, match="silent not healthy after 1 s"):
        sup.start([silent], host="127.0.0.1", timeout_s=1)
    assert time.monotonic() - started < 15
    assert sup.processes == []


def test_stop_kills_grandchildren_in_the_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time;"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']);"
        f"open({str(marker)!r}, 'w').write(str(p.pid)); time.sleep(120)"
    )
    spec = ServiceSpec(name="parent", argv=[PY, "-c", script], health_url=None)
    sup = Supervisor(tmp_path, tmp_path, out=io.StringIO())
    sup.start([spec], host="127.0.0.1", timeout_s=5)
    deadline = time.monotonic() + 10
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(marker.read_text())
    sup.stop_all()
    time.sleep(0.2)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]


def killed(sup: Supervisor, index: int = 0) -> int:
    """kill -9 one supervised process (as the OOM killer would) and wait until it is gone."""
    import os
    import signal

    proc = sup.processes[index]
    os.kill(proc.pid, signal.SIGKILL)
    proc.popen.wait(timeout=10)
    return proc.pid


def test_a_service_killed_is_restarted_healthy_and_the_others_keep_running(tmp_path: Path) -> None:
    web, api = http_server_spec("web", free_port()), http_server_spec("api", free_port())
    out, pauses = io.StringIO(), []
    sup = Supervisor(tmp_path, tmp_path, out=out, sleep=pauses.append)
    sup.start([web, api], host="127.0.0.1", timeout_s=20)
    try:
        api_pid = sup.processes[1].pid
        old_pid = killed(sup, 0)
        assert sup.restart_dead(RestartPolicy(), timeout_s=20) == ["web"]
        assert sup.processes[0].pid != old_pid and sup.processes[0].is_healthy()
        assert sup.processes[1].pid == api_pid  # untouched
        assert sup.restart_dead(RestartPolicy(), timeout_s=20) == []  # nothing else died
        assert pauses == [1.0]
        assert "web stopped unexpectedly (exit -9); restarting" in out.getvalue()
        assert "web restarted" in out.getvalue()
    finally:
        sup.stop_all()


def test_a_crash_loop_stops_the_stack_with_the_log_and_backs_off_before(tmp_path: Path) -> None:
    crash = ServiceSpec(name="crashy", argv=[PY, "-c", "print('boom: bad config')"], health_url=None)
    now = [0.0]
    pauses: list[float] = []
    sup = Supervisor(tmp_path, tmp_path, out=io.StringIO(), clock=lambda: now[0], sleep=pauses.append)
    sup.processes.append(ManagedProcess(crash, tmp_path, tmp_path))
    sup.processes[0].popen.wait(timeout=10)
    policy = RestartPolicy(limit=3, window_s=60)
    loop = r"crashy stopped unexpectedly(.|\n)*4 times within 1 min(.|\n)*boom"
    with pytest.raises(StackError, match=loop):
        for _ in range(4):
            sup.processes[0].popen.wait(timeout=10)
            sup.restart_dead(policy, timeout_s=5)
            sup.processes[0].popen.wait(timeout=10)
    assert pauses == [1.0, 2.0, 4.0]
    sup.stop_all()


def test_deaths_far_apart_are_not_a_crash_loop(tmp_path: Path) -> None:
    crash = ServiceSpec(name="rare", argv=[PY, "-c", "pass"], health_url=None)
    now = [0.0]
    sup = Supervisor(tmp_path, tmp_path, out=io.StringIO(), clock=lambda: now[0], sleep=lambda _: None)
    sup.processes.append(ManagedProcess(crash, tmp_path, tmp_path))
    for _ in range(5):  # once an hour, with a limit of 2 per 10 minutes
        sup.processes[0].popen.wait(timeout=10)
        assert sup.restart_dead(RestartPolicy(limit=2, window_s=600), timeout_s=5) == ["rare"]
        now[0] += 3600
    sup.stop_all()


def test_limit_zero_stops_at_the_first_death(tmp_path: Path) -> None:
    sup = Supervisor(tmp_path, tmp_path, out=io.StringIO(), sleep=lambda _: None)
    sup.processes.append(ManagedProcess(ServiceSpec("once", [PY, "-c", "pass"], None), tmp_path, tmp_path))
    sup.processes[0].popen.wait(timeout=10)
    with pytest.raises(StackError, match="STACK_RESTART_LIMIT=0"):
        sup.restart_dead(RestartPolicy(limit=0), timeout_s=5)
    sup.stop_all()
