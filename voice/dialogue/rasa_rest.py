"""DialogueEngine over Rasa's REST channel (``POST /webhooks/rest/webhook``)."""

from __future__ import annotations

from typing import Any

import httpx

from voice.dialogue.base import BotReply, Button, DialogueUnavailable


class RasaRestDialogue:
    """One shared ``httpx.AsyncClient``; closed by ``aclose`` at server shutdown."""

    def __init__(
        self, base_url: str, timeout_s: float = 8.0, client: httpx.AsyncClient | None = None
    ) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self._client.post(self._url, json=body)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DialogueUnavailable(f"Rasa REST channel failed: {exc.__class__.__name__}") from exc
        if not isinstance(data, list):
            raise DialogueUnavailable("Rasa REST channel did not return a list")
        return [parse_reply(item) for item in data if isinstance(item, dict)]

    async def aclose(self) -> None:
        await self._client.aclose()


def parse_reply(item: dict[str, Any]) -> BotReply:
    """One REST channel message → BotReply (images and attachments are not spoken)."""
    buttons = tuple(
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in item.get("buttons") or []
        if isinstance(b, dict)
    )
    custom = item.get("custom")
    return BotReply(
        text=str(item.get("text") or ""), buttons=buttons, custom=custom if isinstance(custom, dict) else {}
    )
