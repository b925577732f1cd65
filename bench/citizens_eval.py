"""Real citizens' phrasing, held out: category accuracy and the share that reaches the right flow.

The set (tests/nlu/citizens_heldout.yml) was written by an author who never saw the training
data, from a description of citizens and styles only; it is never trained on. Each item is a
dispute narrative or a "what should I do" question, labelled with its category and its flow:
``intake`` (register for mediation) or ``answer`` (answer the legal question, then offer).

What the trained model's NLU does with each message decides the flow it reaches:
``dispute_*`` / ``report_dispute`` → intake; ``ask_legal`` → answer; anything else (including
``nlu_fallback``) → neither, which counts as wrong. The category is the dispute analyzer's top
guess; "asked" counts the narratives whose category the bot confirms with buttons instead.

Usage (bot environment): .venv/bot/bin/python bench/citizens_eval.py [--model PATH] [--set FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def flow_of(parse: dict[str, Any]) -> str:
    intent = (parse.get("intent") or {}).get("name") or ""
    if intent.startswith("dispute_") or intent == "report_dispute":
        return "intake"
    if intent == "ask_legal":
        return "answer"
    return f"other:{intent}"


def category_of(parse: dict[str, Any]) -> str | None:
    intent = (parse.get("intent") or {}).get("name") or ""
    if intent.startswith("dispute_"):
        return intent[len("dispute_") :]
    return (parse.get("dispute") or {}).get("category")


async def evaluate(model: Path, items: list[dict[str, Any]], verbose: bool) -> dict[str, Any]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    started = time.perf_counter()
    for item in items:
        parse = await agent.parse_message(str(item["text"]))
        results.append((item, parse))
    elapsed = time.perf_counter() - started
    return summarise(results, elapsed, verbose)


def summarise(
    results: list[tuple[dict[str, Any], dict[str, Any]]], elapsed: float, verbose: bool
) -> dict[str, Any]:
    flow_right, category_right, asked, by_style = 0, 0, 0, defaultdict(Counter)
    wrong_flows: Counter[str] = Counter()
    for item, parse in results:
        flow = flow_of(parse)
        ok_flow = flow == item["flow"]
        ok_category = category_of(parse) == item["category"]
        flow_right += ok_flow
        category_right += ok_category
        asked += (parse.get("intent") or {}).get("name") == "report_dispute"
        if not ok_flow:
            wrong_flows[f"{item['flow']}→{flow}"] += 1
        for style in item.get("style") or []:
            by_style[style]["n"] += 1
            by_style[style]["flow"] += ok_flow
            by_style[style]["category"] += ok_category
        if verbose and not (ok_flow and ok_category):
            print(
                f"  {item.get('id')} want {item['flow']}/{item['category']} got {flow}/{category_of(parse)}: "
                f"{str(item['text'])[:60]}"
            )
    n = len(results)
    return {
        "items": n,
        "flow_accuracy": flow_right / n,
        "category_accuracy": category_right / n,
        "category_confirmed_by_buttons": asked / n,
        "wrong_flows": dict(wrong_flows.most_common()),
        "by_style": {
            k: {"n": v["n"], "flow": v["flow"] / v["n"], "category": v["category"] / v["n"]}
            for k, v in sorted(by_style.items())
        },
        "ms_per_message": 1000 * elapsed / max(n, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "bot/models/jiefen.tar.gz")
    parser.add_argument("--set", type=Path, default=ROOT / "tests/nlu/citizens_heldout.yml")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    items = yaml.safe_load(args.set.read_text(encoding="utf-8"))["items"]
    report = asyncio.run(evaluate(args.model, items, args.verbose))
    print(f"held-out citizens ({args.set.name}, {report['items']} messages, never trained on)")
    print(f"  right flow (intake vs answer-then-offer): {report['flow_accuracy']:.1%}")
    print(f"  right category (top guess):               {report['category_accuracy']:.1%}")
    print(f"  category confirmed with buttons:          {report['category_confirmed_by_buttons']:.1%}")
    print(f"  NLU time per message:                     {report['ms_per_message']:.1f} ms")
    print(f"  wrong flows: {report['wrong_flows']}")
    for style, row in report["by_style"].items():
        print(f"  {style:12s} n={row['n']:3d} flow {row['flow']:.0%} category {row['category']:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
