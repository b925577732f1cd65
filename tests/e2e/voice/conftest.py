"""The in-process gateway and web service fixtures, shared with the integration suites, and the
Whisper recogniser and speech synthesiser of the Mandarin tests (built on first use)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.integration.voice.conftest import start_gateway  # noqa: F401 (fixture)
from tests.integration.web.conftest import start_web  # noqa: F401 (fixture)

if TYPE_CHECKING:
    from tests.speech.synth import Synthesiser
    from voice.asr.base import AsrEngine


@pytest.fixture(scope="module")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AsrEngine]:
    from tests.e2e.voice.mandarin import whisper_engine  # faster-whisper only where it is used

    engine = whisper_engine(tmp_path_factory.mktemp("models"))
    yield engine
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@pytest.fixture(scope="module")
def synth() -> Synthesiser:
    from tests.speech.synth import Synthesiser

    return Synthesiser()
