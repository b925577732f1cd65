"""Domain errors. Each carries a stable code and a Chinese message shown to callers."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; `code` is stable API vocabulary, `message` is user-facing Chinese text."""

    code = "domain_error"
    message = "请求无法处理"

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or type(self).message
        self.field = field
        super().__init__(self.message)


class ValidationFailed(DomainError):
    code = "invalid_input"
    message = "输入内容不符合要求"

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code


class NotFound(DomainError):
    code = "not_found"
    message = "未找到相关记录"


class CaseNotFound(NotFound):
    code = "case_not_found"
    message = "未找到该案件"


class AppointmentNotFound(NotFound):
    code = "appointment_not_found"
    message = "未找到该预约"


class InstitutionNotFound(NotFound):
    code = "institution_not_found"
    message = "未找到该调解机构"


class MediatorNotFound(NotFound):
    code = "mediator_not_found"
    message = "未找到该调解员"


class HandoffNotFound(NotFound):
    code = "handoff_not_found"
    message = "未找到该转人工请求"


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    message = "未找到该对话记录"


class HandoffConflict(DomainError):
    """The hand-off is not in a state that allows the action (HTTP 409)."""

    code = "handoff_conflict"
    message = "该转人工请求当前状态不允许该操作"


class HandoffAlreadyClaimed(HandoffConflict):
    code = "handoff_already_claimed"
    message = "该转人工请求已被其他工作人员接手"


class HandoffClosed(HandoffConflict):
    code = "handoff_closed"
    message = "该转人工请求已处理完毕"


class InvalidTransition(DomainError):
    code = "invalid_transition"
    message = "案件当前状态不允许该操作"


class SlotTaken(DomainError):
    code = "slot_taken"
    message = "该时段已被预约，请选择其他时段"


class SlotUnavailable(DomainError):
    code = "slot_unavailable"
    message = "该时段不在可预约范围内"


class IdempotencyConflict(DomainError):
    code = "idempotency_key_reused"
    message = "同一请求编号已用于不同的内容"


class DuplicateRequest(DomainError):
    """A concurrent request with the same idempotency key committed first; replay its result."""

    code = "duplicate_request"
    message = "重复提交"


class AccountNotFound(NotFound):
    code = "account_not_found"
    message = "未找到该账号"


class EvidenceNotFound(NotFound):
    code = "evidence_not_found"
    message = "未找到该材料"


class LoginFailed(DomainError):
    """Wrong user name or password, or a disabled account: one message for all (HTTP 401)."""

    code = "login_failed"
    message = "用户名或密码错误"


class LoginLocked(DomainError):
    """Too many wrong passwords in a row (HTTP 429)."""

    code = "account_locked"
    message = "登录失败次数过多，账号已暂时锁定"


class Forbidden(DomainError):
    """The caller's role may not do this, or may not see this case (HTTP 403)."""

    code = "forbidden"
    message = "您的账号无权执行该操作"


class UploadRefused(DomainError):
    """An evidence file that is too large, of a type we do not take, or not what it claims (HTTP
    413 / 415 by code)."""

    code = "upload_refused"
    message = "文件无法接收"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
