"""Citizens' evidence from the chat page (a photo of an IOU, an accident report) to the case
service, which checks the content and keeps the file with the conversation and later its case.

The page sends the file as the request body with its ticket; this service only limits the size
and the rate and passes it on with the intake token (CENTER_API_TOKEN). Nothing is stored here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable
from typing import Any, cast
from urllib.parse import quote

import httpx
from sanic import Request

from integration.client.logsafe import short_id

log = logging.getLogger(__name__)
ACCEPTED = ("image/jpeg", "image/png", "image/webp", "application/pdf")


class EvidenceRefused(Exception):
    """A refusal with the Chinese sentence for the citizen and the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code, self.message = status, code, message


UNAVAILABLE = EvidenceRefused(
    503, "upload_unavailable", "暂时无法接收文件，请稍后再试，或办理时携带原件到现场。"
)


def too_large(limit: int) -> EvidenceRefused:
    return EvidenceRefused(
        413, "file_too_large", f"文件太大了（最大 {limit // (1024 * 1024)} MB），请压缩后再上传。"
    )


DRAIN_FACTOR = 4  # a body up to this many times the limit is read and dropped before the refusal


async def read_capped(request: Request, limit: int) -> bytes:
    """The body of a ``stream=True`` route, refused when it passes ``limit`` bytes.

    A browser that is still sending when the server answers and closes sees a reset connection,
    not the answer; so a body that is too large but not absurdly so is read to its end and
    dropped, and the citizen gets the Chinese reason. Past DRAIN_FACTOR × limit the connection
    is simply cut."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit * DRAIN_FACTOR:
        raise too_large(limit)
    request.stream.request_max_size = limit * DRAIN_FACTOR  # type: ignore[union-attr]  # not the app's 64 KiB
    chunks: list[bytes] = []
    size = 0
    async for chunk in cast(AsyncIterable[bytes], request.stream):
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
    if size > limit:
        raise too_large(limit)
    return b"".join(chunks)


class EvidenceClient:
    def __init__(
        self, base_url: str, token: str, timeout_s: float = 30.0, client: httpx.AsyncClient | None = None
    ) -> None:
        self._base, self._token = base_url.rstrip("/"), token
        self._client = client or httpx.AsyncClient(timeout=timeout_s)

    async def upload(
        self, conversation_id: str, filename: str, media_type: str, content: bytes
    ) -> dict[str, Any]:
        if not self._token:
            raise UNAVAILABLE
        if media_type.split(";")[0].strip().lower() not in ACCEPTED:
            raise EvidenceRefused(415, "unsupported_type", "只能上传 JPG、PNG、WebP 图片或 PDF 文件。")
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Content-Type": media_type,
            "X-Filename": quote(filename[:200]),
        }
        try:
            response = await self._client.post(
                f"{self._base}/api/conversations/{quote(conversation_id, safe='')}/evidence",
                headers=headers,
                content=content,
            )
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.error("evidence upload for %s failed: %s", short_id(conversation_id), type(exc).__name__)
            raise UNAVAILABLE from exc
        if response.status_code >= 500:
            raise UNAVAILABLE
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise EvidenceRefused(
                response.status_code,
                str(error.get("code", "refused")),
                str(error.get("message", "文件无法接收。")),
            )
        stored: dict[str, Any] = data
        return stored

    async def report(self, conversation_id: str, code: str) -> None:
        """A file refused here (too large, a type never accepted) into the case service's staff
        audit log, like the refusals the case service decides itself. Best effort: the citizen's
        answer does not wait on it failing."""
        if not self._token:
            return
        try:
            await self._client.post(
                f"{self._base}/api/staff/audit", headers={"Authorization": f"Bearer {self._token}"},
                json={"action": "upload_refused", "path": f"web:{code}:{short_id(conversation_id)}"})
        except httpx.HTTPError as exc:
            log.warning("could not audit a refused upload: %s", type(exc).__name__)

    async def aclose(self) -> None:
        await self._client.aclose()
