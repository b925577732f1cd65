"""Where the shipped data lives and where the statute sources are read from."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"
STATUTES_FILE = "statutes.jsonl"
KNOWLEDGE_FILE = "knowledge.yml"
SITUATIONS_FILE = "situations.yml"  # citizens' own cases per entry, written apart from the entries
USERDICT_FILE = "legal_userdict.txt"
SYNONYMS_FILE = "synonyms.yml"
FILLERS_FILE = "fillers.txt"
ENTRY_VECTORS_FILE = "knowledge_vectors.npy"  # e5 vectors of the curated questions (legal.build)
ARTICLE_VECTORS_FILE = "statute_vectors.npy"  # e5 vectors of the articles (legal.build)
TOKENS_FILE = "statute_tokens.txt"  # article tokens precomputed by ``python -m legal.build``


def default_laws_dir() -> Path:
    """``$LEGAL_LAWS_DIR``, else ``<repo>/../shared/laws``."""
    from legal.settings import LegalSettings  # settings read when asked, never at import

    return LegalSettings.from_env().laws_dir or REPO_DIR.parent / "shared" / "laws"
