"""Faults in the middle of an intake, on the real stack: a service is killed or stopped, comes
back, and the citizen's intake ends as exactly one case holding what they said, with the
citizen told the truth on the way. (Issue 15, item 3; the launcher's own restart of a dead
service is tested in test_run_command.py.)
"""

from __future__ import annotations

import os
import random
import re
import signal
import time
import uuid
from typing import Any

import httpx
import pytest

from launcher.supervisor import RestartPolicy
from tests.e2e.chat import Citizen
from tests.e2e.conftest import RunningStack
from tests.e2e.simulated_citizen import answer_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CASE_NO = re.compile(r"JF-\d{4}-\d{6}")
RECEIPT = re.compile(r"RC-[0-9A-Z-]+")


RESTART = RestartPolicy(limit=100, backoff_s=0.0)


def unique_phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def persona(phone: str) -> dict[str, Any]:
    return {
        "id": "fault",
        "opening": "我想申请调解，楼上邻居家卫生间漏水把我家天花板泡坏了",
        "respondent": "楼上邻居王某",
        "location": "城关镇幸福小区3栋",
        "amount": "五千块",
        "name": "我叫李四",
        "phone": phone,
        "id_number": "跳过",
    }


def drive_to(citizen: Citizen, who: dict[str, Any], marker: str, reply: str = "") -> str:
    """Answer the bot's questions until its reply contains ``marker``; that reply."""
    reply = reply or citizen.say(str(who["opening"]))
    for _ in range(20):
        if marker in reply:
            return reply
        message = answer_for(reply, who)
        assert message is not None, citizen.transcript
        reply = citizen.say(message)
    raise AssertionError(f"never reached {marker!r}: {citizen.transcript}")


def cases_of(running: RunningStack, phone: str) -> list[dict[str, Any]]:
    s = running.settings
    response = httpx.get(
        f"{s.url(s.case_port)}/api/cases", params={"phone": phone},
        headers={"Authorization": f"Bearer {s.center_api_token}"}, timeout=10,
    )
    response.raise_for_status()
    return list(response.json()["items"])


def kill(running: RunningStack, name: str) -> None:
    """kill -9 a service's whole process group, as the OOM killer or a power cut would."""
    proc = running.process(name)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.popen.wait(timeout=30)


def restart(running: RunningStack, name: str) -> None:
    """What the launcher's watch loop does: start the dead service again, wait until healthy."""
    assert name in running.supervisor.restart_dead(RESTART, timeout_s=240)


def test_action_server_killed_at_the_confirmation(running_stack: RunningStack) -> None:
    phone = unique_phone()
    citizen = Citizen(running_stack.settings, f"e2e-fault-{uuid.uuid4().hex[:8]}")
    try:
        drive_to(citizen, persona(phone), "核对")
        kill(running_stack, "action-server")
        # Rasa cannot run the form's actions: the citizen is told so, and no case is claimed
        said = citizen.say("对，没问题")
        assert "出了点问题" in said and "再发一次" in said, citizen.transcript
        assert not CASE_NO.search(said)
        restart(running_stack, "action-server")
        reply = citizen.say("对，没问题")
        if "核对" in reply:  # the read-back again (the confirmation was not taken)
            reply = citizen.say("对，没问题")
        assert CASE_NO.search(reply), citizen.transcript
        (case,) = cases_of(running_stack, phone)  # exactly one
        assert case["case_no"] == CASE_NO.search(reply).group()  # type: ignore[union-attr]
        assert "漏水" in case["description"] and case["applicant"]["name"] == "李四"
    finally:
        citizen.close()


def test_case_service_down_for_30_s_the_outbox_delivers_exactly_once(running_stack: RunningStack) -> None:
    phone = unique_phone()
    citizen = Citizen(running_stack.settings, f"e2e-fault-{uuid.uuid4().hex[:8]}")
    case_service = running_stack.process("case-service")
    try:
        reply = drive_to(citizen, persona(phone), "手机")
        case_service.stop()  # SIGTERM: the service goes away for 30 s
        stopped = time.monotonic()
        reply = drive_to(citizen, persona(phone), "核对", reply=citizen.say(phone))
        reply = citizen.say("对，没问题")
        receipt = RECEIPT.search(reply)
        assert receipt and "已收到并保存" in reply, citizen.transcript  # the truth: queued, not registered
        assert not CASE_NO.search(reply)
        time.sleep(max(0.0, 30 - (time.monotonic() - stopped)))
        restart(running_stack, "case-service")
        deadline = time.monotonic() + 60
        while not (found := cases_of(running_stack, phone)) and time.monotonic() < deadline:
            time.sleep(0.5)  # the drainer retries every 2 s in this stack
        time.sleep(5)  # two more drainer rounds: a second delivery would show now
        (case,) = cases_of(running_stack, phone)
        assert found
        assert case["conversation_id"] == citizen.sender
        assert "漏水" in case["description"] and case["applicant"]["phone"] == phone
        progress = citizen.say(f"查进度 {receipt.group()}")
        assert case["case_no"] in progress, citizen.transcript
    finally:
        citizen.close()


def test_rasa_restarted_mid_conversation_continues_where_it_was(running_stack: RunningStack) -> None:
    phone = unique_phone()
    citizen = Citizen(running_stack.settings, f"e2e-fault-{uuid.uuid4().hex[:8]}")
    try:
        reply = drive_to(citizen, persona(phone), "发生在哪里")
        kill(running_stack, "rasa")
        restart(running_stack, "rasa")
        reply = citizen.say("城关镇幸福小区3栋")  # the answer to the question asked before the restart
        assert "您同意吗" not in reply, citizen.transcript  # not started over
        reply = drive_to(citizen, persona(phone), "核对", reply=reply)
        reply = citizen.say("对，没问题")
        assert CASE_NO.search(reply), citizen.transcript
        (case,) = cases_of(running_stack, phone)
        assert "漏水" in case["description"] and case["location"] == "城关镇幸福小区3栋"
    finally:
        citizen.close()
