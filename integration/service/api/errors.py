"""One table from domain errors to HTTP statuses; every error response is JSON."""

from __future__ import annotations

import logging

from sanic import Request
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse, json

from integration.service.domain import errors as d

log = logging.getLogger(__name__)

STATUS: list[tuple[type[d.DomainError], int]] = [
    (d.NotFound, 404),
    (d.ValidationFailed, 422),
    (d.InvalidTransition, 409),
    (d.HandoffConflict, 409),
    (d.SlotTaken, 409),
    (d.SlotUnavailable, 422),
    (d.IdempotencyConflict, 422),
    (d.DuplicateRequest, 409),
    (d.LoginFailed, 401),
    (d.LoginLocked, 429),
    (d.Forbidden, 403),
]

SANIC_MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "缺少或无效的访问令牌"),
    403: ("forbidden", "无权执行该操作"),
    404: ("not_found", "接口不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
}


class ApiError(SanicException):
    """An HTTP-level error raised by the API layer itself (auth, body parsing)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, status_code=status)
        self.code = code


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    err: dict[str, object] = {"code": code, "message": message}
    if field:
        err["field"] = field
    return {"error": err}


def domain_error(request: Request, exc: Exception) -> HTTPResponse:
    assert isinstance(exc, d.DomainError)
    status = next((s for cls, s in STATUS if isinstance(exc, cls)), 400)
    if isinstance(exc, d.UploadRefused):
        status = 413 if exc.code == "file_too_large" else 415
    return json(error_body(exc.code, exc.message, exc.field), status=status)


def sanic_error(request: Request, exc: Exception) -> HTTPResponse:
    assert isinstance(exc, SanicException)
    status = exc.status_code
    if isinstance(exc, ApiError):
        return json(error_body(exc.code, str(exc)), status=status)
    if status >= 500:
        log.error("server error on %s %s", request.method, request.path, exc_info=exc)
        return json(error_body("internal_error", "服务器内部错误，请稍后再试"), status=status)
    code, message = SANIC_MESSAGES.get(status, ("bad_request", "请求无法处理"))
    return json(error_body(code, message), status=status)


def unexpected_error(request: Request, exc: Exception) -> HTTPResponse:
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return json(error_body("internal_error", "服务器内部错误，请稍后再试"), status=500)
