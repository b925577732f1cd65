"""The legal held-out questions asked of the whole product, end to end over the REST channel.

Each question opens a new conversation, as a citizen typing it on the chat page would. The
reply is read as a citizen reads it: the articles it cites (《law》第X条), whether it is the
consent notice (the question taken as an intake), and whether the offer to register follows.
Same classes as bench/legal_citizens_eval.py (key / relevant / abstain / irrelevant / clarify),
plus "intake" when the bot answered a question with the start of a registration. After a
clarification the option whose curated answer cites a key article (else a relevant one, else
the first) is clicked in the same conversation, and the reply is scored ("after the choice").

``--show`` prints each question the dialogue handled worse than the answerer asked directly
(taken as an intake, abstained or cited an irrelevant article where the direct answer was
better), so the mechanism can be read, not guessed.

Usage: .venv/svc/bin/python bench/legal_dialogue_eval.py [--limit N] [--show]
"""

from __future__ import annotations

import argparse
import json
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
from legal.answerer import LegalAnswerer
from legal.numerals import cn_to_int
from legal.paths import DATA_DIR

CITATION = re.compile(r"《([^》]+)》第([零〇一二两三四五六七八九十百千]+)条")


def cited(reply: str) -> set[str]:
    return {f"{law}#{cn_to_int(number)}" for law, number in CITATION.findall(reply)}


def choice_payload(buttons: list[dict[str, str]], key: list[str], relevant: list[str]) -> str | None:
    """The clarification option a citizen who recognises their question would click."""
    options = {}
    for button in buttons:
        payload = button.get("payload", "")
        if payload.startswith("/ask_legal{"):
            choice = json.loads(payload[len("/ask_legal"):]).get("legal_choice")
            if choice and choice != "none":
                options[payload] = choice
    if not options:
        return None
    answerer = _answerer()
    for wanted in (key, relevant):
        for payload, choice in options.items():
            entry = answerer.entries.get(choice)
            if entry and {f"{c.law}#{c.article}" for c in entry.citations} & set(wanted):
                return payload
    return next(iter(options))


_ANSWERER: list[LegalAnswerer] = []


def _answerer() -> LegalAnswerer:
    if not _ANSWERER:
        _ANSWERER.append(LegalAnswerer.load())
    return _ANSWERER[0]


def verdict(reply: str, key: list[str], relevant: list[str]) -> str:
    if "征得您的同意" in reply or "您同意吗" in reply:
        return "intake"
    found = cited(reply)
    if not found:
        return "abstain"
    if found & set(key):
        return "key"
    return "relevant" if found & set(relevant) else "irrelevant"


def _direct_verdict(question: str, key: list[str], relevant: list[str]) -> str:
    """The verdict of the answerer asked directly (as bench/legal_citizens_eval.py asks it)."""
    answer = _answerer().answer(question)
    return "clarify" if answer.kind == "clarify" else verdict(answer.text, key, relevant)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--show", action="store_true", help="print where the dialogue lost the answer")
    args = parser.parse_args()
    items = yaml.safe_load((DATA_DIR / "heldout_citizen_questions.yml").read_text(encoding="utf-8"))[
        "questions"
    ]
    items = [i for i in items if i["key"] != ["abstain"]][: args.limit or None]
    counts: Counter[str] = Counter()
    chosen: Counter[str] = Counter()
    offered = 0
    latencies = []
    with running_stack() as stack:
        client = httpx.Client(base_url=stack.url(stack.rasa_port), timeout=120)
        for item in items:
            started = time.perf_counter()
            sender = f"legal-{uuid.uuid4().hex[:10]}"
            response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": item["q"]})
            latencies.append((time.perf_counter() - started) * 1000)
            messages = response.json()
            reply = "\n".join(m.get("text", "") for m in messages if m.get("text"))
            key, relevant = [str(k) for k in item["key"]], [str(r) for r in item.get("relevant") or []]
            buttons = [b for m in messages for b in m.get("buttons") or []]
            payload = choice_payload(buttons, key, relevant)
            if payload is None:
                got = verdict(reply, key, relevant)
                counts[got] += 1
                offered += "需要登记吗" in reply
                if args.show and got in ("intake", "abstain", "irrelevant"):
                    direct = _direct_verdict(item["q"], key, relevant)
                    if direct != got:
                        print(f"[{got} / direct {direct}] {item['q']}\n    -> {reply[:120]!r}", flush=True)
                continue
            counts["clarify"] += 1
            after = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": payload}).json()
            reply = "\n".join(m.get("text", "") for m in after if m.get("text"))
            chosen[verdict(reply, key, relevant)] += 1
            offered += "需要登记吗" in reply
    n = len(items)
    print(f"legal held-out questions through the REST channel: {n}")
    for name in ("key", "relevant", "abstain", "irrelevant", "intake", "clarify"):
        print(f"  {name:11s} {counts[name]:4d}  {counts[name] / n:6.1%}")
    for name in ("key", "relevant", "abstain", "irrelevant"):
        print(f"    clarify, then {name:10s} {chosen[name]:4d}  {chosen[name] / n:6.1%}")
    print(f"  key directly or after one choice: {(counts['key'] + chosen['key']) / n:6.1%}")
    print(f"  offer to register after the answer: {offered / n:.1%}")
    print(
        f"  reply latency: p50 {statistics.median(latencies):.0f} ms, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
