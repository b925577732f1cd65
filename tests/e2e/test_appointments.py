"""Booking an appointment through the real REST channel, against the case service's free slots."""

from __future__ import annotations

import uuid

import httpx
import pytest

from launcher.settings import StackSettings
from tests.e2e.chat import Citizen

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def next_message(citizen: Citizen, reply: str) -> str | None:
    """Answer like a citizen: take the first offered choice, give name and phone when asked."""
    if "预约成功" in reply:
        return None
    if citizen.buttons:
        return citizen.buttons[0]["payload"]
    if "称呼" in reply or "姓名" in reply:
        return "我叫周敏"
    if "手机" in reply:
        return "139 1234 5602"
    return None


def test_a_citizen_books_the_first_free_slot_next_week(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    reply = citizen.say("我想预约下周二上午去调解")
    for _ in range(10):
        message = next_message(citizen, reply)
        if message is None:
            break
        reply = citizen.say(message)
    assert "预约成功" in reply, citizen.transcript
    response = httpx.get(
        f"{stack.url(stack.case_port)}/api/appointments",
        params={"phone": "13912345602"},
        headers={"Authorization": f"Bearer {stack.center_api_token}"},
        timeout=10,
    )
    response.raise_for_status()
    (appointment,) = response.json()["items"]
    assert appointment["status"] == "booked", appointment
    assert appointment["ref"] in reply


@pytest.mark.parametrize(
    ("asked", "mediator"),
    [("能约李春风调解员吗？下周四下午", "李春风"), ("我想找擅长婚姻家庭的调解员，下周一上午", "吴家和")],
)
def test_a_citizen_who_asks_for_a_mediator_is_offered_only_that_mediators_slots(
    stack: StackSettings, asked: str, mediator: str
) -> None:
    """普陀 "点单" through the real NLU, actions and case service (the demo centre's profiles:
    李春风 at the people's mediation committee, 吴家和 at the family committee)."""
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    reply = citizen.say(asked)
    assert mediator in reply, citizen.transcript  # "好的，为您查找…李春风的空闲时段。"
    titles = [b["title"] for b in citizen.buttons]
    assert titles and all(t.endswith(mediator) for t in titles), citizen.transcript
    for _ in range(10):
        message = next_message(citizen, reply)
        if message is None:
            break
        reply = citizen.say(message)
    assert "预约成功" in reply and mediator in reply, citizen.transcript


def test_a_mediator_nobody_has_heard_of_is_said_honestly(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    reply = citizen.say("能约欧阳律师吗")
    assert "没有找到" in reply and "欧阳律师" in reply, citizen.transcript
