"""Issue 17 through every layer, with a texting center: Rasa → actions → case service → the
Twilio SDK → a local stand-in for Twilio's API. The case number is texted after registration,
also when the case service was frozen during the confirmation and the intake waited in the
outbox (then the receipt number finds the case too); "同意，但不要短信" sends none.

A stack of its own (case service, action server, Rasa; about a minute to start), since the
shared one runs without a provider, as development does."""

from __future__ import annotations

import os
import re
import signal
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from launcher.services import action_server, case_service, rasa_server
from launcher.settings import StackSettings
from launcher.supervisor import Supervisor, free_port
from launcher.training import model_path
from tests.e2e.chat import Citizen
from tests.e2e.simulated_citizen import answer_for, run_persona
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, fake_twilio

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CASE_NO = re.compile(r"JF-\d{4}-\d{6}")
RECEIPT = re.compile(r"RC-[0-9A-F]{10}")
STAFF = {"Authorization": "Bearer dev-staff-token"}


@dataclass
class SmsStack:
    settings: StackSettings
    supervisor: Supervisor
    twilio: FakeTwilio

    def case_service_pid(self) -> int:
        return next(p.pid for p in self.supervisor.processes if p.spec.name == "case-service")

    def get(self, path: str) -> dict:
        response = httpx.get(f"{self.settings.url(self.settings.case_port)}{path}", headers=STAFF,
                             timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="module")
def sms_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmsStack]:
    base = StackSettings.from_env()
    if not model_path(base.model_dir).is_file():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    var_dir: Path = tmp_path_factory.mktemp("sms-stack-var")
    settings = replace(
        base, host="127.0.0.1", rasa_port=free_port(), action_port=free_port(),
        case_port=free_port(), rasa_auth_token="e2e-rasa-token", center_api_token="e2e-bot-token",
        var_dir=var_dir, rasa_channel_token="e2e-channel-token-0123456789",
        rasa_channel_allow_anonymous=True)
    supervisor = Supervisor(log_dir=var_dir / "log", cwd=Path(__file__).resolve().parents[2],
                            out=sys.stderr)
    with fake_twilio() as twilio, pytest.MonkeyPatch.context() as env:
        for name, value in {
            "SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+15005550006",
            "TWILIO_API_BASE_URL": twilio.url, "SMS_PUBLIC_URL": "", "PUBLIC_URL": "",
            "SMS_QUIET_HOURS": "", "SMS_DISPATCH_INTERVAL_S": "0.3",
            "CENTER_STAFF_TOKENS": "console:dev-staff-token",
            # a frozen case service is given up on quickly, and the outbox retried every second
            "CASE_CLIENT_TIMEOUT_S": "1.5", "CASE_CLIENT_RETRIES": "0", "CASE_OUTBOX_INTERVAL_S": "1",
        }.items():
            env.setenv(name, value)
        supervisor.start([case_service(settings), action_server(settings), rasa_server(settings)],
                         host=settings.host, timeout_s=240)
        try:
            yield SmsStack(settings, supervisor, twilio)
        finally:
            supervisor.stop_all()


def _persona(phone: str, consent: str = "同意") -> dict:
    return {"id": "sms", "opening": "老板拖欠我三个月工资不给，我想申请调解", "consent": consent,
            "respondent": "公司老板刘某", "location": "城关镇幸福路的工地", "amount": "两万三千块",
            "name": "我叫张三", "phone": phone, "id_number": "跳过"}


def _to(phone: str) -> str:
    return "+86" + phone


def test_the_case_number_is_texted_after_registration(sms_stack: SmsStack) -> None:
    citizen = Citizen(sms_stack.settings, f"e2e-sms-{uuid.uuid4().hex[:8]}")
    outcome = run_persona(citizen, _persona("13700137001"))
    assert "登记后，案件编号、预约和办理进展会以短信发到您的手机" in outcome.transcript[0][1][0]
    match = CASE_NO.search(outcome.reply)
    assert match, outcome.transcript
    assert "案件编号也会以短信发到您的手机 137****7001" in outcome.reply
    text = sms_stack.twilio.wait_until(lambda m: m["To"] == _to("13700137001"))
    assert match.group() in text["Body"] and text["Body"].startswith("【")
    audit = sms_stack.get(f"/api/cases/{match.group()}/audit")["items"]
    assert [e["action"] for e in audit if e["action"].startswith("sms_")][:1] == ["sms_queued"]


def test_no_texts_when_the_citizen_declines_them(sms_stack: SmsStack) -> None:
    citizen = Citizen(sms_stack.settings, f"e2e-sms-{uuid.uuid4().hex[:8]}")
    outcome = run_persona(citizen, _persona("13700137002", consent="同意，但不要短信"))
    said = "\n".join("\n".join(replies) for _, replies in outcome.transcript)
    assert "不给您发短信" in said
    match = CASE_NO.search(outcome.reply)
    assert match, outcome.transcript
    assert "短信" not in outcome.reply
    # queued in the registration's own transaction, or never: the queue is the proof
    assert sms_stack.get(f"/api/cases/{match.group()}/notifications")["items"] == []
    audit = sms_stack.get(f"/api/cases/{match.group()}/audit")["items"]
    assert "sms_declined" in [e["action"] for e in audit]


def test_frozen_case_service_the_intake_waits_and_the_text_follows(sms_stack: SmsStack) -> None:
    """The situation of issue 17: the promise of a text is now kept, and the receipt works."""
    phone = "13700137003"
    citizen = Citizen(sms_stack.settings, f"e2e-sms-{uuid.uuid4().hex[:8]}")
    persona = _persona(phone)
    reply = citizen.say(persona["opening"])
    for _ in range(20):
        if "核对" in reply:
            break
        answer = answer_for(reply, persona)
        assert answer is not None, citizen.transcript
        reply = citizen.say(answer)
    assert "核对" in reply, citizen.transcript
    pid = sms_stack.case_service_pid()
    os.kill(pid, signal.SIGSTOP)  # frozen during the confirmation
    try:
        reply = citizen.say("对，没问题")
    finally:
        os.kill(pid, signal.SIGCONT)
    receipt = RECEIPT.search(reply)
    assert receipt and "受理回执号" in reply, reply
    assert "案件编号会以短信发到您的手机 137****7003" in reply
    text = sms_stack.twilio.wait_until(lambda m: m["To"] == _to(phone))  # delivered, then texted
    case_no = CASE_NO.search(text["Body"])
    assert case_no, text
    answer = citizen.say(f"查进度 {receipt.group()}")
    assert case_no.group() in answer and receipt.group() in answer, citizen.transcript
    items = sms_stack.get(f"/api/cases/{case_no.group()}/notifications")["items"]
    assert [n["kind"] for n in items] == ["case_registered"]
