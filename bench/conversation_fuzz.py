"""Conversation fuzzer at scale: thousands of generated citizens against the whole product.

Starts every service (bench/stack.py), plays N generated citizens (tests/e2e/fuzz_citizen.py:
opening styles, answer styles per question, perturbations; words from the independently
written held-out files) through Rasa's REST channel with a few in parallel, and prints every
invariant violation, how conversations ended, the share of registered cases whose category
fits the story, and turns per conversation.

Violations are printed as they happen; ``--sample K`` also prints K conversations without a
violation at the end (chosen at random by the seed), because counts alone do not show a bot that
is merely polite and useless.

Usage: .venv/svc/bin/python bench/conversation_fuzz.py [-n 2000] [--workers 3] [--seed 1] [--sample 0]
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
    parser.add_argument("--sample", type=int, default=0, help="print K clean transcripts at the end")
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
        tally = Tally(sample=args.sample, rng=random.Random(args.seed))
        with ThreadPoolExecutor(args.workers) as pool:
            for done, (conversation, case) in enumerate(pool.map(play, personas), 1):
                tally.add(conversation, case)
                if done % 100 == 0 or done == args.n:  # partial figures survive an interrupted run
                    print(f"[{done}/{args.n} after {time.perf_counter() - started:.0f} s] {tally.line()}",
                          flush=True)
        elapsed = time.perf_counter() - started
    tally.report(args.n, elapsed, args.workers)
    tally.print_sample()
    return 0


class Tally:
    """Running counts over finished conversations (printed as progress and at the end)."""

    def __init__(self, sample: int = 0, rng: random.Random | None = None) -> None:
        self.sample_size, self.rng = sample, rng or random.Random(0)
        self.sample: list[Any] = []  # reservoir of clean conversations
        self.clean = 0
        self.endings: Counter[str] = Counter()
        self.violations: Counter[str] = Counter()
        self.with_violation = self.category_ok = self.registered = 0
        self.turns: list[int] = []

    def add(self, conversation: Any, case: dict[str, Any] | None) -> None:
        self.endings[conversation.ending] += 1
        self.turns.append(len(conversation.turns))
        problems = check(conversation, case)
        self.with_violation += bool(problems)
        for problem in problems:
            self.violations[re.sub(r"\d+", "N", problem.split(":")[0])] += 1
        if problems and sum(self.violations.values()) <= 15:
            print(f"VIOLATION {problems} seed={conversation.persona.seed}")
            for citizen, bot in conversation.turns:
                print(f"    citizen: {citizen[:80]}\n    bot: {bot[:120]}")
        if not problems:
            self._keep(conversation)
        if case is not None:
            self.registered += 1
            self.category_ok += category_consistent(conversation.persona, case)

    def _keep(self, conversation: Any) -> None:
        """Reservoir sampling: every clean conversation is equally likely to be printed."""
        self.clean += 1
        if len(self.sample) < self.sample_size:
            self.sample.append(conversation)
        elif self.sample_size and (slot := self.rng.randrange(self.clean)) < self.sample_size:
            self.sample[slot] = conversation

    def print_sample(self) -> None:
        for number, conversation in enumerate(self.sample, 1):
            print(f"\nSAMPLE {number}/{len(self.sample)} seed={conversation.persona.seed} "
                  f"ending={conversation.ending}")
            for citizen, bot in conversation.turns:
                print(f"    citizen: {citizen}\n    bot: {bot}")

    @property
    def trapped(self) -> int:
        return len(self.turns) - sum(self.endings[e] for e in ("case", "handoff", "exit"))

    def line(self) -> str:
        return (
            f"endings {dict(self.endings)}, trapped {self.trapped}, with a violation "
            f"{self.with_violation}, category {self.category_ok}/{self.registered}"
        )

    def report(self, n: int, elapsed: float, workers: int) -> None:
        print(f"\n{n} generated conversations in {elapsed:.0f} s ({workers} in parallel)")
        print(f"  endings: {dict(self.endings)}")
        print(f"  trapped (no case, hand-off or exit within 20 turns): {self.trapped}")
        print(f"  conversations with a violation: {self.with_violation}")
        print(f"  violations by kind: {dict(self.violations)}")
        print(
            f"  registered cases with the story's category (or other): {self.category_ok}/{self.registered}"
        )
        median, longest = statistics.median(self.turns), max(self.turns)
        print(f"  citizen turns per conversation: median {median}, max {longest}")


if __name__ == "__main__":
    raise SystemExit(main())
