"""Interruptions of the intake form through the real REST channel: nothing collected is lost."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize(
    ("story", "question", "asked"),
    [
        ("邻居家空调外机正对我家窗户", "请问去你们那里办事需要带什么材料", "怎么称呼"),
        ("我要申请调解", "你们下午几点下班", "经过"),
    ],
)
def test_a_question_about_the_centre_at_a_free_text_question_is_answered_not_recorded(
    stack: StackSettings, story: str, question: str, asked: str
) -> None:
    """The name and the story are taken as typed: a question about the centre asked there was
    recorded as the citizen's name ("没有听清您的姓名") or as the story instead of answered."""
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    citizen.say(story)
    reply = citizen.say("同意")
    for _ in range(4):  # the details before the question under test (place, other party, category…)
        if asked in reply:
            break
        reply = citizen.say("不知道" if "类" not in reply else "邻里纠纷")
    assert asked in reply, citizen.transcript
    answer = citizen.say(question)
    assert "没有听清您的姓名" not in answer and asked in answer.splitlines()[-1], citizen.transcript
    assert len(answer.splitlines()) >= 2, citizen.transcript  # an answer, then the same question
    tracker = httpx.get(
        f"{stack.url(stack.rasa_port)}/conversations/{citizen.sender}/tracker",
        params={"token": stack.rasa_auth_token},
        timeout=30,
    ).json()
    slots = tracker["slots"]
    assert question not in (slots.get("applicant_name") or "", slots.get("description") or "")


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


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "🙏🙏😭",
        "家" * 5000,
        "hello, I need help",
        "Bonjour, j'ai un problème avec mon voisin",
    ],
    ids=["empty", "blank", "emoji", "emoji-2", "5000-chars", "english", "french"],
)
def test_bad_input_gets_a_chinese_reply_and_a_person_is_one_sentence_away(
    stack: StackSettings, text: str
) -> None:
    """Empty, emoji only, 5,000 characters, another language: a clear Chinese reply (never
    silence, never a 5xx), and "转人工" right after it reaches a person. A message over the
    channel's cap is refused before Rasa (issue 12) with a Chinese explanation instead."""
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    raw = httpx.post(
        f"{stack.url(stack.rasa_port)}/webhooks/rest/webhook",
        json={"sender": citizen.sender, "message": text}, timeout=60,
    )
    assert raw.status_code in (200, 413), raw.text
    reply = raw.json()["message"] if raw.status_code == 413 else " ".join(
        m.get("text", "") for m in raw.json()
    )
    assert re.search(r"[\u4e00-\u9fff]", reply), reply
    handed = citizen.say("转人工")
    assert "人工" in handed or "工作人员" in handed, citizen.transcript
    assert any(h["conversation_id"] == citizen.sender for h in open_handoffs(stack))


def test_a_long_rant_is_kept_as_the_description_and_the_form_goes_on(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    rant = "隔壁邻居太过分了，" + "天天在楼道里堆垃圾还养狗乱叫，" * 120
    assert "同意" in citizen.say(rant)
    question = citizen.say("同意")  # the next missing detail (the rant may already name party and place)
    assert any(ask in question for ask in ("对方", "发生在哪里", "称呼")), citizen.transcript
