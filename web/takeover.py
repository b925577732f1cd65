"""Live takeover of a web conversation: a staff member claims it, talks, and gives it back.

The case service decides who may claim (its hand-off API, with the staff member's own token);
Rasa's tracker holds the conversation (``pause`` while a person talks, staff lines as ``bot``
events with ``metadata.staff``, ``resume`` after); the hub carries lines to open pages at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from integration.client.logsafe import short_id
from web.hub import Hub, citizen_channel, staff_channel
from web.messages import PASSED_NOTICE, RELEASED_NOTICE, TAKEOVER_NOTICE
from web.rasa_admin import RasaAdmin, Turn, transcript
from web.staff_cases import StaffApiError, StaffCases

log = logging.getLogger(__name__)
LIVE_CHANNELS = ("web",)  # phone hand-offs are transfers or callbacks, not chats


LOW_CONFIDENCE = 0.6  # WEB_ASR_LOW_CONFIDENCE: below it a recognised line is marked for staff


def _unix(value: object) -> float:
    """A record's ISO time as Unix seconds (0 when absent): the console shows it in local time."""
    if not isinstance(value, str):
        return 0.0
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return 0.0


def call_turns(events: list[dict[str, Any]], low_confidence: float = LOW_CONFIDENCE) -> list[Turn]:
    """A call record's events as transcript turns: what the caller said (with the recogniser's
    confidence, since staff must know how sure it was, and a mark when it is low), the keys
    pressed and the bot's replies."""
    turns: list[Turn] = []
    for event in events:
        kind, at = event.get("kind"), _unix(event.get("at"))
        confidence = event.get("confidence") if kind == "caller" else None
        score = float(confidence) if isinstance(confidence, float | int) else None
        if kind == "caller" and event.get("text"):
            suffix = f"（识别置信度 {score:.2f}）" if score is not None else ""
            text = f"{event['text']}{suffix}"
        elif kind == "dtmf":
            text = f"按键 {event.get('digits', '')}"
        elif kind == "bot" and event.get("text"):
            text = str(event["text"])
        else:
            continue
        speaker = "bot" if kind == "bot" else "citizen"
        turn: Turn = {"speaker": speaker, "text": text, "at": at, "staff": None}
        if score is not None:
            turn["confidence"] = score
            turn["low_confidence"] = score < low_confidence
        turns.append(turn)
    return turns


def staff_name(claimed_by: str | None) -> str:
    """``staff:console`` → ``console`` (the name in CENTER_STAFF_TOKENS)."""
    return (claimed_by or "").removeprefix("staff:") or "工作人员"


@dataclass
class Takeovers:
    rasa: RasaAdmin
    cases: StaffCases
    hub: Hub
    low_confidence: float = LOW_CONFIDENCE
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
            turns = call_turns(record["turns"], self.low_confidence) if record else []
        return {**handoff, "live": live, "turns": turns}

    async def claim(self, token: str, handoff_id: int) -> dict[str, Any]:
        """Claim in the case service (one winner), then pause the bot and tell the citizen."""
        handoff = await self.cases.claim(token, handoff_id)
        conversation = handoff.get("conversation_id")
        if handoff.get("channel") in LIVE_CHANNELS and conversation:
            name = await self._display_name(token, handoff.get("claimed_by"))
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
        conversation = handoff["conversation_id"]
        name = self.active.get(conversation) or await self._display_name(token, handoff.get("claimed_by"))
        await self.rasa.say_as_staff(conversation, text, name)
        self.active[conversation] = name
        self._tell(conversation, {"type": "staff", "text": text, "staff": name})

    async def pass_on(self, token: str, handoff_id: int, to: str, note: str | None) -> dict[str, Any]:
        """A claimed conversation to a colleague: the case service records who holds it now; a
        live web conversation's citizen is told who took over."""
        handoff = await self.cases.pass_on(token, handoff_id, to, note)
        conversation = handoff.get("conversation_id")
        if handoff.get("channel") in LIVE_CHANNELS and conversation:
            name = str(handoff.get("claimed_by_name") or staff_name(handoff.get("claimed_by")))
            notice = PASSED_NOTICE.format(staff=name)
            await self.rasa.say_as_staff(conversation, notice, name)
            self.active[conversation] = name
            self._tell(conversation, {"type": "passed", "text": notice, "staff": name})
            log.info("%s passed on (hand-off %d)", short_id(conversation), handoff_id)
        return handoff

    async def _display_name(self, token: str, claimed_by: object) -> str:
        """The name the citizen sees: the account's display name when the claim is the caller's."""
        me = await self.cases.me(token)
        if me.get("actor") == claimed_by and me.get("display_name"):
            return str(me["display_name"])
        return staff_name(claimed_by if isinstance(claimed_by, str) else None)

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
