"""DialogueEngine over Rasa's guarded REST channel (``POST /webhooks/rest/webhook``)."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from voice.dialogue.base import BotReply, Button, DialogueUnavailable

log = logging.getLogger(__name__)
DEFAULT_MAX_CHARS = 2000  # RASA_MAX_MESSAGE_CHARS: the channel refuses anything longer
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")  # not encodable as UTF-8


class RasaRestDialogue:
    """One shared ``httpx.AsyncClient``; closed by ``aclose`` at server shutdown.

    ``token`` is RASA_CHANNEL_TOKEN (the channel answers nothing without it); texts longer than
    ``max_chars`` are cut here, before Rasa, so a caller who talks for minutes is still heard."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 8.0,
        client: httpx.AsyncClient | None = None,
        *,
        token: str = "",
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._client = client or httpx.AsyncClient(timeout=timeout_s)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._max_chars = max_chars

    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        text = _LONE_SURROGATE.sub("", text)
        if len(text) > self._max_chars:
            log.info("message of %d characters cut to %d before Rasa", len(text), self._max_chars)
            text = text[: self._max_chars]
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self._client.post(self._url, json=body, headers=self._headers)
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
