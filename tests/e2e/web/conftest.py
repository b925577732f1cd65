"""In-process gateway and web service fixtures, shared with the integration suites."""

from tests.integration.conftest import cheap_password_hashing  # noqa: F401 (autouse fixture)
from tests.integration.voice.conftest import start_gateway  # noqa: F401 (fixture)
from tests.integration.web.conftest import start_web  # noqa: F401 (fixture)
