"""Live takeover of a web conversation: a staff member claims it, talks, and gives it back.

The case service decides who may claim (its hand-off API, with the staff member's own token);
Rasa's tracker holds the conversation (``pause`` while a person talks, staff lines as ``bot``
events with ``metadata.staff``, ``resume`` after); the hub carries lines to open pages at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from integration.client.logsafe import short_id
from web.hub import Hub, citizen_channel, staff_channel
from web.messages import RELEASED_NOTICE, TAKEOVER_NOTICE
from web.rasa_admin import RasaAdmin, Turn, transcript
from web.staff_cases import StaffApiError, StaffCases

log = logging.getLogger(__name__)
LIVE_CHANNELS = ("web",)  # phone hand-offs are transfers or callbacks, not chats


def call_turns(events: list[dict[str, Any]]) -> list[Turn]:
    """A call record's events as transcript turns: what the caller said (with the recogniser's
    confidence, since staff must know how sure it was), the keys pressed and the bot's replies."""
    turns: list[Turn] = []
    for event in events:
        kind, at = event.get("kind"), 0.0
        if kind == "caller" and event.get("text"):
            confidence = event.get("confidence")
            suffix = f"（识别置信度 {confidence:.2f}）" if isinstance(confidence, float | int) else ""
            text = f"{event['text']}{suffix}"
        elif kind == "dtmf":
            text = f"按键 {event.get('digits', '')}"
        elif kind == "bot" and event.get("text"):
            text = str(event["text"])
        else:
            continue
        speaker = "bot" if kind == "bot" else "citizen"
        turns.append({"speaker": speaker, "text": text, "at": at, "staff": None})
    return turns


def staff_name(claimed_by: str | None) -> str:
    """``staff:console`` → ``console`` (the name in CENTER_STAFF_TOKENS)."""
    return (claimed_by or "").removeprefix("staff:") or "工作人员"


@dataclass
class Takeovers:
    rasa: RasaAdmin
    cases: StaffCases
    hub: Hub
    # conversation id → staff name; a cache of the tracker's pause, refilled from it after a restart
    active: dict[str, str] = field(default_factory=dict)

    async def detail(self, token: str, handoff_id: int) -> dict[str, Any]:
        """The hand-off packet, plus the whole conversation: the live tracker of a web chat, or
        the archived record of a call (ASR text with confidence, keys)."""
        handoff = await self.cases.handoff(token, handoff_id)
        conversation = handoff.get("conversation_id")
        live = handoff.get("channel") in LIVE_CHANNELS
        turns: list[Turn] = []
        if conversation and live:
            turns = transcript(await self.rasa.tracker(conversation))
        elif conversation:
            record = await self.cases.conversation(token, conversation)
            turns = call_turns(record["turns"]) if record else []
        return {**handoff, "live": live, "turns": turns}

    async def claim(self, token: str, handoff_id: int) -> dict[str, Any]:
        """Claim in the case service (one winner), then pause the bot and tell the citizen."""
        handoff = await self.cases.claim(token, handoff_id)
        conversation = handoff.get("conversation_id")
        if handoff.get("channel") in LIVE_CHANNELS and conversation:
            name = staff_name(handoff.get("claimed_by"))
            notice = TAKEOVER_NOTICE.format(staff=name)
            await self.rasa.pause(conversation)
            await self.rasa.say_as_staff(conversation, notice, name)
            self.active[conversation] = name
            self._tell(conversation, {"type": "takeover", "text": notice, "staff": name})
            log.info("%s taken over by %s (hand-off %d)", short_id(conversation), name, handoff_id)
        return handoff

    async def say(self, token: str, handoff_id: int, text: str) -> None:
        """A staff line to the citizen; only in a claimed web conversation."""
        handoff = await self.cases.handoff(token, handoff_id)
        if handoff.get("channel") not in LIVE_CHANNELS:
            raise StaffApiError(409, "not_live", "")
        if handoff.get("status") != "claimed":
            raise StaffApiError(409, "not_claimed", "")
        if handoff.get("claimed_by") != await self.cases.whoami(token):
            raise StaffApiError(403, "not_yours", "")
        conversation, name = handoff["conversation_id"], staff_name(handoff.get("claimed_by"))
        await self.rasa.say_as_staff(conversation, text, name)
        self.active[conversation] = name
        self._tell(conversation, {"type": "staff", "text": text, "staff": name})

    async def release(self, token: str, handoff_id: int, note: str | None) -> dict[str, Any]:
        """Close the hand-off and give the conversation back to the bot."""
        handoff = await self.cases.close(token, handoff_id, note)
        conversation = handoff.get("conversation_id")
        if handoff.get("channel") in LIVE_CHANNELS and conversation:
            await self.rasa.resume(conversation)
            await self.rasa.append(conversation, [{"event": "bot", "text": RELEASED_NOTICE}])
            self.active.pop(conversation, None)
            self._tell(conversation, {"type": "released", "text": RELEASED_NOTICE})
            log.info("%s given back to the bot (hand-off %d)", short_id(conversation), handoff_id)
        return handoff

    async def is_live(self, conversation_id: str) -> bool:
        """Whether a person has this conversation (the cache, else the tracker after a restart)."""
        if conversation_id in self.active:
            return True
        tracker = await self.rasa.tracker(conversation_id)
        if tracker.get("paused"):
            self.active[conversation_id] = "工作人员"
            return True
        return False

    def citizen_said(self, conversation_id: str, text: str) -> None:
        """A citizen line while a person has the conversation: to the staff console at once."""
        event = {"type": "citizen", "text": text, "at": time.time()}
        self.hub.publish(staff_channel(conversation_id), event)

    def _tell(self, conversation_id: str, event: dict[str, Any]) -> None:
        event = {**event, "at": time.time()}
        self.hub.publish(citizen_channel(conversation_id), event)
        self.hub.publish(staff_channel(conversation_id), event)
