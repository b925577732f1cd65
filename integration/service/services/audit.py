"""The case audit log: who did what to a case, when and why (also every text message)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork


def audit(uow: UnitOfWork, case: orm.Case, actor: str, action: str, at: datetime,
          reason: str | None = None, **detail: Any) -> orm.AuditEntry:
    entry = orm.AuditEntry(case_id=case.id, at=at, actor=actor, action=action, detail=detail,
                           reason=reason)
    uow.repo.add(entry)
    return entry
