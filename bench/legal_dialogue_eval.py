"""The legal held-out questions asked of the whole product, end to end over the REST channel.

Each question opens a new conversation, as a citizen typing it on the chat page would. The
reply is read as a citizen reads it: the articles it cites (《law》第X条), whether it is the
consent notice (the question taken as an intake), and whether the offer to register follows.
Same classes as bench/legal_citizens_eval.py (key / relevant / abstain / irrelevant), plus
"intake" when the bot answered a question with the start of a registration.

Usage: .venv/svc/bin/python bench/legal_dialogue_eval.py [--limit N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import running_stack
from legal.numerals import cn_to_int
from legal.paths import DATA_DIR

CITATION = re.compile(r"《([^》]+)》第([零〇一二两三四五六七八九十百千]+)条")


def cited(reply: str) -> set[str]:
    return {f"{law}#{cn_to_int(number)}" for law, number in CITATION.findall(reply)}


def verdict(reply: str, key: list[str], relevant: list[str]) -> str:
    if "征得您的同意" in reply or "您同意吗" in reply:
        return "intake"
    found = cited(reply)
    if not found:
        return "abstain"
    if found & set(key):
        return "key"
    return "relevant" if found & set(relevant) else "irrelevant"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    items = yaml.safe_load((DATA_DIR / "heldout_citizen_questions.yml").read_text(encoding="utf-8"))[
        "questions"
    ]
    items = [i for i in items if i["key"] != ["abstain"]][: args.limit or None]
    counts: Counter[str] = Counter()
    offered = 0
    latencies = []
    with running_stack() as stack:
        client = httpx.Client(base_url=stack.url(stack.rasa_port), timeout=120)
        for item in items:
            started = time.perf_counter()
            response = client.post(
                "/webhooks/rest/webhook",
                json={"sender": f"legal-{uuid.uuid4().hex[:10]}", "message": item["q"]},
            )
            latencies.append((time.perf_counter() - started) * 1000)
            reply = "\n".join(m.get("text", "") for m in response.json() if m.get("text"))
            counts[
                verdict(reply, [str(k) for k in item["key"]], [str(r) for r in item.get("relevant") or []])
            ] += 1
            offered += "需要登记吗" in reply
    n = len(items)
    print(f"legal held-out questions through the REST channel: {n}")
    for name in ("key", "relevant", "abstain", "irrelevant", "intake"):
        print(f"  {name:11s} {counts[name]:4d}  {counts[name] / n:6.1%}")
    print(f"  offer to register after the answer: {offered / n:.1%}")
    print(
        f"  reply latency: p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
