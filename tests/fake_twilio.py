"""A local stand-in for Twilio's Messaging REST API: a real HTTP server in a thread that the
real ``twilio`` SDK talks to (``TWILIO_API_BASE_URL``), answering as Twilio does.

``fail_next(n, status)`` makes the next n sends fail like an outage; ``reject_next(code)`` like
a refused number; ``wait_for(n)`` blocks until n messages were accepted (an event, no sleeps)."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "fake-twilio-auth-token-0123456789"
_MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass
class FakeTwilio:
    url: str = ""
    accepted: list[dict[str, str]] = field(default_factory=list)
    attempts: int = 0
    _plan: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._changed:
            self._plan += [(status, {"code": 20500, "message": "Service Unavailable",
                                     "status": status})] * count

    def reject_next(self, code: int, message: str = "The 'To' number +8613800138000 is not valid") -> None:
        with self._changed:
            self._plan.append((400, {"code": code, "message": message, "status": 400}))

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict[str, str]]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.accepted) >= count, timeout):
                raise AssertionError(f"Twilio got {len(self.accepted)} messages, expected {count}")
            return list(self.accepted)

    def wait_until(self, found: Callable[[dict[str, str]], bool],
                   timeout: float = 30.0) -> dict[str, str]:
        """The first accepted message ``found`` accepts, waiting for it if need be."""
        with self._changed:
            if not self._changed.wait_for(lambda: any(found(m) for m in self.accepted), timeout):
                raise AssertionError(f"no such message among {len(self.accepted)} sent to Twilio")
            return next(m for m in self.accepted if found(m))

    def handle(self, auth: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        match = _MESSAGES.match(path)
        if match is None:
            return 404, {"code": 20404, "message": "not found", "status": 404}
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if auth != expected or match["sid"] != ACCOUNT_SID:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        with self._changed:
            self.attempts += 1
            if self._plan:
                return self._plan.pop(0)
            sid = f"SM{len(self.accepted) + 1:032d}"
            self.accepted.append({**form, "sid": sid})
            self._changed.notify_all()
        return 201, {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body"),
                     "account_sid": ACCOUNT_SID, "num_segments": "1"}


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            status, payload = fake.handle(self.headers.get("Authorization", ""), self.path, form)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
