"""What to do when a system package a test needs is absent.

`make test` (scripts/system_packages.sh) installs the packages or stops before any suite, and
exports ``JIEFEN_SYSTEM_PACKAGES=required``; CI does the same. There a missing tool means a
broken set-up and the test fails. A developer running one pytest file by hand gets a skip that
names the package (and ``-rs`` prints it).
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def packages_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("JIEFEN_SYSTEM_PACKAGES") == "required"


def missing_package(message: str) -> NoReturn:
    """Fail under `make test` and CI, skip elsewhere, with ``message`` naming the package."""
    if packages_required():
        pytest.fail(message)
    pytest.skip(message)
