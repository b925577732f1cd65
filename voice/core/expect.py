"""What the caller is expected to say next, from the bot's question: a name or a story.

Numbers have their own detection (``numbers.expected_slot``). A ``custom.voice.expect`` hint of
``name`` or ``narrative`` wins; otherwise the bot's wording (bot/domain/responses.yml) decides.
Questions with buttons are never open questions (the read-back lists 姓名 but asks yes/no).
"""

from __future__ import annotations

import re
from typing import Literal

from voice.dialogue.base import BotReply

Expected = Literal["name", "narrative"]

_NAME_RE = re.compile(
    r"怎么称呼|告诉我您的姓名|说您的姓名|只告诉我姓名|您的姓名是|没有听清您的姓名|登记需要一个称呼"
)
_NARRATIVE_RE = re.compile(
    r"描述一下纠纷|说说发生了什么|纠纷的经过|说个大概|请问有什么可以帮您|再多说一点|详细说说|具体说说"
)


def expected_input(reply: BotReply) -> Expected | None:
    hint = reply.custom.get("voice")
    if isinstance(hint, dict) and hint.get("expect") in ("name", "narrative"):
        return "name" if hint["expect"] == "name" else "narrative"
    if reply.buttons or not reply.text:
        return None
    if _NAME_RE.search(reply.text):
        return "name"
    if _NARRATIVE_RE.search(reply.text):
        return "narrative"
    return None
