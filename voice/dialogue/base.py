"""The dialogue port: what the voice gateway needs from the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class DialogueUnavailable(RuntimeError):
    """The bot could not be reached or answered nonsense; the call must degrade gracefully."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotReply:
    text: str = ""
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] = field(default_factory=dict)


class DialogueEngine(Protocol):
    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        """Send the caller's message; return the bot's replies in order."""
        ...
