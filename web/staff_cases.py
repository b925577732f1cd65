"""The case service's hand-off API as the staff console uses it, with the staff member's own token.

The web service holds no staff credentials: every call carries the token the person typed into
the console, so the case service decides who is staff and records who claimed what.
"""

from __future__ import annotations

from typing import Any

import httpx


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

    async def _call(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
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
        data = await self._call(token, "GET", "/api/staff/me")
        return str(data.get("actor", ""))

    async def list_handoffs(self, token: str, status: str) -> list[dict[str, Any]]:
        data = await self._call(token, "GET", "/api/handoffs", params={"status": status})
        items: list[dict[str, Any]] = data.get("items", [])
        return items

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
