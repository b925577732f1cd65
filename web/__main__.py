"""``python -m web``: run the chat page on WEB_HOST:WEB_PORT (default 127.0.0.1:8080)."""

from __future__ import annotations

import logging
import os
import sys

from integration import deployment
from integration.client import logsafe
from web.settings import SECRETS, SettingsError, WebSettings

log = logging.getLogger("web")


def main() -> int:
    logsafe.install()  # no tokens, full conversation ids or phone numbers in web.log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not deployment.check_startup("web", os.environ, SECRETS, log):
        return 2
    try:
        settings = WebSettings.from_env()
    except SettingsError as exc:
        print(f"web: bad setting: {exc}", file=sys.stderr)
        return 2
    from web.app import create_app

    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, single_process=True, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
