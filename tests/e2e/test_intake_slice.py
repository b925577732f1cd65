"""The thin slice through every layer: REST channel → Rasa → actions → case service."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from launcher.settings import StackSettings
from tests.e2e.chat import Citizen

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CASE_NO = re.compile(r"JF-\d{4}-\d{6}")


def read_case(stack: StackSettings, case_no: str) -> dict:
    response = httpx.get(
        f"{stack.url(stack.case_port)}/api/cases/{case_no}",
        headers={"Authorization": f"Bearer {stack.center_api_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def test_a_citizen_registers_a_wage_dispute_and_gets_a_case_number(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    assert "解纷助手" in citizen.say("你好")

    reply = citizen.say("老板拖欠我三个月工资不给，我想申请调解")
    assert "同意" in reply, citizen.transcript  # consent is asked before any personal data

    assert "姓名" in citizen.say("同意")  # category and description came from the first message
    assert "手机" in citizen.say("我叫张三")
    assert "不是有效的手机号" in citizen.say("12345")
    summary = citizen.say("138 0013 8000")
    assert "张三" in summary and "13800138000" in summary and "劳动争议" in summary
    assert "拖欠" in summary

    done = citizen.say("对")
    match = CASE_NO.search(done)
    assert match, citizen.transcript
    case = read_case(stack, match.group())
    assert case["applicant"]["name"] == "张三"
    assert case["applicant"]["phone"] == "13800138000"
    assert case["category"] == "labour"
    assert case["channel"] == "web"
    assert case["conversation_id"] == citizen.sender
    assert "拖欠" in case["description"]
    assert case["institution"]["name"] in done


def test_a_refusal_of_consent_creates_no_case_and_offers_the_walk_in_address(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    assert "同意" in citizen.say("我想申请调解")
    reply = citizen.say("不同意")
    assert "不会登记" in reply and "12348" in reply
    response = httpx.get(
        f"{stack.url(stack.case_port)}/api/cases",
        params={"phone": "13800138000"},
        headers={"Authorization": f"Bearer {stack.center_api_token}"},
        timeout=10,
    )
    response.raise_for_status()
    assert all(c["conversation_id"] != citizen.sender for c in response.json()["items"])


def test_a_wrong_detail_is_corrected_before_anything_is_created(stack: StackSettings) -> None:
    citizen = Citizen(stack, f"e2e-{uuid.uuid4().hex[:8]}")
    citizen.say("楼上邻居装修天天吵到半夜，沟通了也没用")
    citizen.say("同意")
    citizen.say("李四")
    assert "核对" in citizen.say("13912345678")
    assert "改正" in citizen.say("不对")
    summary = citizen.say("电话是13912345679")
    assert "13912345679" in summary, citizen.transcript
    match = CASE_NO.search(citizen.say("正确"))
    assert match, citizen.transcript
    case = read_case(stack, match.group())
    assert case["applicant"]["phone"] == "13912345679"
    assert case["category"] == "neighbour"
