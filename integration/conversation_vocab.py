"""Conversation-record vocabulary and size caps, shared by the client and the service.

Kept free of third-party imports and valid on Python 3.10: the bot and the voice gateway import it.
"""

from __future__ import annotations

import re

# Channels a whole conversation can arrive on (walk-in cases have no bot conversation).
CHANNELS: tuple[str, ...] = ("phone", "robot", "web")

# Twilio call SIDs, chat-page ids such as ``web-3f9a…`` and Rasa sender ids all fit; the id is
# also a URL path segment, so nothing here needs escaping.
CONVERSATION_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,128}")  # matched whole (fullmatch)

MAX_TURNS = 5000  # a two-hour call with a turn every 1.5 s
MAX_BODY_BYTES = 2_000_000  # the whole PUT body, UTF-8 JSON


def is_conversation_id(value: str) -> bool:
    """True when `value` is a well-formed conversation id (1-128 of A-Z a-z 0-9 _ . : -)."""
    return CONVERSATION_ID_RE.fullmatch(value) is not None
