"""Turning the bot's replies for one turn into what is said on the line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice.core.speech_text import clean_for_speech, speak_options
from voice.dialogue.base import BotReply, Button

# The bot's hand-off wording (bot/domain/assist.yml); a ``custom.voice.action == "transfer"`` hint wins.
_TRANSFER_RE = re.compile(r"已为您转接人工|转接人工服务|紧急转给工作人员")


@dataclass(frozen=True)
class SpokenReply:
    text: str
    options: tuple[Button, ...]
    question: str  # the last sentence, for a short re-prompt after silence
    transfer: bool


def _wants_transfer(reply: BotReply) -> bool:
    hint = reply.custom.get("voice")
    if isinstance(hint, dict) and hint.get("action") == "transfer":
        return True
    return bool(_TRANSFER_RE.search(reply.text))


def compose(replies: list[BotReply]) -> SpokenReply:
    """All texts in order, then the last reply's buttons spoken as numbered options."""
    parts = [clean_for_speech(r.text) for r in replies if r.text]
    options = next((r.buttons for r in reversed(replies) if r.buttons), ())
    text = "".join(parts)
    sentences = [s for s in re.split(r"(?<=[。！？])", text) if s]
    question = sentences[-1] if sentences else ""
    spoken_options = speak_options(options)
    if spoken_options:
        question = question + spoken_options
    return SpokenReply(
        text=text + spoken_options,
        options=tuple(options),
        question=question,
        transfer=any(_wants_transfer(r) for r in replies),
    )
