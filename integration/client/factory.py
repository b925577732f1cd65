"""Building the client from environment variables (the only place the client reads them)."""

from __future__ import annotations

import os
from pathlib import Path

from integration import deployment
from integration.client.buffered import BufferedCaseSystem
from integration.client.http import HttpCaseSystem
from integration.client.outbox import FileOutbox, OutboxDrainer
from integration.client.port import CaseSystem

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_CENTER_API_TOKEN = "dev-bot-token"


def http_from_env() -> HttpCaseSystem:
    """The HTTP adapter with CENTER_API_TOKEN. In production mode (``JIEFEN_ENV``, unset counts
    as production) a missing, development or short token raises ``InsecureSettings``: the action
    server's start-up hook builds this client, so the process stops before it serves."""
    deployment.require_secrets("case-system client", os.environ,
                               [deployment.Secret("CENTER_API_TOKEN")])
    return HttpCaseSystem(os.environ.get("CASE_SERVICE_URL", "http://127.0.0.1:8000"),
                          os.environ.get("CENTER_API_TOKEN") or DEV_CENTER_API_TOKEN,
                          timeout_s=float(os.environ.get("CASE_CLIENT_TIMEOUT_S", "5")),
                          retries=int(os.environ.get("CASE_CLIENT_RETRIES", "2")))


def outbox_from_env() -> FileOutbox:
    directory = Path(os.environ.get("CASE_OUTBOX_DIR", "var/outbox"))
    return FileOutbox(directory if directory.is_absolute() else REPO_ROOT / directory)


def case_system_from_env() -> CaseSystem:
    """HTTP adapter with the durable outbox in front of case creation."""
    return BufferedCaseSystem(http_from_env(), outbox_from_env())


def drainer_from_env(system: CaseSystem | None = None) -> OutboxDrainer:
    """Drainer for the action server; pass the HTTP adapter (not the buffered one) or None."""
    target = system if system is not None else http_from_env()
    return OutboxDrainer(outbox_from_env(), target,
                         interval_s=float(os.environ.get("CASE_OUTBOX_INTERVAL_S", "30")))
