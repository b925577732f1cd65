"""A citizen talking to the real Rasa server over its REST channel."""

from __future__ import annotations

import httpx

from launcher.settings import StackSettings


class Citizen:
    """One conversation (one sender id) on the REST channel."""

    def __init__(self, stack: StackSettings, sender: str) -> None:
        self.sender = sender
        self._client = httpx.Client(base_url=stack.url(stack.rasa_port), timeout=60)
        self.transcript: list[tuple[str, list[str]]] = []
        self.buttons: list[dict[str, str]] = []

    def say(self, text: str) -> str:
        """Send one message; return the bot's replies joined, for assertions."""
        response = self._client.post("/webhooks/rest/webhook", json={"sender": self.sender, "message": text})
        response.raise_for_status()
        messages = response.json()
        replies = [m["text"] for m in messages if m.get("text")]  # custom-only messages are voice hints
        self.buttons = [b for m in messages for b in m.get("buttons") or []]
        self.transcript.append((text, replies))
        return "\n".join(replies)

    def close(self) -> None:
        self._client.close()
