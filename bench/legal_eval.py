"""Evaluate legal.answerer on the held-out and dev question sets.

Usage: ``python bench/legal_eval.py [--set heldout|dev|colloquial|devall|both] [--verbose]``.

``dev`` = dev_questions.yml (short, keyword-like), ``colloquial`` = dev_colloquial.yml (long,
colloquial), ``devall`` = both dev sets (what thresholds are tuned on), ``both`` = heldout + dev.

Metrics, per set:
- top-1: share of ALL questions where ``answer()`` does the right thing: its first
  citation target (curated entry or article) is expected, or it declines when
  ``abstain`` is expected (a refusal to predict counts as declining).
- top-3: share of in-scope questions with an expected id among ``ranked(q, 3)``.
- abstention rate: share of in-scope questions the answerer declined; and the share of
  out-of-scope questions it correctly declined.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from legal.answerer import LegalAnswerer, article_id
from legal.model import LegalAnswer
from legal.paths import DATA_DIR

SETS = {
    "heldout": "heldout_questions.yml",
    "dev": "dev_questions.yml",
    "colloquial": "dev_colloquial.yml",
}
GROUPS = {"devall": ["dev", "colloquial"], "both": ["heldout", "dev"]}


@dataclass
class Row:
    question: str
    expect: list[str]
    answer: LegalAnswer
    top3: list[str]

    @property
    def in_scope(self) -> bool:
        return self.expect != ["abstain"]

    @property
    def declined(self) -> bool:
        return self.answer.kind == "abstain" or self.answer.reason == "prediction"

    @property
    def answered_id(self) -> str | None:
        if self.answer.kind == "curated":
            return self.answer.entry_id
        if self.answer.kind == "articles" and self.answer.citations:
            c = self.answer.citations[0]
            return f"{c.law}#{c.article}"
        return None

    @property
    def top1_ok(self) -> bool:
        if self.declined:
            return "abstain" in self.expect
        return self.answered_id in self.expect


def load_set(name: str) -> list[tuple[str, list[str]]]:
    data = yaml.safe_load((DATA_DIR / SETS[name]).read_text(encoding="utf-8"))
    return [(str(item["q"]), [str(e) for e in item["expect"]]) for item in data["questions"]]


def evaluate(answerer: LegalAnswerer, name: str) -> tuple[list[Row], float]:
    rows: list[Row] = []
    started = time.perf_counter()
    for question, expect in load_set(name):
        answer = answerer.answer(question)
        top3 = [h.id for h in answerer.ranked(question, 3)]
        rows.append(Row(question, expect, answer, top3))
    per_question_ms = (time.perf_counter() - started) * 1000 / max(len(rows), 1)
    return rows, per_question_ms


def report(name: str, rows: list[Row], ms: float, verbose: bool) -> None:
    scoped = [r for r in rows if r.in_scope]
    oos = [r for r in rows if not r.in_scope]
    top1 = sum(r.top1_ok for r in rows) / len(rows)
    top3 = sum(any(i in r.expect for i in r.top3) for r in scoped) / max(len(scoped), 1)
    ranked1 = sum(bool(r.top3) and r.top3[0] in r.expect for r in scoped) / max(len(scoped), 1)
    abstain = sum(r.declined for r in scoped) / max(len(scoped), 1)
    wrong = sum(not r.declined and not r.top1_ok for r in scoped) / max(len(scoped), 1)
    oos_wrong = sum(not r.declined for r in oos)
    oos_ok = sum(r.declined for r in oos) / max(len(oos), 1)
    print(f"[{name}] n={len(rows)} (in-scope {len(scoped)}, out-of-scope {len(oos)})")
    print(f"  top-1 (end-to-end, all questions): {top1:.1%}")
    print(f"  ranked first (ranking, in-scope):  {ranked1:.1%}")
    print(f"  top-3 (ranking, in-scope):         {top3:.1%}")
    print(f"  abstention rate (in-scope):        {abstain:.1%}")
    print(f"  answered and wrong (in-scope):     {wrong:.1%}")
    print(f"  correct abstention (out-of-scope): {oos_ok:.1%} ({oos_wrong} answered)")
    print(f"  answer+ranked latency:             {ms:.1f} ms/question")
    if verbose:
        for r in rows:
            mark = "OK " if r.top1_ok else "XX "
            got = r.answered_id or f"<{r.answer.reason}>"
            print(f"  {mark}{r.question} -> {got} ({r.answer.score:.2f}) top3={r.top3} want={r.expect}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=[*SETS, *GROUPS], default="both")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    answerer = LegalAnswerer.load()
    print(f"load: {time.perf_counter() - started:.2f} s")
    names = GROUPS.get(args.set, [args.set])
    for name in names:
        rows, ms = evaluate(answerer, name)
        report(name, rows, ms, args.verbose)
    _ = article_id  # re-exported id format, documented in the sets
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
