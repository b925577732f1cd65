"""Tune the legal answerer's decision thresholds on the DEV sets only (never the held-out ones).

Scores every setting the way ``bench/legal_citizens_eval.py`` scores the held-out set: an answer
cites a key article (or is the expected curated entry), another relevant one, an irrelevant
one, abstains, or asks the citizen to choose — and then whether one of the offered options
leads to a key article. A clarification is neither right nor wrong on its own: it costs the
citizen one tap, so settings are ranked by "key directly or after one choice", among those
that keep irrelevant answers at or under ``--max-irrelevant``.

The retrieval (embeddings and fused scores) does not depend on the decision thresholds, so it
is computed once per question and the grid only replays the decisions: a full grid takes about
as long as one evaluation.

Usage: .venv/svc/bin/python bench/legal_tune.py [--max-irrelevant 0.02] [--top 12]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from legal.answerer import LegalAnswerer
from legal.hybrid import Fusion
from legal.model import LegalAnswer
from legal.paths import DATA_DIR

DEV_SETS = ("dev_questions.yml", "dev_colloquial.yml")  # expect: entry ids or articles
CITIZEN_DEV = "dev_citizen_questions.yml"  # key/relevant articles, written by an independent author
GRID = {
    "entry_threshold": (0.945, 0.95, 0.955),
    "agreement_threshold": (0.92, 0.93),
    "margin": (0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025),
    "clarify_threshold": (0.92, 0.93, 0.94),
    "clarify_cosine_min": (0.0, 0.9, 0.905, 0.91, 0.915),
}


@dataclass(frozen=True)
class Item:
    question: str
    key: frozenset[str]  # entry ids or "law#article"
    relevant: frozenset[str]
    out_of_scope: bool


def dev_items() -> list[Item]:
    items = []
    for name in DEV_SETS:
        for item in yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))["questions"]:
            expect = [str(e) for e in item["expect"]]
            items.append(Item(str(item["q"]), frozenset(expect), frozenset(), expect == ["abstain"]))
    for item in yaml.safe_load((DATA_DIR / CITIZEN_DEV).read_text(encoding="utf-8"))["questions"]:
        key = [str(k) for k in item["key"]]
        relevant = frozenset(str(r) for r in item.get("relevant") or [])
        items.append(Item(str(item["q"]), frozenset(key), relevant, key == ["abstain"]))
    return items


def verdict(answer: LegalAnswer, item: Item) -> str:
    if answer.kind == "clarify":
        return "clarify"
    cited = {f"{c.law}#{c.article}" for c in answer.citations}
    if answer.kind == "abstain" or not cited:
        return "abstain"
    if answer.entry_id in item.key or cited & item.key:
        return "key"
    return "relevant" if cited & item.relevant else "irrelevant"


def score(answerer: LegalAnswerer, items: list[Item]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for item in items:
        answer = answerer.answer(item.question)
        if item.out_of_scope:
            if answer.kind == "clarify":  # options offered for a question we should decline
                counts["oos clarified"] += 1
            else:
                declined = answer.kind == "abstain" or not answer.citations
                counts["oos declined" if declined else "oos answered"] += 1
            continue
        counts[kind := verdict(answer, item)] += 1
        if kind == "clarify":
            chosen = {verdict(answerer.answer_entry(entry_id), item) for entry_id, _ in answer.options}
            counts["clarify→key" if "key" in chosen else "clarify→other"] += 1
    return counts


def memoise_retrieval(answerer: LegalAnswerer) -> None:
    """Retrieval depends only on the question and the lexical weight, which the grid keeps."""
    cache: dict[tuple[str, int], Any] = {}
    original = answerer.hybrid

    def hybrid(question: str, k: int = 3) -> Any:
        if (question, k) not in cache:
            cache[(question, k)] = original(question, k)
        return cache[(question, k)]

    answerer.hybrid = hybrid  # type: ignore[method-assign]


def label_of(knobs: dict[str, float]) -> str:
    return " ".join(f"{k.removesuffix('_threshold')} {v:.4f}" for k, v in knobs.items())


def line(knobs: str, counts: Counter[str], n: int) -> str:
    share = {k: counts[k] / n for k in ("key", "clarify→key", "irrelevant", "abstain", "clarify")}
    return (
        f"{knobs}: key {share['key']:.1%}, +after a choice {share['key'] + share['clarify→key']:.1%}, "
        f"irrelevant {share['irrelevant']:.1%}, abstain {share['abstain']:.1%}, "
        f"clarify {share['clarify']:.1%}, out of scope declined {counts['oos declined']} "
        f"(clarified {counts['oos clarified']}, answered {counts['oos answered']})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-irrelevant", type=float, default=0.02)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--baseline", default="", help="knobs of the floor: entry_threshold=0.95,…")
    args = parser.parse_args()
    answerer = LegalAnswerer.load()
    answerer.answer("调解收费吗")
    memoise_retrieval(answerer)
    items = dev_items()
    n = sum(not i.out_of_scope for i in items)
    base: Fusion = answerer.fusion
    if args.baseline:  # the floor of out-of-scope declines comes from these knobs
        knobs = {k: float(v) for k, v in (kv.split("=") for kv in args.baseline.split(","))}
        answerer.fusion = replace(base, **knobs)  # type: ignore[arg-type]
    print(f"{len(items)} dev questions ({n} in scope)")
    label = f"baseline {args.baseline}" if args.baseline else "current defaults"
    score_defaults = score(answerer, items)
    print(line(label, score_defaults, n))
    answerer.fusion = base
    results = []
    for values in itertools.product(*GRID.values()):
        knobs = dict(zip(GRID, values, strict=True))
        if knobs["agreement_threshold"] > knobs["entry_threshold"]:
            continue
        answerer.fusion = replace(base, **knobs)  # type: ignore[arg-type]
        counts = score(answerer, items)
        results.append((knobs, counts))
    answerer.fusion = base

    def reach(counts: Counter[str]) -> float:
        return (counts["key"] + counts["clarify→key"]) / n

    # Out-of-scope questions (outcome predictions, tax, visas) must stay declined: a setting may
    # not decline fewer of them than the current defaults do.
    floor = score_defaults["oos declined"]
    admissible = [
        r for r in results
        if r[1]["irrelevant"] / n <= args.max_irrelevant and r[1]["oos declined"] >= floor
    ]
    print(f"\nbest {args.top} with irrelevant ≤ {args.max_irrelevant:.0%} "
          f"({len(admissible)} of {len(results)} settings):")
    for knobs, counts in sorted(admissible, key=lambda r: (-reach(r[1]), -r[1]["key"]))[: args.top]:
        print("  " + line(label_of(knobs), counts, n))
    # A clarification costs a tap (a numbered choice on the phone): the settings no other beats
    # on both "key directly" and "key after a choice" show what each extra clarification buys.
    frontier = [
        r for r in admissible
        if not any(
            o[1]["key"] >= r[1]["key"] and reach(o[1]) >= reach(r[1])
            and (o[1]["key"] > r[1]["key"] or reach(o[1]) > reach(r[1]))
            for o in admissible
        )
    ]
    print("\nadmissible settings no other beats on both direct and after-a-choice answers:")
    for knobs, counts in sorted(frontier, key=lambda r: -r[1]["key"]):
        print("  " + line(label_of(knobs), counts, n))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
