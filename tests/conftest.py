"""Shared by every suite of both environments.

The processes the suites start use short throwaway tokens, so they run in explicit development
mode (``JIEFEN_ENV``, see ``integration/deployment.py``; a service started without it counts as
production and refuses them). Tests of production mode pass an environment of their own.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    os.environ["JIEFEN_ENV"] = "development"
