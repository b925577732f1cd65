"""Staff roles and what each may do. One table, read by the API layer before every staff action.

Machine clients keep their tokens: the bot's token is the ``bot`` principal, each token in
CENTER_STAFF_TOKENS a ``service`` account with the supervisor's permissions (what a staff token
could do before accounts existed), so integrations keep working unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLERK = "clerk"  # 受理员: the hand-off queue, intake, routing
    MEDIATOR = "mediator"  # 调解员: the cases of their own institution
    SUPERVISOR = "supervisor"  # 主管: everything on cases, statistics, exports with personal data
    ADMIN = "admin"  # 管理员: accounts, mediator profiles, statistics without personal data


ROLE_NAMES: dict[Role, str] = {
    Role.CLERK: "受理员",
    Role.MEDIATOR: "调解员",
    Role.SUPERVISOR: "主管",
    Role.ADMIN: "管理员",
}

_ALL_CASE_ROLES = frozenset({Role.CLERK, Role.MEDIATOR, Role.SUPERVISOR})
PERMISSIONS: dict[str, frozenset[Role]] = {
    "queue": frozenset({Role.CLERK, Role.SUPERVISOR}),  # hand-offs: list, claim, pass, tag, close
    "cases.read": _ALL_CASE_ROLES,  # a mediator only within their institution
    "cases.write": _ALL_CASE_ROLES,  # transitions, contact, notes, follow-up (same scope)
    "cases.create": frozenset({Role.CLERK, Role.SUPERVISOR}),  # from a hand-off
    "cases.reroute": frozenset({Role.CLERK, Role.SUPERVISOR}),
    "stats": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "export": frozenset({Role.SUPERVISOR, Role.ADMIN}),  # statistics, cases without personal data
    "export.personal": frozenset({Role.SUPERVISOR}),  # cases with names and phones, transcripts
    "mediators.manage": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "accounts": frozenset({Role.ADMIN}),
}

PERMISSION_NAMES: dict[str, str] = {
    "queue": "处理转人工会话",
    "cases.read": "查看案件",
    "cases.write": "办理案件",
    "cases.create": "登记案件",
    "cases.reroute": "改派案件",
    "stats": "查看统计",
    "export": "导出统计",
    "export.personal": "导出含个人信息的数据",
    "mediators.manage": "维护调解员信息",
    "accounts": "管理账号",
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``actor`` is what audit entries record (``bot``, ``staff:<name>``)."""

    actor: str
    kind: str  # bot | token | session
    role: Role | None = None
    institution: str | None = None  # a mediator's institution code
    account_id: int | None = None
    display_name: str = ""

    @property
    def is_staff(self) -> bool:
        return self.kind != "bot"

    @property
    def username(self) -> str:
        return self.actor.removeprefix("staff:")

    def may(self, permission: str) -> bool:
        return self.role is not None and self.role in PERMISSIONS[permission]

    def sees_institution(self, code: str | None) -> bool:
        """A mediator sees the cases of their own institution; other case roles see every case."""
        if self.role is Role.MEDIATOR:
            return code is not None and code == self.institution
        return True

    def permissions(self) -> list[str]:
        return [p for p in PERMISSIONS if self.may(p)]


BOT = Principal(actor="bot", kind="bot")


def service_principal(name: str) -> Principal:
    """A machine client's staff token (CENTER_STAFF_TOKENS)."""
    return Principal(actor=f"staff:{name}", kind="token", role=Role.SUPERVISOR, display_name=name)
