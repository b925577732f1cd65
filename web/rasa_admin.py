"""Rasa's HTTP API, for what a person taking over needs: read, pause, speak as staff, resume.

Rasa's own hand-off mechanism: while a ``pause`` event is on the tracker the bot records the
citizen's messages but answers none; staff messages are ``bot`` events with ``metadata.staff`` so
the transcript stays one piece; ``resume`` gives the conversation back to the bot.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

import httpx
import jwt


class RasaAdminUnavailable(RuntimeError):
    """Rasa's HTTP API failed or is not enabled with the configured token."""


class Turn(TypedDict, total=False):
    speaker: str  # citizen | bot | staff
    text: str
    at: float  # Unix seconds
    staff: str | None
    confidence: float | None  # a call's speech recognition, 0–1
    low_confidence: bool  # below WEB_ASR_LOW_CONFIDENCE: staff should not trust the words


JWT_TTL_S = 60


def api_token(secret: str, now: float) -> str:
    """A short-lived admin JWT for Rasa's HTTP API (``rasa run --jwt-secret``, HS256): sent as
    ``Authorization: Bearer …``, so no secret ever appears in a URL or an access log."""
    issued = int(now)
    claims = {"user": {"username": "web", "role": "admin"}, "iat": issued, "exp": issued + JWT_TTL_S}
    return jwt.encode(claims, secret, algorithm="HS256")


class RasaAdmin:
    """One shared ``httpx.AsyncClient``, closed by ``aclose`` at server stop."""

    def __init__(
        self, base_url: str, jwt_secret: str, timeout_s: float = 10.0, client: httpx.AsyncClient | None = None
    ) -> None:
        self._base = base_url.rstrip("/")
        self._secret = jwt_secret
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    async def _call(self, method: str, path: str, json: Any = None) -> Any:
        if not self._secret:
            raise RasaAdminUnavailable("RASA_JWT_SECRET is not set: Rasa's HTTP API is not reachable")
        headers = {"Authorization": f"Bearer {api_token(self._secret, time.time())}"}
        try:
            response = await self._client.request(method, self._base + path, headers=headers, json=json)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaAdminUnavailable(f"Rasa HTTP API {path}: {exc.__class__.__name__}") from exc

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        data = await self._call("GET", f"/conversations/{conversation_id}/tracker")
        if not isinstance(data, dict):
            raise RasaAdminUnavailable("tracker is not an object")
        return data

    async def append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        await self._call("POST", f"/conversations/{conversation_id}/tracker/events", json=events)

    async def pause(self, conversation_id: str) -> None:
        await self.append(conversation_id, [{"event": "pause"}])

    async def resume(self, conversation_id: str) -> None:
        await self.append(conversation_id, [{"event": "resume"}])

    async def say_as_staff(self, conversation_id: str, text: str, staff: str) -> None:
        await self.append(conversation_id, [{"event": "bot", "text": text, "metadata": {"staff": staff}}])

    async def aclose(self) -> None:
        await self._client.aclose()


def transcript(tracker: dict[str, Any]) -> list[Turn]:
    """Citizen, bot and staff turns of a tracker, in order (internal events left out)."""
    turns: list[Turn] = []
    for event in tracker.get("events") or []:
        kind, text = event.get("event"), event.get("text")
        if kind not in ("user", "bot") or not text:
            continue
        staff = (event.get("metadata") or {}).get("staff") if kind == "bot" else None
        speaker = "citizen" if kind == "user" else ("staff" if staff else "bot")
        turns.append(
            {"speaker": speaker, "text": str(text), "at": float(event.get("timestamp") or 0), "staff": staff}
        )
    return turns
