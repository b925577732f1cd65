"""Staff accounts: creation by an administrator (the first one by a command), login with an
argon2id password hash, sessions, lock-out after repeated failures, disabling, and the staff
audit log every refusal lands in.

Why the database and not the web service: the case service already decides who is staff and
records who did what; the web service only carries the session token in a cookie.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.errors import (
    AccountNotFound,
    LoginFailed,
    LoginLocked,
    ValidationFailed,
)
from integration.service.domain.roles import ROLE_NAMES, Principal, Role
from integration.service.services.context import ServiceContext

log = logging.getLogger(__name__)
SESSION_PREFIX = "sess_"  # tells a console session apart from a machine client's token
USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
MIN_PASSWORD = 12
LAST_SEEN_EVERY = timedelta(seconds=60)  # a session's idle clock is written at most this often
_hasher = PasswordHasher()  # argon2id with the library's current (RFC 9106 low-memory) parameters


@dataclass(frozen=True)
class LoginPolicy:
    """STAFF_LOGIN_MAX_FAILURES wrong passwords in a row lock the account for STAFF_LOGIN_LOCK_MIN;
    a session ends after STAFF_SESSION_IDLE_MIN without use or STAFF_SESSION_HOURS after login."""

    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Checked against for an unknown user name, so that it costs the same time as a real one."""
    return hash_password(secrets.token_hex(16))


def check_password(password: str, hashed: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def validate_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME_RE.match(name):
        raise ValidationFailed(
            "invalid_username",
            "用户名应为3至32位小写字母、数字、点、下划线或连字符，以字母开头",
            field="username",
        )
    return name


def validate_password(password: str, username: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed("weak_password", f"密码至少需要{MIN_PASSWORD}个字符", field="password")
    if username.lower() in password.lower() or len(set(password)) < 5:
        raise ValidationFailed("weak_password", "密码过于简单，请勿包含用户名或重复字符", field="password")
    return password


def record(
    uow: UnitOfWork,
    at: datetime,
    actor: str,
    action: str,
    outcome: str = "ok",
    source: str | None = None,
    **detail: Any,
) -> None:
    """One line of the staff audit log (in the caller's transaction)."""
    uow.repo.add(
        orm.StaffAudit(
            at=at,
            actor=actor[:64],
            action=action[:32],
            outcome=outcome,
            source=(source or None) and source[:64],
            detail=detail,
        )
    )


def record_now(
    ctx: ServiceContext,
    actor: str,
    action: str,
    outcome: str = "refused",
    source: str | None = None,
    **detail: Any,
) -> None:
    """A line of its own transaction (refusals: nothing else is written)."""
    with ctx.uow() as uow:
        record(uow, ctx.clock(), actor, action, outcome, source, **detail)
        uow.commit()


def account_json(a: orm.StaffAccount, tz: Any) -> dict[str, Any]:
    role = Role(a.role)
    return {
        "id": a.id,
        "username": a.username,
        "display_name": a.display_name,
        "role": role.value,
        "role_name": ROLE_NAMES[role],
        "institution": None
        if a.institution is None
        else {"code": a.institution.code, "name": a.institution.name},
        "active": a.active,
        "locked": a.locked_until is not None,
        "created_at": a.created_at.astimezone(tz).isoformat(),
        "last_login_at": a.last_login_at.astimezone(tz).isoformat() if a.last_login_at else None,
    }


def create_account(
    ctx: ServiceContext,
    uow: UnitOfWork,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    institution: str | None,
    actor: str,
) -> dict[str, Any]:
    """A new account; a mediator needs the institution whose cases they will see."""
    name = validate_username(username)
    validate_password(password, name)
    try:
        parsed = Role(role)
    except ValueError as exc:
        raise ValidationFailed(
            "invalid_role", "角色应为 clerk、mediator、supervisor 或 admin", field="role"
        ) from exc
    inst = uow.repo.institution(institution) if institution else None
    if parsed is Role.MEDIATOR and inst is None:
        raise ValidationFailed("missing_field", "调解员账号需要指定所属机构", field="institution")
    display = display_name.strip()[:50] or name
    if (
        uow.session.scalars(select(orm.StaffAccount.id).where(orm.StaffAccount.username == name)).first()
        is not None
    ):
        raise ValidationFailed("username_taken", "该用户名已存在", field="username")
    now = ctx.clock()
    account = orm.StaffAccount(
        username=name,
        display_name=display,
        role=parsed.value,
        institution=inst,
        password_hash=hash_password(password),
        active=True,
        failed_logins=0,
        created_at=now,
        created_by=actor,
        password_changed_at=now,
    )
    uow.repo.add(account)
    uow.session.flush()
    record(uow, now, actor, "account_created", username=name, role=parsed.value)
    log.info("account %s (%s) created by %s", name, parsed.value, actor)
    return account_json(account, ctx.tz)


def _account(uow: UnitOfWork, username: str) -> orm.StaffAccount:
    account = uow.session.scalars(
        select(orm.StaffAccount).where(orm.StaffAccount.username == username)
    ).first()
    if account is None:
        raise AccountNotFound()
    return account


def list_accounts(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(select(orm.StaffAccount).order_by(orm.StaffAccount.id)).all()
        return [account_json(a, ctx.tz) for a in rows]


def queue_staff(ctx: ServiceContext) -> list[dict[str, str]]:
    """Active accounts a claimed conversation may be passed to (their role works the queue)."""
    with ctx.uow() as uow:
        rows = uow.session.scalars(
            select(orm.StaffAccount)
            .where(orm.StaffAccount.active.is_(True), orm.StaffAccount.role.in_(("clerk", "supervisor")))
            .order_by(orm.StaffAccount.username)
        ).all()
        return [{"username": a.username, "display_name": a.display_name} for a in rows]


def set_active(
    ctx: ServiceContext, uow: UnitOfWork, username: str, active: bool, actor: str
) -> dict[str, Any]:
    """Disable (every session ends at once) or enable an account; an administrator cannot
    disable themselves, so a centre is never left without one by accident."""
    account = _account(uow, username)
    now = ctx.clock()
    if not active and f"staff:{account.username}" == actor:
        raise ValidationFailed("self_disable", "不能停用自己的账号", field="username")
    account.active = active
    account.disabled_at = None if active else now
    if active:
        account.failed_logins, account.locked_until = 0, None
    else:
        _revoke_all(uow, account.id, now)
    record(uow, now, actor, "account_enabled" if active else "account_disabled", username=account.username)
    return account_json(account, ctx.tz)


def reset_password(
    ctx: ServiceContext, uow: UnitOfWork, username: str, password: str, actor: str
) -> dict[str, Any]:
    account = _account(uow, username)
    validate_password(password, account.username)
    now = ctx.clock()
    account.password_hash, account.password_changed_at = hash_password(password), now
    account.failed_logins, account.locked_until = 0, None
    _revoke_all(uow, account.id, now)
    record(uow, now, actor, "password_reset", username=account.username)
    return account_json(account, ctx.tz)


def change_own_password(
    ctx: ServiceContext, uow: UnitOfWork, account_id: int, current: str, new: str, token: str
) -> dict[str, Any]:
    """A staff member replaces their password (the one an administrator set, say); every other
    session of the account ends, this one stays."""
    account = uow.session.get(orm.StaffAccount, account_id)
    if account is None or not account.active:
        raise AccountNotFound()
    now = ctx.clock()
    if not check_password(current, account.password_hash):
        record(uow, now, f"staff:{account.username}", "password_change", "refused", cause="wrong_password")
        uow.commit()
        raise ValidationFailed("wrong_password", "当前密码不正确", field="current")
    validate_password(new, account.username)
    if new == current:
        raise ValidationFailed("weak_password", "新密码不能与当前密码相同", field="password")
    account.password_hash, account.password_changed_at = hash_password(new), now
    uow.session.execute(
        update(orm.StaffSession)
        .where(
            orm.StaffSession.account_id == account.id,
            orm.StaffSession.revoked_at.is_(None),
            orm.StaffSession.token_hash != token_hash(token),
        )
        .values(revoked_at=now)
    )
    record(uow, now, f"staff:{account.username}", "password_change", "ok")
    return account_json(account, ctx.tz)


def _revoke_all(uow: UnitOfWork, account_id: int, now: datetime) -> None:
    uow.session.execute(
        update(orm.StaffSession)
        .where(orm.StaffSession.account_id == account_id, orm.StaffSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def login(
    ctx: ServiceContext, policy: LoginPolicy, username: str, password: str, source: str | None
) -> dict[str, Any]:
    """A new session for the right password. Every failure is the same 401 for the caller
    (unknown name, wrong password, disabled), is audited with its real cause, and counts towards
    the account's lock-out."""
    name = username.strip().lower()[:32]
    with ctx.uow() as uow:
        now = ctx.clock()
        account = uow.session.scalars(
            select(orm.StaffAccount).where(orm.StaffAccount.username == name)
        ).first()
        if account is None:
            check_password(password, _dummy_hash())
            # Not the name as typed: people type their password into the wrong box.
            record(
                uow,
                now,
                "anonymous",
                "login",
                "refused",
                source,
                cause="unknown_user",
                username_sha256=token_hash(name)[:16],
            )
            uow.commit()
            raise LoginFailed()
        if account.locked_until is not None and account.locked_until > now:
            record(uow, now, f"staff:{name}", "login", "refused", source, cause="locked")
            uow.commit()
            minutes = max(1, int((account.locked_until - now).total_seconds() // 60) + 1)
            raise LoginLocked(f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试或联系管理员")
        if not check_password(password, account.password_hash) or not account.active:
            cause = "disabled" if account.active is False else "wrong_password"
            account.failed_logins += 1
            locked = account.failed_logins >= policy.max_failures > 0
            if locked:
                account.locked_until, account.failed_logins = now + policy.lock, 0
            record(uow, now, f"staff:{name}", "login", "refused", source, cause=cause, locked=locked)
            uow.commit()
            log.warning("login refused for %s (%s%s)", name, cause, ", account locked" if locked else "")
            if locked:
                raise LoginLocked(f"登录失败次数过多，账号已锁定{int(policy.lock.total_seconds() // 60)}分钟")
            raise LoginFailed()
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
        account.failed_logins, account.locked_until, account.last_login_at = 0, None, now
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        uow.repo.add(
            orm.StaffSession(
                token_hash=token_hash(token),
                account_id=account.id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + policy.lifetime,
            )
        )
        record(uow, now, f"staff:{name}", "login", "ok", source)
        uow.commit()
        log.info("%s logged in", name)
        return {
            "token": token,
            "expires_in": int(policy.lifetime.total_seconds()),
            "idle_timeout": int(policy.idle.total_seconds()),
            "account": account_json(account, ctx.tz),
        }


def session_principal(ctx: ServiceContext, policy: LoginPolicy, token: str) -> Principal | None:
    """The account behind a live session, or None (unknown, revoked, expired, idle too long,
    account disabled). Refreshes the idle clock at most once a minute."""
    with ctx.uow() as uow:
        now = ctx.clock()
        row = uow.session.scalars(
            select(orm.StaffSession).where(orm.StaffSession.token_hash == token_hash(token))
        ).first()
        if (
            row is None
            or row.revoked_at is not None
            or row.expires_at <= now
            or row.last_seen_at + policy.idle <= now
            or not row.account.active
        ):
            return None
        if now - row.last_seen_at >= LAST_SEEN_EVERY:
            row.last_seen_at = now
            uow.commit()
        account = row.account
        return Principal(
            actor=f"staff:{account.username}",
            kind="session",
            role=Role(account.role),
            institution=account.institution.code if account.institution else None,
            account_id=account.id,
            display_name=account.display_name,
        )


def logout(ctx: ServiceContext, token: str, actor: str, source: str | None) -> None:
    with ctx.uow() as uow:
        now = ctx.clock()
        uow.session.execute(
            update(orm.StaffSession)
            .where(orm.StaffSession.token_hash == token_hash(token), orm.StaffSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        record(uow, now, actor, "logout", "ok", source)
        uow.commit()


def audit_entries(ctx: ServiceContext, limit: int = 200) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(
            select(orm.StaffAudit).order_by(orm.StaffAudit.id.desc()).limit(limit)
        ).all()
        return [
            {
                "at": r.at.astimezone(ctx.tz).isoformat(),
                "actor": r.actor,
                "action": r.action,
                "outcome": r.outcome,
                "source": r.source,
                "detail": r.detail,
            }
            for r in rows
        ]
