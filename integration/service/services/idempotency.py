"""Run a write at most once per (caller, Idempotency-Key); replays return the stored response."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.errors import (
    DuplicateRequest,
    IdempotencyConflict,
    ValidationFailed,
)
from integration.service.services.context import ServiceContext

MAX_KEY = 200
Operation = Callable[[UnitOfWork], tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Result:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def fingerprint(payload: object) -> str:
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ValidationFailed("invalid_idempotency_key", "请求编号（Idempotency-Key）格式不正确",
                               field="Idempotency-Key")
    return key


def run_idempotent(ctx: ServiceContext, actor: str, key: str | None, payload: object,
                   operation: Operation) -> Result:
    """Claim the key, run `operation`, store its response, all in one transaction."""
    if key is None:
        with ctx.uow() as uow:
            status, body = operation(uow)
            uow.commit()
            return Result(status, body)
    key = check_key(key)
    digest = fingerprint(payload)
    for _ in range(3):  # a lost race on the key is answered by re-reading the winner's result
        try:
            return _attempt(ctx, actor, key, digest, operation)
        except DuplicateRequest:
            continue
    raise DuplicateRequest()


def _attempt(ctx: ServiceContext, actor: str, key: str, digest: str,
             operation: Operation) -> Result:
    with ctx.uow() as uow:
        existing = uow.repo.idempotency_record(actor, key)
        if existing is not None:
            if existing.fingerprint != digest:
                raise IdempotencyConflict()
            if existing.status_code is None or existing.response is None:
                raise DuplicateRequest()
            return Result(existing.status_code, existing.response, replayed=True)
        record = orm.IdempotencyRecord(actor=actor, key=key, fingerprint=digest,
                                       created_at=ctx.clock())
        uow.repo.claim_idempotency(record)
        status, body = operation(uow)
        record.status_code, record.response = status, body
        uow.commit()
        return Result(status, body)
