"""The Alembic migration produces exactly the schema the ORM declares."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from integration.service.adapters.db import MIGRATIONS, make_engine, migrate
from integration.service.adapters.orm import Base, Case, Conversation, Handoff
from integration.service.adapters.types import UTCDateTime


def test_migrations_match_models(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)  # idempotent on an up-to-date database
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_0002_keeps_existing_handoffs(db_url: str) -> None:
    """Hand-offs stored before the packet existed get defaults and keep their case number."""
    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    now = datetime(2026, 3, 2, 2, tzinfo=UTC)
    old = sa.table("handoffs", *(sa.column(c) for c in (
        "id", "conversation_id", "case_id", "reason", "status")),
        sa.column("created_at", UTCDateTime()))
    with engine.begin() as conn:
        conn.execute(sa.insert(Case).values(
            id=1, case_no="JF-2026-000001", status="registered", category="labour",
            description="欠薪", channel="robot", created_at=now, updated_at=now, route_by=now,
            contact_by=now, close_by=now, follow_up_by=now))
        conn.execute(sa.insert(old), [
            {"id": 1, "conversation_id": "c1", "case_id": 1, "reason": "人工", "status": "open",
             "created_at": now},
            {"id": 2, "conversation_id": "c2", "case_id": None, "reason": "人工",
             "status": "open", "created_at": now}])
    migrate(engine)
    with Session(engine) as session:
        rows = [(h.id, h.case_no, h.reason_code, h.urgent, h.channel, h.collected, h.transcript,
                 h.callback_requested, h.status)
                for h in session.scalars(sa.select(Handoff).order_by(Handoff.id))]
    engine.dispose()
    assert rows == [(1, "JF-2026-000001", "requested", False, "web", {}, [], False, "open"),
                    (2, None, "requested", False, "web", {}, [], False, "open")]


def test_0003_conversations_upgrade_downgrade_upgrade(db_url: str) -> None:
    """The conversations table comes and goes with its revision; cases survive both ways."""
    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))

    def run(step: str, revision: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, step)(cfg, revision)

    def tables() -> set[str]:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())

    run("upgrade", "0002")
    assert "conversations" not in tables()
    now = datetime(2026, 3, 2, 2, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(Case).values(
            id=1, case_no="JF-2026-000001", status="registered", category="labour",
            description="欠薪", channel="phone", conversation_id="CA1", created_at=now,
            updated_at=now, route_by=now, contact_by=now, close_by=now, follow_up_by=now))
    run("upgrade", "head")
    with engine.begin() as conn:  # the turns default is the empty list
        conn.execute(sa.insert(Conversation).values(
            conversation_id="CA1", channel="phone", updated_at=now))
    with Session(engine) as session:
        row = session.scalars(sa.select(Conversation)).one()
        assert (row.conversation_id, row.turns, row.started_at, row.updated_at) == ("CA1", [], None, now)
    run("downgrade", "0002")
    assert "conversations" not in tables() and "cases" in tables()
    run("upgrade", "head")
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(Conversation)) == 0
        assert conn.scalar(sa.select(Case.conversation_id)) == "CA1"
    engine.dispose()


def test_0005_staff_desk_upgrade_downgrade_upgrade(db_url: str) -> None:
    """Accounts, sessions, the staff audit and evidence come and go with 0005; hand-offs and
    mediators recorded before it keep their rows and get empty tags and profiles."""
    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))

    def run(step: str, revision: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, step)(cfg, revision)

    def tables() -> set[str]:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())

    desk = {"staff_accounts", "staff_sessions", "staff_audit", "evidence"}
    run("upgrade", "0004")
    assert not desk & tables()
    now = datetime(2026, 3, 2, 2, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO institutions (id, code, name, kind) "
                             "VALUES (1, 'inst', '某机构', 'x')"))
        conn.execute(sa.text("INSERT INTO mediators (id, code, name, institution_id, active) "
                             "VALUES (1, 'm1', '王调解', 1, true)"))
        conn.execute(sa.text("INSERT INTO handoffs (id, conversation_id, reason, status, created_at) "
                             "VALUES (1, 'web-1', '转人工', 'open', :now)"), {"now": now})
    run("upgrade", "head")
    assert desk <= tables()
    with Session(engine) as session:
        assert session.scalars(sa.select(Handoff.tags)).one() == []
        assert session.execute(sa.text("SELECT specialties, languages FROM mediators")).one() in (
            ("[]", "[]"), ([], []))
    run("downgrade", "0004")
    assert not desk & tables() and {"handoffs", "mediators"} <= tables()
    run("upgrade", "head")
    assert desk <= tables()
    engine.dispose()
