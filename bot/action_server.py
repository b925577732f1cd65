"""Run the rasa-sdk action server for `bot.actions`, plus the case-system outbox drainer.

Equivalent to `rasa run actions --actions bot.actions`, but binds the configured interface
(rasa-sdk's CLI always binds 0.0.0.0), answers `/webhook` only with Rasa's token
(`Authorization: Bearer <ACTION_SERVER_TOKEN>`, set by the launcher in var/endpoints.yml: the
actions act with the bot's case-service token, so nothing else on the host may call them), and
owns a start-up hook that drains the durable outbox of intakes the case service could not take
while it was down.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import os
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

from integration.client import logsafe
from integration.deployment import Secret, check_startup
from integration.envparse import env_str

logger = logging.getLogger("bot.action_server")


OPEN_PATHS = frozenset({"/health"})


def build_app(cors_origins: str | None, token: str = "") -> Sanic:
    """The action server app with the outbox drainer attached to its lifecycle; with ``token``
    every route but /health needs ``Authorization: Bearer <token>``."""
    app = create_app("bot.actions", cors_origins=cors_origins)
    expected = f"Bearer {token}".encode()

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if not token or request.path in OPEN_PATHS or request.method == "OPTIONS":
            return None
        given = (request.headers.get("authorization") or "").encode("utf-8", "replace")
        if hmac.compare_digest(given, expected):
            return None
        logger.warning("refused %s %s without Rasa's token", request.method, request.path)
        return response.json({"error": "unauthorized"}, status=401)

    @app.listener("after_server_start")
    async def start_outbox_drainer(app: Sanic, loop: Any) -> None:
        from integration.client import drainer_from_env

        app.ctx.drainer_task = loop.create_task(drainer_from_env().run_forever())
        # Build the legal index in the background so the first legal question is answered quickly.
        from bot.actions.legal import legal_answerer

        app.ctx.legal_warmup = loop.run_in_executor(None, legal_answerer)

    @app.listener("before_server_stop")
    async def stop_outbox_drainer(app: Sanic, loop: Any) -> None:
        task = getattr(app.ctx, "drainer_task", None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    return app


def main() -> None:
    """`python -m bot.action_server [--port 5055] [--host 127.0.0.1]`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--cors", default=os.environ.get("ACTION_SERVER_CORS") or None)
    args = parser.parse_args()
    logsafe.install()
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line and exit 2 before Sanic starts (inside a start-up listener the refusal came after
    # a traceback): production refuses missing, development-default or short secrets.
    secrets = [Secret("CENTER_API_TOKEN"), Secret("ACTION_SERVER_TOKEN")]
    if not check_startup("action server", os.environ, secrets, logger):
        raise SystemExit(2)
    token = env_str(os.environ, "ACTION_SERVER_TOKEN", "")
    if not token:
        logger.warning("ACTION_SERVER_TOKEN is not set: /webhook answers anything that reaches it")
    app = build_app(args.cors, token)
    logger.info("action server listening on http://%s:%s", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
