"""Held-out NLU quality: intent macro-F1, dispute-category accuracy and entity F1.

Runs `rasa test nlu` (bot environment) on tests/nlu/heldout.yml, which is never trained on,
and summarises Rasa's reports. Usage: .venv/svc/bin/python bench/nlu_eval.py [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_AVERAGES = ("micro avg", "macro avg", "weighted avg", "accuracy")


def run_rasa_test(model: Path, out: Path) -> None:
    """Evaluate the model on the held-out set into `out`."""
    env = {
        **os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT),
    }
    argv = [
        str(ROOT / ".venv/bot/bin/rasa"), "test", "nlu", "--nlu", "tests/nlu/heldout.yml",
        "--model", str(model), "--out", str(out),
    ]
    subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise(out: Path) -> dict[str, float]:
    """Macro-F1 over intents, accuracy over dispute_* narratives, and entity F1 per entity."""
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    errors = json.loads((out / "intent_errors.json").read_text(encoding="utf-8"))
    summary = {"intent_macro_f1": intents["macro avg"]["f1-score"], "intent_accuracy": intents["accuracy"]}
    dispute_support = sum(v["support"] for k, v in intents.items() if k.startswith("dispute_"))
    dispute_errors = sum(1 for e in errors if e["intent"].startswith("dispute_"))
    summary["category_accuracy"] = 1 - dispute_errors / dispute_support if dispute_support else 0.0
    for report in out.glob("*_report.json"):
        if report.name in ("intent_report.json", "response_selection_report.json"):
            continue
        data = json.loads(report.read_text(encoding="utf-8"))
        for entity, scores in data.items():
            if not isinstance(scores, dict) or "f1-score" not in scores or entity in _AVERAGES:
                continue
            # regex extractors only produce some entities: skip the ones they never predict
            if scores.get("precision", 0) or scores.get("recall", 0):
                summary[f"{report.stem.replace('_report', '')}:{entity}_f1"] = scores["f1-score"]
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "bot/models/jiefen.tar.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "var/test-results/nlu")
    args = parser.parse_args()
    run_rasa_test(args.model, args.out)
    for key, value in summarise(args.out).items():
        print(f"{key:40s} {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
