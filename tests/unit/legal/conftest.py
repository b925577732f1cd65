"""Shared fixtures: one LegalAnswerer per test session (loading takes a few seconds)."""

from __future__ import annotations

import pytest

from legal.answerer import LegalAnswerer


@pytest.fixture(scope="session")
def answerer() -> LegalAnswerer:
    return LegalAnswerer.load()
