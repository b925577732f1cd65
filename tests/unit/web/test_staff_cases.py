"""The staff console's client of the case service: its error format and outages."""

from __future__ import annotations

import httpx
import pytest

from web.staff_cases import StaffApiError, StaffCases


def _cases(handler: httpx.MockTransport) -> StaffCases:
    return StaffCases("http://cases.test", client=httpx.AsyncClient(transport=handler))


async def test_the_case_services_errors_reach_the_console_with_their_chinese_message() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer t"
        return httpx.Response(
            409, json={"error": {"code": "conflict", "message": "该请求已被其他工作人员接管"}}
        )

    with pytest.raises(StaffApiError) as refused:
        await _cases(httpx.MockTransport(refuse)).claim("t", 3)
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        409,
        "conflict",
        "该请求已被其他工作人员接管",
    )


async def test_an_unreachable_or_broken_case_service_is_a_503() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    for handler in (down, html):
        with pytest.raises(StaffApiError) as failed:
            await _cases(httpx.MockTransport(handler)).list_handoffs("t", "open")
        assert failed.value.status == 503 and failed.value.code == "case_service_unavailable"


async def test_listing_passes_the_status() -> None:
    def listing(request: httpx.Request) -> httpx.Response:
        assert request.url.params["status"] == "claimed"
        return httpx.Response(200, json={"items": [{"id": 1}]})

    assert await _cases(httpx.MockTransport(listing)).list_handoffs("t", "claimed") == [{"id": 1}]
