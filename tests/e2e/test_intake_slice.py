"""The thin slice through every layer: REST channel → Rasa → actions → case service."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import httpx
import pytest

from launcher.settings import StackSettings
from tests.e2e.chat import Citizen
from tests.e2e.simulated_citizen import run_persona

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
    persona = {
        "id": "slice",
        "opening": "老板拖欠我三个月工资不给，我想申请调解",
        "respondent": "公司老板刘某",
        "location": "城关镇幸福路的工地",
        "amount": ["很多", "两万三千块"],
        "name": "我叫张三",
        "phone": ["1234567", "138 0013 8000"],
        "id_number": "110105 19491231 002x",
    }
    outcome = run_persona(citizen, persona)
    said = "\n".join("\n".join(replies) for _, replies in outcome.transcript)
    assert "您同意吗" in outcome.transcript[1][1][0]  # consent before any personal data
    assert "不是有效的手机号" in said and "没有听明白金额" in said  # bad answers are re-asked
    assert "110105**********2X" in said and "11010519491231002X" not in said  # ID masked in the read-back
    match = CASE_NO.search(outcome.reply)
    assert match, outcome.transcript
    case = read_case(stack, match.group())
    assert case["applicant"]["name"] == "张三"
    assert case["applicant"]["phone"] == "13800138000"
    assert case["category"] == "labour"
    assert case["channel"] == "web"
    assert case["conversation_id"] == citizen.sender
    assert "拖欠" in case["description"]
    # the narrative names the other party (老板), so it may be taken from there instead of asked
    assert case["respondents"][0]["name"] in ("老板", "公司老板刘某")
    assert case["location"] == "城关镇幸福路的工地"
    assert Decimal(case["amount_yuan"]) == Decimal("23000")
    assert case["institution"]["name"] in outcome.reply


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
    persona = {
        "id": "correction",
        "opening": "楼上邻居装修天天吵到半夜，沟通了也没用",
        "respondent": "楼上邻居",
        "location": "幸福小区3号楼",
        "name": "李四",
        "phone": "13912345678",
        "confirm": "不对",
    }
    outcome = run_persona(citizen, persona)
    assert "改正" in outcome.reply, outcome.transcript
    summary = citizen.say("电话是13912345679")
    assert "13912345679" in summary, citizen.transcript
    summary = citizen.say("还有地点是幸福小区5号楼")
    assert "地点：幸福小区5号楼" in summary, citizen.transcript
    match = CASE_NO.search(citizen.say("正确"))
    assert match, citizen.transcript
    case = read_case(stack, match.group())
    assert case["applicant"]["phone"] == "13912345679"
    assert case["location"] == "幸福小区5号楼"
    assert case["category"] == "neighbour"
    assert case["amount_yuan"] is None
