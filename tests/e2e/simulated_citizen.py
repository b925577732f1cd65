"""A scripted citizen who answers only what the bot asks, as a real person would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.e2e.chat import Citizen

MAX_TURNS = 20
# What the bot's questions contain → the persona's answer (first match wins; order matters:
# the consent text mentions 身份证号 and the read-back mentions every field).
QUESTIONS: list[tuple[tuple[str, ...], str, str]] = [
    (("核对",), "confirm", "对，没问题"),
    (("您同意吗",), "consent", "同意"),
    (("属于哪一类",), "category", "/dispute_other"),
    (("描述", "多说一点"), "description", "发生了纠纷，想请中心调解"),
    (("对方",), "respondent", "不知道"),
    (("发生在哪里",), "location", "城关镇"),
    (("多少钱", "金额"), "amount", "没有"),
    (("身份证",), "id_number", "跳过"),
    (("姓名", "称呼"), "name", "张三"),
    (("手机",), "phone", "13800138000"),
]


@dataclass
class Outcome:
    """How one scripted conversation ended."""

    persona: str
    reply: str = ""
    turns: int = 0
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)


def take(persona: dict[str, Any], key: str, default: str) -> str:
    """The persona's answer; a list gives its answers one by one (e.g. a wrong phone, then a right one)."""
    value = persona.get(key, default)
    if isinstance(value, list):
        return str(value.pop(0) if len(value) > 1 else value[0])
    return str(value)


def answer_for(reply: str, persona: dict[str, Any]) -> str | None:
    """What this citizen says next, given the bot's last reply (None: the conversation is over)."""
    if any(end in reply for end in ("案件编号是", "受理回执号", "改正")):
        return None  # registered, queued, or the bot asks what to correct (the test goes on by hand)
    for markers, key, default in QUESTIONS:
        if any(marker in reply for marker in markers):
            return take(persona, key, default)
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
