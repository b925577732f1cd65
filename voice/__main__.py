"""``python -m voice``: run the gateway on VOICE_HOST:VOICE_PORT (default 127.0.0.1:5006)."""

from __future__ import annotations

import logging
import os
import sys

from integration import deployment
from integration.client import logsafe
from voice.settings import SettingsError, VoiceSettings, startup_secrets

log = logging.getLogger("voice")


def main() -> int:
    logsafe.install()  # call and conversation ids, phone numbers and tokens masked in the log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        checked = startup_secrets(os.environ)
    except SettingsError as exc:
        print(f"voice gateway: bad setting: {exc}", file=sys.stderr)
        return 2
    if not deployment.check_startup("voice gateway", os.environ, checked, log):
        return 2
    try:
        settings = VoiceSettings.from_env()
    except SettingsError as exc:
        print(f"voice gateway: bad setting: {exc}", file=sys.stderr)
        return 2
    from voice.app import create_app

    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, single_process=True, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
