"""Scripted citizens through the real REST channel: how many end with a correctly registered case."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from launcher.settings import StackSettings
from tests.e2e.chat import Citizen
from tests.e2e.simulated_citizen import run_persona

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PERSONAS = yaml.safe_load((Path(__file__).parent / "data" / "citizens.yml").read_text(encoding="utf-8"))
CASE_NO = re.compile(r"JF-\d{4}-\d{6}")
# The bar for this suite; the measured share is printed for the closing note.
MIN_SHARE = 0.8


def registered_correctly(stack: StackSettings, reply: str, expect: dict[str, str], sender: str) -> bool:
    match = CASE_NO.search(reply)
    if not match:
        return False
    response = httpx.get(
        f"{stack.url(stack.case_port)}/api/cases/{match.group()}",
        headers={"Authorization": f"Bearer {stack.center_api_token}"},
        timeout=10,
    )
    case = response.json()
    return (
        case["category"] == expect["category"]
        and case["applicant"]["name"] == expect["name"]
        and case["applicant"]["phone"] == expect["phone"]
        and case["conversation_id"] == sender
    )


def test_share_of_scripted_citizens_registered_correctly(
    stack: StackSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    results = []
    for persona in PERSONAS:
        citizen = Citizen(stack, f"sim-{persona['id']}-{uuid.uuid4().hex[:6]}")
        outcome = run_persona(citizen, persona)
        ok = registered_correctly(stack, outcome.reply, persona["expect"], citizen.sender)
        results.append((persona["id"], ok, outcome.turns, outcome.transcript))
        citizen.close()
    share = sum(ok for _, ok, _, _ in results) / len(results)
    with capsys.disabled():
        print(f"\nscripted citizens registered correctly: {share:.0%} of {len(results)}")
        for pid, ok, turns, transcript in results:
            if not ok:
                print(f"  FAILED {pid} after {turns} turns: {transcript}")
    assert share >= MIN_SHARE
