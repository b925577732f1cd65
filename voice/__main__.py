"""``python -m voice``: run the gateway on VOICE_HOST:VOICE_PORT (default 127.0.0.1:5006)."""

from __future__ import annotations

import logging
import sys

from integration.client import logsafe
from voice.settings import SettingsError, VoiceSettings


def main() -> int:
    logsafe.install()  # call and conversation ids, phone numbers and tokens masked in the log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
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
