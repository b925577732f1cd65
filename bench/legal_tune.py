"""Tune the fused legal ranking's thresholds on the DEV sets only (never the held-out ones).

Prints, for each setting of (lexical weight, entry threshold, article threshold), the share
of dev questions answered right, answered wrong and declined, so that the chosen defaults in
``legal.hybrid.Fusion`` can be justified. Usage: .venv/svc/bin/python bench/legal_tune.py
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from legal.answerer import LegalAnswerer
from legal.paths import DATA_DIR

DEV_SETS = ("dev_questions.yml", "dev_colloquial.yml")
CITIZEN_DEV = "dev_citizen_questions.yml"  # key/relevant articles, written by an independent author


def dev_items() -> list[tuple[str, list[str]]]:
    """(question, acceptable ids): entry ids or articles; a citizen question accepts its key and
    relevant articles (``abstain`` when out of scope)."""
    items = []
    for name in DEV_SETS:
        for item in yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))["questions"]:
            items.append((str(item["q"]), [str(e) for e in item["expect"]]))
    for item in yaml.safe_load((DATA_DIR / CITIZEN_DEV).read_text(encoding="utf-8"))["questions"]:
        items.append((str(item["q"]), [str(e) for e in [*item["key"], *(item.get("relevant") or [])]]))
    return items


def score(answerer: LegalAnswerer, items: list[tuple[str, list[str]]]) -> tuple[float, float, float]:
    right = wrong = declined = 0
    for question, expect in items:
        answer = answerer.answer(question)
        cited = {f"{c.law}#{c.article}" for c in answer.citations}
        if answer.kind == "abstain" or answer.reason == "prediction":
            declined += 1
            right += expect == ["abstain"]
            continue
        ok = answer.entry_id in expect or bool(cited & set(expect))
        right += ok
        wrong += not ok
    n = len(items)
    return right / n, wrong / n, declined / n


def main() -> int:
    answerer = LegalAnswerer.load()
    answerer.answer("调解收费吗")
    items = dev_items()
    base = answerer.fusion
    print(f"{len(items)} dev questions; right / wrong / declined")
    for lw, et, ag in itertools.product((0.03, 0.05), (0.94, 0.95), (0.92, 0.93)):
        answerer.fusion = replace(base, lexical_weight=lw, entry_threshold=et, agreement_threshold=ag)
        r, w, d = score(answerer, items)
        knobs = f"lexical {lw:.2f} entry {et:.2f} agreement {ag:.2f}"
        print(f"  {knobs}: {r:.1%} / {w:.1%} / {d:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
