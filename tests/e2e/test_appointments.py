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
