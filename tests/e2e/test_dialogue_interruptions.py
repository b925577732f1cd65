"""Interruptions of the intake form through the real REST channel: nothing collected is lost."""

from __future__ import annotations

import uuid

import httpx
import pytest

from launcher.settings import StackSettings
from tests.e2e.chat import Citizen

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def open_handoffs(stack: StackSettings) -> list[dict]:
    response = httpx.get(
        f"{stack.url(stack.case_port)}/api/handoffs",
        headers={"Authorization": "Bearer dev-staff-token"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["items"]


def test_a_legal_question_mid_form_is_answered_with_citations_and_the_form_resumes(
    stack: StackSettings,
) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    citizen.say("公司拖欠我两个月工资，一直不给")
    question = citizen.say("同意")
    assert "对方" in question or "发生在哪里" in question, citizen.transcript
    reply = citizen.say("申请劳动仲裁要交钱吗")
    assert "《" in reply and "不构成法律意见" in reply, citizen.transcript
    assert reply.rstrip().endswith(question.splitlines()[-1]), citizen.transcript  # the same question again


def test_safety_is_answered_first_and_handed_off_urgently_with_the_details(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    citizen.say("我老公经常喝醉了打我，我想离婚")
    citizen.say("同意")
    reply = citizen.say("他现在又拿着刀在砸门说要杀了我")
    assert "110" in reply and "120" in reply, citizen.transcript
    (handoff,) = [h for h in open_handoffs(stack) if h["conversation_id"] == citizen.sender]
    assert handoff["urgent"] and handoff["reason_code"] == "safety"
    assert handoff["category"] == "family"
    assert "喝醉" in handoff["collected"]["description"]
    assert any("砸门" in turn["text"] for turn in handoff["transcript"])


def test_asking_for_a_person_hands_off_with_the_transcript(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    citizen.say("物业乱收停车费")
    reply = citizen.say("我要转人工")
    assert "人工" in reply or "工作人员" in reply, citizen.transcript
    (handoff,) = [h for h in open_handoffs(stack) if h["conversation_id"] == citizen.sender]
    assert handoff["reason_code"] == "requested" and not handoff["urgent"]
    assert handoff["transcript"][0]["text"] == "物业乱收停车费"


@pytest.mark.parametrize(
    "text", ["", "😀😀😀", "SELECT * FROM cases; --", "<script>alert(1)</script>", "hello, I need help"]
)
def test_hostile_or_odd_input_never_breaks_the_conversation(stack: StackSettings, text: str) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    citizen.say(text)
    assert "解纷助手" in citizen.say("你好")


def test_a_long_rant_is_kept_as_the_description_and_the_form_goes_on(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    rant = "隔壁邻居太过分了，" + "天天在楼道里堆垃圾还养狗乱叫，" * 120
    assert "同意" in citizen.say(rant)
    question = citizen.say("同意")  # the next missing detail (the rant may already name party and place)
    assert any(ask in question for ask in ("对方", "发生在哪里", "称呼")), citizen.transcript
