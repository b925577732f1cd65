"""Build step: parse the statute files and write legal/data/statutes.jsonl.

Usage: ``python -m legal.build [--laws DIR] [--out FILE]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from legal.index import dumps
from legal.paths import DATA_DIR, STATUTES_FILE, default_laws_dir
from legal.statutes import parse_dir


def build_text(laws_dir: Path) -> str:
    """The exact content of statutes.jsonl for a laws directory."""
    return dumps(parse_dir(laws_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--laws", type=Path, default=None, help="statute directory")
    parser.add_argument("--out", type=Path, default=DATA_DIR / STATUTES_FILE)
    args = parser.parse_args(argv)
    laws_dir: Path = args.laws or default_laws_dir()
    text = build_text(laws_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {text.count(chr(10))} articles from {laws_dir} to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
