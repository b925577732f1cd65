"""From the page to the bot and back: what is typed vs clicked, and what the page may show.

Kept apart from HTTP. A clicked option is a command to the bot (``/intent{…}``), so the page may
send only the options the bot offered in its last reply (``offered_payloads``): never ``/restart``
or an intent of its own choosing, and nothing at all while a person has the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypedDict

from voice.dialogue.base import BotReply, DialogueEngine

# Button payloads look like "/affirm" or '/choose_category{"category": "labour"}'.
_PAYLOAD_RE = re.compile(r"^/[a-z_]{1,64}(\{.{0,300}\})?$", re.S)
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")  # not encodable: Rasa could not store it
OPENING_PAYLOAD = "/greet"  # what a new page sends before the bot has said anything


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
    clicked: bool = False  # an option's payload, to be checked against what the bot offered


def outgoing(body: Any, max_chars: int) -> Outgoing:
    """Validate one request body: ``{"text": …}`` typed, or ``{"payload": …, "title": …}`` clicked."""
    if not isinstance(body, dict):
        raise InvalidMessage("bad_request")
    if "payload" in body:
        payload, title = body.get("payload"), body.get("title", "")
        if not isinstance(payload, str) or not _PAYLOAD_RE.match(payload) or not isinstance(title, str):
            raise InvalidMessage("bad_request")
        return Outgoing(payload, _LONE_SURROGATE.sub("", title)[:100], clicked=True)
    text = body.get("text")
    if not isinstance(text, str):
        raise InvalidMessage("bad_request")
    text = _LONE_SURROGATE.sub("", text).replace("\x00", "").strip()
    if not text:
        raise InvalidMessage("empty_message")
    if len(text) > max_chars:
        raise InvalidMessage("too_long")
    # Typed text is never a command: Rasa would read "/restart" or '/inform{…}' as an intent.
    if text.startswith("/"):
        text = "／" + text[1:]
    return Outgoing(text, text)


def offered_payloads(tracker: dict[str, Any]) -> set[str]:
    """The payloads of the options in the bot's last reply (its ``bot`` events after the last
    ``user`` event); ``/greet`` too while the citizen has not said anything yet."""
    offered: set[str] = set()
    events = tracker.get("events") or []
    for event in reversed(events):
        if not isinstance(event, dict):
            continue
        if event.get("event") == "user":
            return offered
        if event.get("event") == "bot":
            for button in (event.get("data") or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    offered.add(button["payload"])
    return offered | {OPENING_PAYLOAD}


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
