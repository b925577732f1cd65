"""The production profile end to end: `python -m launcher run --profile prod` on free ports, as
`make run-prod` starts it, with two Rasa processes sharing PostgreSQL and Redis behind nginx.

- turns of one conversation alternate between the two Rasa processes (each posted directly to a
  process's REST channel): the conversation stays consistent and registers exactly one case;
- one Rasa process killed with kill -9 mid-conversation: the conversation goes on through nginx,
  and the launcher starts the dead one again, which then knows the whole conversation.
Synchronised on the launcher's own lines and on health checks, never on sleeps.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from launcher import prod
from launcher.settings import StackSettings
from launcher.supervisor import free_port, port_is_free
from launcher.training import model_path
from tests.e2e.simulated_citizen import answer_for
from tests.system import missing_package

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CASE_NO = re.compile(r"JF-\d{4}-\d{6}")
CHANNEL_TOKEN = "prod-e2e-channel-token-0123456789"  # the web relay's and voice gateway's token
RASA_TOKEN = "prod-e2e-rasa-token-0123456789"
CENTER_TOKEN = "prod-e2e-bot-token-0123456789"


@dataclass
class ProdRun:
    """The launcher process, the lines it printed so far, and the ports it was given."""

    proc: subprocess.Popen[str]
    ports: dict[str, int]
    rasa_ports: tuple[int, int]
    lines: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append("<launcher exited>\n")
            self.changed.notify_all()

    def wait_for(self, pattern: str, timeout_s: float, after: int = 0) -> re.Match[str]:
        """The first line from index ``after`` on that matches ``pattern``, as it is printed."""
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while True:
                for line in self.lines[after:]:
                    if match := re.search(pattern, line):
                        return match
                    if line.startswith("<launcher exited>"):
                        raise AssertionError("the launcher exited:\n" + "".join(self.lines[-60:]))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line {pattern!r} within {timeout_s:.0f} s:\n"
                                         + "".join(self.lines[-60:]))
                self.changed.wait(left)

    def url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def prod_run(request: pytest.FixtureRequest) -> Iterator[ProdRun]:
    if missing := prod.missing_packages():
        missing_package(prod.packages_line(missing))
    if not model_path(StackSettings.from_env().model_dir).is_file():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    # Under /tmp, not pytest's 0700 folder: the postgres account must reach var/postgres.
    var_dir = Path(tempfile.mkdtemp(prefix="prod-e2e-"))
    names = ("RASA_PORT", "ACTION_PORT", "CASE_SERVICE_PORT", "VOICE_PORT", "WEB_PORT", "PROD_PG_PORT",
             "PROD_REDIS_PORT")
    ports = {name: free_port() for name in names}
    rasa_ports, action_ports = (free_port(), free_port()), (free_port(), free_port())
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "VAR_DIR": str(var_dir), "JIEFEN_ENV": "development",
        **{name: str(port) for name, port in ports.items()},
        "PROD_RASA_PORTS": ",".join(map(str, rasa_ports)),
        "PROD_ACTION_PORTS": ",".join(map(str, action_ports)),
        "RASA_CHANNEL_TOKEN": CHANNEL_TOKEN, "RASA_AUTH_TOKEN": RASA_TOKEN, "CENTER_API_TOKEN": CENTER_TOKEN,
        "STACK_WARM_UP": "true", "STACK_HEALTH_TIMEOUT_S": "420", "CASE_OUTBOX_INTERVAL_S": "2",
    }
    if not env.get("VOSK_MODEL_PATH"):
        env["VOSK_MODEL_DOWNLOAD"] = "false"  # text only: no 40 MB download into a throwaway folder
    proc = subprocess.Popen(
        [sys.executable, "-m", "launcher", "run", "--profile", "prod"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    run = ProdRun(proc, ports, rasa_ports)
    threading.Thread(target=run.read, daemon=True).start()
    try:
        run.wait_for(r"Press Ctrl-C", timeout_s=540)  # generous: only a failure waits it out
        yield run
    finally:
        proc.send_signal(signal.SIGTERM)  # the launcher stops every process it started
        proc.wait(timeout=90)
        every_port = [*ports.values(), *rasa_ports, *action_ports]
        left = [port for port in every_port if not port_is_free("127.0.0.1", port)]
        if request.session.testsfailed:  # the processes' own logs explain most failures
            sys.stderr.write("".join(run.lines))
            for log in sorted((var_dir / "log").glob("*.log")):
                sys.stderr.write(f"--- tail of {log.name} ---\n{log.read_text(errors='replace')[-3000:]}\n")
        shutil.rmtree(var_dir, ignore_errors=True)
        assert proc.returncode == 0 and not left, "".join(run.lines[-40:])


class Conversation:
    """One citizen's conversation on the REST channel, each turn posted where ``route`` says."""

    def __init__(self, run: ProdRun) -> None:
        self.sender = f"web-{uuid.uuid4().hex[:16]}"  # a web chat's id, as the relay sends it
        self.run = run
        self.client = httpx.Client(timeout=90, headers={"Authorization": f"Bearer {CHANNEL_TOKEN}"})
        self.transcript: list[tuple[int, str, list[str]]] = []

    def say(self, text: str, port: int) -> str:
        response = self.client.post(f"{self.run.url(port)}/webhooks/rest/webhook",
                                    json={"sender": self.sender, "message": text})
        assert response.status_code == 200, (port, response.status_code, response.text, self.transcript)
        replies = [m["text"] for m in response.json() if m.get("text")]
        self.transcript.append((port, text, replies))
        return "\n".join(replies)

    def tracker(self, port: int) -> dict[str, Any]:
        response = self.client.get(f"{self.run.url(port)}/conversations/{self.sender}/tracker",
                                   params={"token": RASA_TOKEN})
        response.raise_for_status()
        return dict(response.json())


def persona(phone: str) -> dict[str, Any]:
    return {"opening": "我想申请调解，楼上邻居家卫生间漏水把我家天花板泡坏了", "respondent": "楼上邻居王某",
            "location": "城关镇幸福小区3栋", "amount": "五千块", "name": "我叫李四", "phone": phone,
            "id_number": "跳过"}


def drive(talk: Conversation, who: dict[str, Any], route: Iterator[int], until: str, reply: str = "") -> str:
    """Answer the bot's questions, each turn on the next port of ``route``, until ``until`` is asked."""
    reply = reply or talk.say(str(who["opening"]), next(route))
    for _ in range(20):
        if until in reply:
            return reply
        message = answer_for(reply, who)
        assert message is not None, talk.transcript
        reply = talk.say(message, next(route))
    raise AssertionError(f"never reached {until!r}: {talk.transcript}")


def cases_of(run: ProdRun, phone: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{run.url(run.ports['CASE_SERVICE_PORT'])}/api/cases", params={"phone": phone},
                         headers={"Authorization": f"Bearer {CENTER_TOKEN}"}, timeout=10)
    response.raise_for_status()
    return list(response.json()["items"])


def unique_phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def same_conversation(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert [e["event"] for e in a["events"]] == [e["event"] for e in b["events"]]
    assert a["slots"] == b["slots"]


def alternate(ports: tuple[int, int]) -> Iterator[int]:
    while True:
        yield from ports


def forever(port: int) -> Iterator[int]:
    while True:
        yield port


def test_turns_alternating_between_the_two_rasa_processes_register_one_case(prod_run: ProdRun) -> None:
    phone, talk = unique_phone(), Conversation(prod_run)
    reply = drive(talk, persona(phone), alternate(prod_run.rasa_ports), until="核对")
    reply = talk.say("对，没问题", prod_run.rasa_ports[len(talk.transcript) % 2])
    assert CASE_NO.search(reply), talk.transcript
    assert {port for port, _, _ in talk.transcript} == set(prod_run.rasa_ports)
    consent_asked = sum("您同意吗" in " ".join(replies) for _, _, replies in talk.transcript)
    assert consent_asked == 1, talk.transcript  # one conversation, never started over on the other process
    (case,) = cases_of(prod_run, phone)
    assert case["case_no"] in reply
    assert "漏水" in case["description"] and case["location"] == "城关镇幸福小区3栋"
    same_conversation(talk.tracker(prod_run.rasa_ports[0]), talk.tracker(prod_run.rasa_ports[1]))


def test_a_rasa_killed_mid_conversation_the_conversation_goes_on_and_it_is_restarted(
    prod_run: ProdRun,
) -> None:
    phone, talk = unique_phone(), Conversation(prod_run)
    nginx = prod_run.ports["RASA_PORT"]
    drive(talk, persona(phone), forever(nginx), until="发生在哪里")
    pid = int(prod_run.wait_for(r"started rasa-1 \(pid (\d+)\)", timeout_s=1).group(1))
    mark = len(prod_run.lines)
    os.killpg(pid, signal.SIGKILL)  # as the OOM killer would
    prod_run.wait_for(r"rasa-1 stopped unexpectedly \(exit -9\); restarting", timeout_s=30, after=mark)
    # Every following turn through nginx, while rasa-1 is dead and then starting again.
    reply = talk.say("城关镇幸福小区3栋", nginx)  # the answer to the question asked before the kill
    assert "您同意吗" not in reply, talk.transcript
    reply = drive(talk, persona(phone), forever(nginx), until="核对", reply=reply)
    reply = talk.say("对，没问题", nginx)
    assert CASE_NO.search(reply), talk.transcript
    (case,) = cases_of(prod_run, phone)
    assert "漏水" in case["description"] and case["location"] == "城关镇幸福小区3栋"
    restarted = prod_run.wait_for(r"rasa-1 restarted \(pid (\d+)\)", timeout_s=420, after=mark)
    assert int(restarted.group(1)) != pid
    # The restarted process knows the whole conversation (shared tracker store) and goes on with it.
    rasa_1, rasa_2 = prod_run.rasa_ports
    same_conversation(talk.tracker(rasa_1), talk.tracker(rasa_2))
    talk.say("谢谢", rasa_1)
    assert len(cases_of(prod_run, phone)) == 1
