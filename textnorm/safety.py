"""A deterministic backstop for messages that signal immediate danger.

The intent classifier recognises most of them; these high-precision patterns make sure the
emergency path is taken even when it does not (threats, violence in progress, self-harm,
a brewing group incident). A false alarm costs a hand-off; a miss can cost a life.
"""

from __future__ import annotations

import re

from textnorm._numerals import to_halfwidth

_DANGER_RE = re.compile(
    "|".join(
        [
            r"(杀|砍|捅|弄|打)死(他|她|你|我|人|全家)",
            r"杀了(他|她|你|我|人)",
            r"同归于尽",
            r"不想活|活不下去|想(去)?死|自杀|轻生|跳楼|跳河|割腕|喝(了)?农药|吃(了)?安眠药",
            r"(正在|又在|还在|现在)(打|砍|掐|踢)我",
            r"拿(着)?刀|提着刀|持刀|拿着斧头",
            r"放火|烧(了|死)(他|她|你)|炸(了|掉)(他|她|你)",
            r"(明天|马上|一起|集体|几十个人|上百人).{0,8}(堵|围)(政府|大门|路|厂)",
            r"救命",
        ]
    )
)


def signals_danger(text: str) -> bool:
    """True when the message matches an immediate-danger pattern."""
    return bool(_DANGER_RE.search(to_halfwidth(text)))
