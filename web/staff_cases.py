"""The case service's staff API as the console uses it, with the staff member's own credential.

The web service holds no staff credentials: every call carries the session token from the
person's cookie (or a machine client's token), so the case service decides who is staff, what
their role may do, and records who did what.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

# Headers of a case-service answer the console may see when the web service passes it on.
FORWARDED_HEADERS = ("content-type", "content-disposition", "content-length")


class Credential(str):
    """A session or staff token as presented, with the browser's address for the case service's
    audit log (``X-Staff-Client``); it is a ``str`` so that it goes wherever a token did."""

    client: str

    def __new__(cls, token: str, client: str = "") -> Credential:
        made = super().__new__(cls, token)
        made.client = client
        return made


@dataclass(frozen=True)
class Forwarded:
    """A case-service answer passed through as is (JSON, CSV or an evidence file)."""

    status: int
    headers: dict[str, str]
    body: bytes


class StaffApiError(Exception):
    """The case service refused or failed; ``status``/``code``/``message`` go back to the console."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


UNREACHABLE = StaffApiError(503, "case_service_unavailable", "案件系统暂时无法访问，请稍后再试。")


class StaffCases:
    def __init__(
        self, base_url: str, timeout_s: float = 10.0, client: httpx.AsyncClient | None = None
    ) -> None:
        self._base = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    @staticmethod
    def _headers(token: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = getattr(token, "client", "")
        if client:
            headers["X-Staff-Client"] = client
        return headers

    async def _call(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = self._headers(token)
        try:
            response = await self._client.request(method, self._base + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise UNREACHABLE from exc
        try:
            data = response.json()
        except ValueError as exc:
            raise UNREACHABLE from exc
        if response.status_code >= 400:
            # The case service answers {"error": {"code", "message", "field"}}.
            error = data.get("error", data) if isinstance(data, dict) else {}
            error = error if isinstance(error, dict) else {}
            raise StaffApiError(
                response.status_code, str(error.get("code", "error")), str(error.get("message", "请求失败"))
            )
        return data

    async def whoami(self, token: str) -> str:
        """The actor a staff token belongs to, e.g. ``staff:console``."""
        data = await self.me(token)
        return str(data.get("actor", ""))

    async def me(self, token: str) -> dict[str, Any]:
        """The account: actor, name, role, role_name, institution, permissions."""
        data: dict[str, Any] = await self._call(token, "GET", "/api/staff/me")
        return data

    async def login(self, username: str, password: str, client: str) -> dict[str, Any]:
        """A new session (``token``, ``expires_in``, ``account``); 401/429 as StaffApiError."""
        data: dict[str, Any] = await self._call(
            Credential("", client), "POST", "/api/staff/login",
            json={"username": username, "password": password})
        return data

    async def logout(self, token: str) -> None:
        await self._call(token, "POST", "/api/staff/logout", json={})

    async def report(self, token: str, action: str, path: str) -> None:
        """A refusal the web service decided itself, into the case service's staff audit log."""
        await self._call(token, "POST", "/api/staff/audit", json={"action": action, "path": path})

    async def list_handoffs(
        self, token: str, status: str, filters: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        params = {"status": status, **(filters or {})}
        data = await self._call(token, "GET", "/api/handoffs", params=params)
        items: list[dict[str, Any]] = data.get("items", [])
        return items

    async def pass_on(self, token: str, handoff_id: int, to: str, note: str | None) -> dict[str, Any]:
        body = {"to": to, **({"note": note} if note else {})}
        data: dict[str, Any] = await self._call(token, "POST", f"/api/handoffs/{handoff_id}/pass", json=body)
        return data

    async def forward(
        self, token: str, method: str, path: str, *, params: Any = None, content: bytes | None = None,
        content_type: str | None = None,
    ) -> Forwarded:
        """One staff-desk request passed through unchanged (the case service checks the role)."""
        headers = self._headers(token)
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = await self._client.request(
                method, self._base + path, headers=headers, params=params, content=content
            )
        except httpx.HTTPError as exc:
            raise UNREACHABLE from exc
        kept = {k: v for k, v in response.headers.items() if k.lower() in FORWARDED_HEADERS}
        return Forwarded(response.status_code, kept, response.content)

    @asynccontextmanager
    async def stream(self, token: str, path: str) -> AsyncIterator[AsyncIterator[str]]:
        """The lines of a case-service event stream (the hand-off queue's changes)."""
        try:
            async with self._client.stream(
                "GET", self._base + path, headers=self._headers(token), timeout=httpx.Timeout(10.0, read=None)
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    error = response.json().get("error", {}) if response.content else {}
                    code, message = str(error.get("code", "error")), str(error.get("message", "请求失败"))
                    raise StaffApiError(response.status_code, code, message)
                yield response.aiter_lines()
        except httpx.HTTPError as exc:
            raise UNREACHABLE from exc

    async def handoff(self, token: str, handoff_id: int) -> dict[str, Any]:
        data: dict[str, Any] = await self._call(token, "GET", f"/api/handoffs/{handoff_id}")
        return data

    async def conversation(self, token: str, conversation_id: str) -> dict[str, Any] | None:
        """A call's whole record (what the voice gateway archived), or None when there is none."""
        try:
            data: dict[str, Any] = await self._call(token, "GET", f"/api/conversations/{conversation_id}")
        except StaffApiError as exc:
            if exc.status == 404:
                return None
            raise
        return data

    async def claim(self, token: str, handoff_id: int) -> dict[str, Any]:
        data: dict[str, Any] = await self._call(token, "POST", f"/api/handoffs/{handoff_id}/claim", json={})
        return data

    async def close(self, token: str, handoff_id: int, note: str | None) -> dict[str, Any]:
        body = {"note": note} if note else {}
        data: dict[str, Any] = await self._call(token, "POST", f"/api/handoffs/{handoff_id}/close", json=body)
        return data

    async def aclose(self) -> None:
        await self._client.aclose()
