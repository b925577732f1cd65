"""`python -m integration.client.outbox drain|list`: deliver or list queued intakes and hand-offs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from integration.client.outbox import OutboxDrainer
from integration.client.types import IntakeRequest


async def _cli(argv: list[str]) -> int:
    from integration.client.factory import http_from_env, outbox_from_env

    parser = argparse.ArgumentParser(prog="python -m integration.client.outbox")
    parser.add_argument("command", choices=["drain", "list"])
    args = parser.parse_args(argv)
    outbox = outbox_from_env()
    if args.command == "list":
        for e in outbox.pending():
            label = e.request.category if isinstance(e.request, IntakeRequest) else (
                e.request.reason_code + (" urgent" if e.urgent else ""))
            print(e.receipt_id, e.queued_at, e.kind, label)
        return 0
    http = http_from_env()
    try:
        report = await OutboxDrainer(outbox, http).drain_once()
    finally:
        await http.aclose()
    print(f"delivered={report.delivered} rejected={report.rejected} remaining={report.remaining}")
    return 0 if report.remaining == 0 else 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(asyncio.run(_cli(sys.argv[1:])))
