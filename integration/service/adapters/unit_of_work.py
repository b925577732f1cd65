"""Unit of work: owns one session and its transaction; nothing is committed unless asked."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from integration.service.adapters.repository import Repository


class UnitOfWork:
    repo: Repository

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.repo = Repository(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()  # no-op after commit; discards anything half-written
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()


def uow_factory(engine: Engine) -> Callable[[], UnitOfWork]:
    sessions = sessionmaker(engine, expire_on_commit=False)
    return lambda: UnitOfWork(sessions)
