"""From the page to the bot and back: what is typed vs clicked, and what the page may show.

Kept apart from HTTP so that the staff takeover (coming) can sit here: while a person has taken
a conversation over, messages go to the staff console instead of the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypedDict

from voice.dialogue.base import BotReply, DialogueEngine

# Button payloads look like "/affirm" or '/choose_category{"category": "labour"}'.
_PAYLOAD_RE = re.compile(r"^/[a-z_]{1,64}(\{.{0,300}\})?$", re.S)


class InvalidMessage(ValueError):
    """The page sent something that is not a message; ``code`` names the error for the citizen."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PageButton(TypedDict):
    title: str
    payload: str


class PageMessage(TypedDict):
    text: str
    buttons: list[PageButton]


@dataclass(frozen=True)
class Outgoing:
    text: str  # what Rasa receives
    shown: str  # what the transcript on the page shows


def outgoing(body: Any, max_chars: int) -> Outgoing:
    """Validate one request body: ``{"text": …}`` typed, or ``{"payload": …, "title": …}`` clicked."""
    if not isinstance(body, dict):
        raise InvalidMessage("bad_request")
    if "payload" in body:
        payload, title = body.get("payload"), body.get("title", "")
        if not isinstance(payload, str) or not _PAYLOAD_RE.match(payload) or not isinstance(title, str):
            raise InvalidMessage("bad_request")
        return Outgoing(payload, title[:100])
    text = body.get("text")
    if not isinstance(text, str):
        raise InvalidMessage("bad_request")
    text = text.replace("\x00", "").strip()
    if not text:
        raise InvalidMessage("empty_message")
    if len(text) > max_chars:
        raise InvalidMessage("too_long")
    # Typed text is never a command: Rasa would read "/restart" or '/inform{…}' as an intent.
    if text.startswith("/"):
        text = "／" + text[1:]
    return Outgoing(text, text)


def for_page(replies: list[BotReply]) -> list[PageMessage]:
    """The bot's replies as the page shows them; voice hints (``custom.voice``) are for phones only."""
    return [
        {"text": r.text, "buttons": [{"title": b.title, "payload": b.payload} for b in r.buttons]}
        for r in replies
        if r.text or r.buttons
    ]


async def relay(dialogue: DialogueEngine, conversation_id: str, message: Outgoing) -> list[PageMessage]:
    """Send one message to the bot (``DialogueUnavailable`` propagates) and shape the answer."""
    replies = await dialogue.respond(conversation_id, message.text, {"channel": "web"})
    return for_page(replies)
