"""In-memory stand-ins for Rasa's HTTP API and the case service's hand-off API."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from web.rasa_admin import RasaAdminUnavailable
from web.staff_cases import StaffApiError

STAFF_TOKEN = "staff-token-0123456789"


@dataclass
class FakeRasaAdmin:
    """Trackers as event lists; ``pause``/``resume`` set ``paused`` as Rasa does."""

    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    down: bool = False

    def _check(self) -> None:
        if self.down:
            raise RasaAdminUnavailable("fake outage")

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        self._check()
        events = self.events.get(conversation_id, [])
        paused = False
        for event in events:
            paused = {"pause": True, "resume": False}.get(event["event"], paused)
        return {"sender_id": conversation_id, "events": events, "paused": paused}

    async def append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        self._check()
        stamped = [{"timestamp": time.time(), **e} for e in events]
        self.events.setdefault(conversation_id, []).extend(stamped)

    async def pause(self, conversation_id: str) -> None:
        await self.append(conversation_id, [{"event": "pause"}])

    async def resume(self, conversation_id: str) -> None:
        await self.append(conversation_id, [{"event": "resume"}])

    async def say_as_staff(self, conversation_id: str, text: str, staff: str) -> None:
        await self.append(conversation_id, [{"event": "bot", "text": text, "metadata": {"staff": staff}}])


class TrackedDialogue:
    """A scripted bot seen through a tracker, as Rasa keeps it: every turn lands in the fake
    tracker with the options offered, and a paused conversation gets no answer."""

    def __init__(self, inner: Any, rasa: FakeRasaAdmin) -> None:
        self.inner, self.rasa = inner, rasa

    async def respond(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        await self.rasa.append(conversation_id, [{"event": "user", "text": text}])
        if (await self.rasa.tracker(conversation_id))["paused"]:
            return []
        replies = await self.inner.respond(conversation_id, text, metadata)
        for reply in replies:
            buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
            event = {"event": "bot", "text": reply.text, "data": {"buttons": buttons}}
            await self.rasa.append(conversation_id, [event])
        return replies


@dataclass
class FakeStaffCases:
    """Hand-offs keyed by id; one staff token named ``console``; claim has exactly one winner."""

    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # archived call records
    reported: list[tuple[str, str]] = field(default_factory=list)  # refusals the web service reported

    def add(self, handoff_id: int, conversation_id: str, channel: str = "web", urgent: bool = False) -> None:
        self.items[handoff_id] = {
            "id": handoff_id,
            "status": "open",
            "urgent": urgent,
            "reason_code": "requested",
            "reason_name": "群众要求转人工",
            "reason": "群众要求转人工",
            "conversation_id": conversation_id,
            "channel": channel,
            "category": None,
            "category_name": None,
            "collected": {},
            "transcript": [{"speaker": "citizen", "text": "转人工"}],
            "claimed_by": None,
        }

    def _auth(self, token: str) -> None:
        if token not in self.tokens:
            raise StaffApiError(401, "unauthorized", "需要工作人员令牌")

    def _get(self, handoff_id: int) -> dict[str, Any]:
        if handoff_id not in self.items:
            raise StaffApiError(404, "not_found", "转人工请求不存在")
        return self.items[handoff_id]

    async def list_handoffs(
        self, token: str, status: str, filters: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        self._auth(token)
        return [h for h in self.items.values() if h["status"] == status]

    async def handoff(self, token: str, handoff_id: int) -> dict[str, Any]:
        self._auth(token)
        return dict(self._get(handoff_id))

    tokens: dict[str, str] = field(default_factory=lambda: {STAFF_TOKEN: "staff:console"})

    async def whoami(self, token: str) -> str:
        self._auth(token)
        return self.tokens[token]

    async def me(self, token: str) -> dict[str, Any]:
        self._auth(token)
        actor = self.tokens[token]
        name = actor.removeprefix("staff:")
        return {"actor": actor, "name": name, "display_name": name}

    async def report(self, token: str, action: str, path: str) -> None:
        self.reported.append((action, path))

    async def conversation(self, token: str, conversation_id: str) -> dict[str, Any] | None:
        self._auth(token)
        return self.records.get(conversation_id)

    async def claim(self, token: str, handoff_id: int) -> dict[str, Any]:
        self._auth(token)
        handoff = self._get(handoff_id)
        if handoff["status"] != "open":
            raise StaffApiError(409, "already_claimed", "该请求已被其他工作人员接管")
        handoff.update(status="claimed", claimed_by=self.tokens[token])
        return dict(handoff)

    async def close(self, token: str, handoff_id: int, note: str | None) -> dict[str, Any]:
        self._auth(token)
        handoff = self._get(handoff_id)
        handoff.update(status="closed", close_note=note)
        return dict(handoff)
