"""A scripted citizen who answers only what the bot asks, as a real person would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.e2e.chat import Citizen

MAX_TURNS = 14


@dataclass
class Outcome:
    """How one scripted conversation ended."""

    persona: str
    reply: str = ""
    turns: int = 0
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)


def answer_for(reply: str, persona: dict[str, Any]) -> str | None:
    """What this citizen says next, given the bot's last reply (None: the conversation is over)."""
    if "案件编号是" in reply or "受理回执号" in reply:
        return None
    if "核对" in reply:
        return "对，没问题"
    if "您同意吗" in reply:
        return "同意"
    if "属于哪一类" in reply:
        return str(persona.get("category", "/dispute_other"))
    if "描述" in reply or "多说一点" in reply:
        return str(persona["description"])
    if "姓名" in reply or "称呼" in reply:
        return str(persona["name"])
    if "手机" in reply:
        return str(persona["phone"])
    return None


def run_persona(citizen: Citizen, persona: dict[str, Any]) -> Outcome:
    """Play one persona to the end of the intake (or MAX_TURNS)."""
    outcome = Outcome(persona=str(persona["id"]))
    reply = citizen.say(str(persona["opening"]))
    for _ in range(MAX_TURNS):
        message = answer_for(reply, persona)
        if message is None:
            break
        reply = citizen.say(message)
        outcome.turns += 1
    outcome.reply = reply
    outcome.transcript = citizen.transcript
    return outcome
