"""Everyday legal questions, held out: does the answer cite the article the question turns on?

The set (legal/data/heldout_citizen_questions.yml) was written by an author who read only the
statute texts, never the curated answers, the synonyms or the dev sets; it is never used for
tuning. Each question is labelled with its key article(s) and other relevant ones.

Each answer falls in one class:
- key: one of its citations is a key article;
- relevant: no key article, but a relevant one;
- abstain: it declined (also a refusal to predict);
- irrelevant: it cites only articles that are neither (the failure that misleads a citizen);
- clarify: it asked the citizen to choose among two or three curated questions. Whether the
  choice leads to a key article is scored separately ("after the choice"), as if the citizen
  picks the option whose answer cites a key article, else a relevant one: that measures the
  options offered, not a citizen's judgement, and is printed apart from the direct answers.
Out-of-scope questions (``key: [abstain]``) count as right when declined (a clarification is
not an answer, so it is counted on its own).

Usage: .venv/svc/bin/python bench/legal_citizens_eval.py [--verbose]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from legal.answerer import LegalAnswerer
from legal.model import LegalAnswer
from legal.paths import DATA_DIR

SET_FILE = DATA_DIR / "heldout_citizen_questions.yml"


def classify(answer: LegalAnswer, key: list[str], relevant: list[str]) -> str:
    if answer.kind == "clarify":
        return "clarify"
    if answer.kind == "abstain" or (answer.reason == "prediction" and not answer.citations):
        return "abstain"
    cited = {f"{c.law}#{c.article}" for c in answer.citations}
    if not cited:
        return "abstain"
    if cited & set(key):
        return "key"
    if cited & set(relevant):
        return "relevant"
    return "irrelevant"


def after_choice(answerer: LegalAnswerer, answer: LegalAnswer, key: list[str], relevant: list[str]) -> str:
    """The best outcome among the offered options: key, relevant, or none of them."""
    verdicts = {classify(answerer.answer_entry(entry_id), key, relevant) for entry_id, _ in answer.options}
    return next((v for v in ("key", "relevant") if v in verdicts), "no option")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="print every question that missed")
    parser.add_argument("--set", type=Path, default=SET_FILE)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    answerer = LegalAnswerer.load()
    answerer.answer("劳动仲裁要交钱吗")  # waits for the background preparation
    load_s = time.perf_counter() - started
    items = yaml.safe_load(args.set.read_text(encoding="utf-8"))["questions"]
    counts: Counter[str] = Counter()
    out_of_scope: Counter[str] = Counter()
    chosen: Counter[str] = Counter()
    latencies: list[float] = []
    for item in items:
        t0 = time.perf_counter()
        answer = answerer.answer(str(item["q"]))
        latencies.append((time.perf_counter() - t0) * 1000)
        key, relevant = [str(k) for k in item["key"]], [str(r) for r in item.get("relevant") or []]
        if key == ["abstain"]:
            verdict = classify(answer, [], [])
            out_of_scope[{"abstain": "declined", "clarify": "clarified"}.get(verdict, "answered")] += 1
            continue
        verdict = classify(answer, key, relevant)
        counts[verdict] += 1
        if verdict == "clarify":
            chosen[after_choice(answerer, answer, key, relevant)] += 1
        if args.verbose and verdict != "key":
            cited = [f"{c.law}#{c.article}" for c in answer.citations][:3]
            print(
                f"  {verdict:10s} {str(item['q'])[:50]} -> "
                f"{answer.entry_id or answer.reason} {cited} want {key}"
            )
    n = sum(counts.values())
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 20 else max(latencies)
    print(
        f"legal answers on {args.set.name}: {n} in-scope questions, {sum(out_of_scope.values())} out of scope"
    )
    for verdict in ("key", "relevant", "abstain", "irrelevant", "clarify"):
        print(f"  {verdict:11s} {counts[verdict]:4d}  {counts[verdict] / max(n, 1):6.1%}")
    for verdict in ("key", "relevant", "no option"):
        print(f"    clarify, then {verdict:9s} {chosen[verdict]:4d}  {chosen[verdict] / max(n, 1):6.1%}")
    reachable = counts["key"] + chosen["key"]
    print(f"  key directly or after one choice: {reachable / max(n, 1):6.1%}")
    print(
        f"  out of scope declined: {out_of_scope['declined']}/{sum(out_of_scope.values())}"
        f" (clarified {out_of_scope['clarified']})"
    )
    print(
        f"  latency per answer: p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms; "
        f"load {load_s:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
