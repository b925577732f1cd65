"""Check that every annotated entity span in Rasa NLU yml files aligns with jieba token boundaries.

Usage (from the repository root):
    .venv/bot/bin/python tests/nlu/check_alignment.py bot/data/nlu tests/nlu/heldout.yml

Loads every file in bot/jieba as a user dictionary, exactly like JiebaTokenizer does, and prints the
examples whose entity start/end falls inside a jieba token (Rasa would drop or mislearn them).
Exit code 1 when a misaligned span is found.
"""
import glob
import logging
import os
import re
import sys
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)
for path in glob.glob("bot/jieba/*"):
    jieba.load_userdict(path)

ENTITY_RE = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)|\[([^\]]+)\]\{[^}]*\"entity\": *\"([a-z_]+)\"[^}]*\}")


def parse(example):
    text, spans, pos = "", [], 0
    for m in ENTITY_RE.finditer(example):
        text += example[pos:m.start()]
        value = m.group(1) or m.group(3)
        ent = m.group(2) or m.group(4)
        spans.append((len(text), len(text) + len(value), ent, value))
        text += value
        pos = m.end()
    text += example[pos:]
    return text, spans


def files(args):
    for a in args:
        if os.path.isdir(a):
            yield from sorted(glob.glob(os.path.join(a, "*.yml")))
        else:
            yield a


def main(args):
    bad = total = 0
    for f in files(args):
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if not s.startswith("- ") or ("](" not in s and "]{" not in s):
                continue
            text, spans = parse(s[2:])
            if not spans:
                continue
            tokens = list(jieba.tokenize(text))
            starts = {t[1] for t in tokens}
            ends = {t[2] for t in tokens}
            for st, en, ent, val in spans:
                total += 1
                if st not in starts or en not in ends:
                    bad += 1
                    toks = "/".join(t[0] for t in tokens)
                    print(f"{f}: [{val}]({ent}) misaligned in: {toks}")
    print(f"{total} entity spans checked, {bad} misaligned")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["bot/data/nlu"]))
