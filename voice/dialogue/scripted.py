"""An in-memory DialogueEngine for tests: scripted answers keyed by what the caller says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voice.dialogue.base import BotReply, DialogueUnavailable

Rule = Callable[[str], list[BotReply] | None]


class ScriptedDialogue:
    """Replies from the first matching rule; records every message it was sent."""

    def __init__(
        self, rules: list[tuple[str, list[BotReply]]], fallback: list[BotReply] | None = None
    ) -> None:
        self.rules = rules  # (substring of the caller's text, replies)
        self.fallback = fallback or [BotReply(text="抱歉，我没有听懂。")]
        self.received: list[tuple[str, str, dict[str, Any]]] = []
        self.down = False

    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        self.received.append((conversation_id, text, metadata))
        if self.down:
            raise DialogueUnavailable("scripted outage")
        for needle, replies in self.rules:
            if needle in text:
                return replies
        return self.fallback
