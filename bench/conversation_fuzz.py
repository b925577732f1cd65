"""Conversation fuzzer at scale: thousands of generated citizens against the whole product.

Starts every service (bench/stack.py), plays N generated citizens (tests/e2e/fuzz_citizen.py:
opening styles, answer styles per question, perturbations; words from the independently
written held-out files) through Rasa's REST channel with a few in parallel, and prints every
invariant violation, how conversations ended, the share of registered cases whose category
fits the story, and turns per conversation.

Usage: .venv/svc/bin/python bench/conversation_fuzz.py [-n 2000] [--workers 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import running_stack
from tests.e2e.fuzz_citizen import category_consistent, check, make_persona, run_conversation

CASE_NO = re.compile(r"JF-\d{4}-\d{6}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    personas = [make_persona(random.Random(rng.randrange(1 << 30))) for _ in range(args.n)]
    with running_stack() as stack:
        rasa = httpx.Client(base_url=stack.url(stack.rasa_port), timeout=120)
        cases = httpx.Client(
            base_url=stack.url(stack.case_port),
            timeout=30,
            headers={"Authorization": f"Bearer {stack.center_api_token}"},
        )

        def post(sender: str, text: str) -> tuple[int, list[dict[str, Any]]]:
            response = rasa.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
            return response.status_code, response.json() if response.status_code < 300 else []

        def play(persona: Any) -> tuple[Any, dict[str, Any] | None]:
            conversation = run_conversation(post, persona, f"fuzz-{uuid.uuid4().hex[:12]}")
            match = CASE_NO.search(conversation.turns[-1][1]) if conversation.turns else None
            case = cases.get(f"/api/cases/{match.group()}").json() if match else None
            return conversation, case

        started = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(pool.map(play, personas))
        elapsed = time.perf_counter() - started
    endings: Counter[str] = Counter()
    violations: Counter[str] = Counter()
    category_ok = registered = 0
    for conversation, case in results:
        endings[conversation.ending] += 1
        problems = check(conversation, case)
        for problem in problems:
            violations[re.sub(r"\d+", "N", problem.split(":")[0])] += 1
        if problems and sum(violations.values()) <= 15:
            print(f"VIOLATION {problems} seed={conversation.persona.seed}")
            for citizen, bot in conversation.turns:
                print(f"    citizen: {citizen[:80]}\n    bot: {bot[:120]}")
        if case is not None:
            registered += 1
            category_ok += category_consistent(conversation.persona, case)
    turns = [len(c.turns) for c, _ in results]
    print(f"\n{args.n} generated conversations in {elapsed:.0f} s ({args.workers} in parallel)")
    print(f"  endings: {dict(endings)}")
    print(
        f"  trapped (no case, hand-off or exit within 20 turns): "
        f"{args.n - sum(endings[e] for e in ('case', 'handoff', 'exit'))}"
    )
    print(f"  conversations with a violation: {sum(1 for c, k in results if check(c, k))}")
    print(f"  violations by kind: {dict(violations)}")
    print(f"  registered cases with the story's category (or other): {category_ok}/{registered}")
    print(f"  citizen turns per conversation: median {statistics.median(turns)}, max {max(turns)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
