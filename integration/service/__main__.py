"""`python -m integration.service`: migrate, seed (if enabled) and serve on CASE_SERVICE_PORT."""

from __future__ import annotations

import logging
import os
import sys

from integration import deployment
from integration.client import logsafe
from integration.service.api.app import create_app
from integration.service.settings import SECRETS, Settings

log = logging.getLogger("integration.service")


def main() -> int:
    logsafe.install()  # tokens, conversation ids and personal data masked in the log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not deployment.check_startup("case service", os.environ, SECRETS, log):
        return 2
    settings = Settings.from_env()
    app = create_app(settings)
    # single_process: no reloader, no worker fork; the launcher supervises this one process.
    app.run(host=settings.host, port=settings.port, single_process=True, access_log=False,
            motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
