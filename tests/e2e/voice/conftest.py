"""The in-process gateway fixture, shared with the integration suite."""

from tests.integration.voice.conftest import start_gateway  # noqa: F401 (fixture)
