"""Build step: parse the statute files and write legal/data/statutes.jsonl, then segment
every article once and write legal/data/statute_tokens.txt (so loading needs no jieba pass).

Usage: ``python -m legal.build [--laws DIR] [--out FILE]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from legal.answerer import write_vectors
from legal.index import StatuteIndex, dumps
from legal.paths import DATA_DIR, STATUTES_FILE, TOKENS_FILE, USERDICT_FILE, default_laws_dir
from legal.statutes import parse_dir
from legal.textproc import TextProcessor
from legal.tokens import dumps_tokens, fingerprint


def build_text(laws_dir: Path) -> str:
    """The exact content of statutes.jsonl for a laws directory."""
    return dumps(parse_dir(laws_dir))


def build_tokens_text(statutes: Path, userdict: Path) -> str:
    """The exact content of statute_tokens.txt for a statutes.jsonl and user dictionary."""
    index = StatuteIndex.read(statutes)
    text = TextProcessor(userdict, {})
    return dumps_tokens(index, text.tokens, fingerprint(statutes, userdict))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--laws", type=Path, default=None, help="statute directory")
    parser.add_argument("--out", type=Path, default=DATA_DIR / STATUTES_FILE)
    parser.add_argument("--no-vectors", action="store_true", help="skip the e5 vectors")
    args = parser.parse_args(argv)
    laws_dir: Path = args.laws or default_laws_dir()
    text = build_text(laws_dir)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {text.count(chr(10))} articles from {laws_dir} to {out}")
    tokens_out = out.parent / TOKENS_FILE
    userdict = out.parent / USERDICT_FILE
    if not userdict.exists():
        userdict = DATA_DIR / USERDICT_FILE
    tokens = build_tokens_text(out, userdict)
    tokens_out.write_text(tokens, encoding="utf-8", newline="\n")
    print(f"wrote article tokens to {tokens_out}")
    if not args.no_vectors:
        print("computing e5 vectors of the questions and the articles (minutes) ...", flush=True)
        write_vectors(out.parent if (out.parent / "knowledge.yml").exists() else DATA_DIR)
        print(f"wrote vectors to {out.parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
