"""Conversation fuzzer: generated citizens against the real trained bot, action server and case
service, through Rasa's REST channel. No conversation is ever trapped (see fuzz_citizen)."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from random import Random
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launcher.settings import StackSettings
from tests.e2e.fuzz_citizen import Persona, category_consistent, check, make_persona, run_conversation

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Conversations in all, played PARALLEL at a time (the services work while one citizen "types"):
# a few hundred within CI's budget.
CONVERSATIONS = int(os.environ.get("FUZZ_CONVERSATIONS", "150"))
PARALLEL = max(1, int(os.environ.get("FUZZ_PARALLEL", "2")))
CASE_NO = re.compile(r"JF-\d{4}-\d{6}")
MIN_CATEGORY_SHARE = 0.75  # of registered cases, category equal to the story's (or "other")
_results: Counter[str] = Counter()
_results_lock = threading.Lock()  # the conversations of one example run on threads


def poster(stack: StackSettings) -> Any:
    client = httpx.Client(base_url=stack.url(stack.rasa_port), timeout=60)

    def post(sender: str, text: str) -> tuple[int, list[dict[str, Any]]]:
        response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
        return response.status_code, response.json() if response.status_code < 300 else []

    return post


def fetch_case(stack: StackSettings, reply: str) -> dict[str, Any] | None:
    match = CASE_NO.search(reply)
    if not match:
        return None
    response = httpx.get(
        f"{stack.url(stack.case_port)}/api/cases/{match.group()}",
        headers={"Authorization": f"Bearer {stack.center_api_token}"},
        timeout=10,
    )
    return response.json() if response.status_code == 200 else None


def play(stack: StackSettings, persona: Persona) -> str:
    """One generated citizen; the invariant violations with the transcript, or ''."""
    conversation = run_conversation(poster(stack), persona, f"fuzz-{uuid.uuid4().hex[:12]}")
    last = conversation.turns[-1][1] if conversation.turns else ""
    case = fetch_case(stack, last) if conversation.ending == "case" else None
    problems = check(conversation, case)
    with _results_lock:
        _results[conversation.ending] += 1
        if case is not None:
            _results["category_ok" if category_consistent(persona, case) else "category_wrong"] += 1
    if not problems:
        return ""
    transcript = "\n".join(f"  citizen: {c}\n  bot: {b[:160]}" for c, b in conversation.turns)
    return f"{problems} seed={persona.seed}\n{transcript}"


@settings(
    max_examples=max(1, CONVERSATIONS // PARALLEL),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(st.lists(st.randoms(use_true_random=False), min_size=PARALLEL, max_size=PARALLEL))
def test_no_conversation_is_trapped(stack: StackSettings, randoms: list[Random]) -> None:
    personas = [make_persona(r) for r in randoms]
    with ThreadPoolExecutor(PARALLEL) as pool:
        failures = [f for f in pool.map(lambda p: play(stack, p), personas) if f]
    assert not failures, "\n\n".join(failures)


def test_zz_registered_cases_have_the_story_category() -> None:
    """Runs after the fuzzer (file order): the share of cases whose category fits the story."""
    registered = _results["category_ok"] + _results["category_wrong"]
    print(f"\nfuzzed conversations: {dict(_results)}")
    if registered < 20:
        pytest.skip("too few registered cases in this sample")
    assert _results["category_ok"] / registered >= MIN_CATEGORY_SHARE
