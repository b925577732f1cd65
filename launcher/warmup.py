"""Send one message through the REST channel so the first citizen does not wait for lazy loading."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid


def send_rest_message(
    rasa_url: str, sender: str, text: str, token: str, timeout_s: float = 30
) -> list[dict]:
    """POST a message to Rasa's guarded REST channel (with the gateways' token); the replies."""
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        replies = json.loads(response.read())
    return replies if isinstance(replies, list) else []


def warm_up(rasa_url: str, token: str) -> tuple[float, list[dict]]:
    """Greet the bot once; returns the seconds it took and the replies."""
    started = time.monotonic()
    try:
        replies = send_rest_message(rasa_url, f"warmup-{uuid.uuid4().hex[:12]}", "你好", token)
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise RuntimeError(f"warm-up message failed: {exc}") from exc
    return time.monotonic() - started, replies
