"""Fixtures: SQLite and PostgreSQL databases, a migrated ServiceContext with a settable clock."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sanic import Sanic
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from integration.service.adapters.db import make_engine, migrate
from integration.service.adapters.unit_of_work import uow_factory
from integration.service.api.app import create_app
from integration.service.services.context import ServiceContext
from integration.service.services.routing import load_routing
from integration.service.services.seed import load_directory
from integration.service.settings import Settings
from tests.integration.pg import find_bin_dir, throwaway_cluster
from tests.system import missing_package

# A Monday 10:00 in Shanghai: inside working hours, far from year boundaries.
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
_db_names = itertools.count()
_app_names = itertools.count()


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        missing_package("PostgreSQL binaries not found (apt-get install -y postgresql)")
    with throwaway_cluster(bin_dir) as url:
        yield url


def _fresh_pg_database(server_url: str) -> str:
    name = f"t_{os.getpid()}_{next(_db_names)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.db'}"
    return _fresh_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url, scheduler_interval_s=0)


@pytest.fixture
def ctx(settings: Settings, clock: Clock) -> Iterator[ServiceContext]:
    engine = make_engine(settings.db_url)
    migrate(engine)
    factory = uow_factory(engine)
    with factory() as uow:
        load_directory(uow, settings.seed_file)
    yield ServiceContext(uow=factory, router=load_routing(settings.routing_file),
                         policy=settings.deadlines, tz=settings.timezone,
                         slot_length=settings.slot_length,
                         booking_horizon=timedelta(days=settings.booking_horizon_days),
                         clock=clock)
    engine.dispose()


@pytest.fixture
def app(settings: Settings, ctx: ServiceContext) -> Sanic:
    """The API over `ctx` (own clock, own database), for Sanic's ASGI test client."""
    return create_app(settings, name=f"case_api_{next(_app_names)}", service=ctx)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id, with the smallest parameters: the tests create and log into many accounts,
    and the production cost (argon2-cffi's defaults, see bench/staff_password_hash.py) is half a
    second per hash on a loaded two-core machine. Processes started by tests keep the defaults."""
    from argon2 import PasswordHasher

    from integration.service.services import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts._dummy_hash.cache_clear()
