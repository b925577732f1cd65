"""Lazily built clients for the systems the actions talk to (never built at import time)."""

from __future__ import annotations

from functools import lru_cache

from integration.client import CaseSystem, case_system_from_env


@lru_cache(maxsize=1)
def case_system() -> CaseSystem:
    """The process-wide case-system client, configured from the environment on first use."""
    return case_system_from_env()
