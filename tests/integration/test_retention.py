"""The retention job on SQLite and PostgreSQL: only personal data of cases closed before the period,
and old records of no kept case, are purged; open and recent cases are never touched; the
statistics count every case as before; a second run changes nothing."""

from __future__ import annotations

import itertools
import json
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from integration.client.types import CaseView
from integration.service.adapters import orm
from integration.service.domain.status import Outcome
from integration.service.manage import main as manage_main
from integration.service.services import cases, desk, retention, stats
from integration.service.services.context import ServiceContext
from integration.service.services.retention import MARKER, RetentionSettings
from integration.service.services.retention_stores import file_stem
from integration.service.settings import Settings
from tests.integration.conftest import T0, Clock
from tests.integration.helpers import VALID_ID, register

DAYS = 180
_slots = itertools.count()
OLD = T0 - timedelta(days=300)  # registered then; the statistics' range starts here
LONG_AGO = T0 - timedelta(days=250)  # closed then: beyond the period
LATELY = T0 - timedelta(days=10)  # within the period
# Rasa's SQLTrackerStore table, as rasa 3.6 creates it
EVENTS = sa.Table(
    "events", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True), sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False), sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)), sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def _case(ctx: ServiceContext, clock: Clock, conversation: str, phone: str, registered: datetime,
          closed: datetime | None, followed_up: bool = False) -> str:
    clock.now = registered
    case_no = str(register(ctx, conversation_id=conversation,
                           applicant={"name": "张三", "phone": phone, "id_number": VALID_ID})["case_no"])
    with ctx.uow() as uow:
        cases.transition(ctx, uow, case_no, "route", "staff:clerk", "按类别分流")
        cases.add_note(ctx, uow, case_no, "staff:clerk", f"申请人张三电话{phone}，住幸福路8号")
        uow.repo.add(orm.Transcript(case_id=uow.repo.get_case(case_no).id, conversation_id=conversation,
                                    text=f"我叫张三，电话{phone}", updated_at=registered))
        uow.commit()
    if closed is not None:
        clock.now = closed
        with ctx.uow() as uow:
            cases.transition(ctx, uow, case_no, "close", "staff:clerk", "双方达成协议", Outcome.SETTLED)
            if followed_up:
                cases.record_follow_up(ctx, uow, case_no, "staff:clerk", "张三表示满意", True)
            uow.commit()
    return case_no


def _records(ctx: ServiceContext, conversation: str, at: datetime, case_no: str | None, *,
             handoff_status: str = "closed") -> None:
    """A conversation record, a hand-off, a text message, an appointment and a file, all at ``at``."""
    with ctx.uow() as uow:
        case = uow.repo.get_case(case_no) if case_no else None
        mediator = uow.session.scalars(select(orm.Mediator).limit(1)).one()
        uow.repo.add(orm.Conversation(conversation_id=conversation, channel="web", turns=[
            {"speaker": "citizen", "text": "我叫张三，电话13800138000"}], updated_at=at))
        uow.repo.add(orm.Handoff(conversation_id=conversation, case=case, reason="张三要求转人工",
                                 summary="张三，13800138000，欠薪", phone="13800138000",
                                 collected={"name": "张三"}, transcript=[{"text": "我叫张三"}],
                                 status=handoff_status, created_at=at, closed_at=at, close_note="已回电张三"))
        uow.repo.add(orm.Notification(event_key=f"k-{conversation}", kind="registered", case=case,
                                      phone="13800138000", body="【中心】张三您好", status="sent",
                                      next_attempt_at=at, expires_at=at, created_at=at, updated_at=at))
        start = at + timedelta(hours=next(_slots))  # one booking per mediator and slot
        uow.repo.add(orm.Appointment(ref=f"AP-{conversation}"[:32], mediator_id=mediator.id,
                                     institution_id=mediator.institution_id, case=case, start_at=start,
                                     end_at=start + timedelta(hours=1), status="booked", name="张三",
                                     phone="13800138000", created_at=at))
        uow.repo.add(orm.Evidence(ref=f"EV-{conversation}"[:32], conversation_id=conversation,
                                  case_id=case.id if case else None,
                                  filename="张三借条.jpg", media_type="image/jpeg", size=3, sha256="0" * 64,
                                  stored_name=f"{conversation}.jpg", uploaded_at=at, uploaded_by="web"))
        uow.commit()


def _snapshot(ctx: ServiceContext) -> dict[str, Any]:
    """Every row of every table the job may change, as comparable values."""
    with ctx.uow() as uow:
        return {
            table.__tablename__: sorted(
                json.dumps({c.key: getattr(row, c.key) for c in sa.inspect(table).columns}, default=str,
                           ensure_ascii=False, sort_keys=True)
                for row in uow.session.scalars(select(table)).unique()
            )
            for table in (orm.Case, orm.Party, orm.AuditEntry, orm.Transcript, orm.Handoff, orm.Conversation,
                          orm.Notification, orm.Appointment, orm.Evidence, orm.IdempotencyRecord)
        }


@pytest.fixture
def tracker_url(db_url: str, tmp_path: Path) -> str:
    """Rasa's tracker store: its own SQLite file, or (PostgreSQL) a table beside the cases'."""
    url = db_url if db_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url)
    EVENTS.create(engine)
    engine.dispose()
    return url


def _events(url: str, rows: list[tuple[str, datetime]]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for sender, at in rows:
            for n in range(3):
                conn.execute(sa.insert(EVENTS).values(sender_id=sender, type_name="user",
                                                      timestamp=at.timestamp() + n, data='{"text": "张三"}'))
    engine.dispose()


def _senders(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = set(conn.scalars(select(EVENTS.c.sender_id).distinct()))
    engine.dispose()
    return found


def _file(path: Path, at: datetime) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("张三 13800138000", encoding="utf-8")
    os.utime(path, (at.timestamp(), at.timestamp()))
    return path


def test_only_old_closed_cases_and_old_records_are_purged(
    ctx: ServiceContext, clock: Clock, tracker_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    closed_old = _case(ctx, clock, "web-closed-old", "13800000001", OLD, LONG_AGO)
    followed_old = _case(ctx, clock, "web-followed-old", "13800000002", OLD, LONG_AGO, followed_up=True)
    open_old = _case(ctx, clock, "web-open-old", "13800000003", OLD, None)
    closed_lately = _case(ctx, clock, "web-closed-lately", "13800000004", OLD, LATELY)
    recent = _case(ctx, clock, "web-recent", "13800000005", LATELY, LATELY + timedelta(days=2))
    _records(ctx, "web-closed-old", LONG_AGO, closed_old)
    _records(ctx, "web-open-old", LONG_AGO, open_old)  # an open case's: all kept
    _records(ctx, "web-orphan-old", LONG_AGO, None)  # no case, old: purged
    _records(ctx, "web-orphan-lately", LATELY, None)  # no case, recent: kept
    _records(ctx, "web-waiting-old", LONG_AGO, None, handoff_status="open")  # staff still owe a reply
    with ctx.uow() as uow:  # asked for long ago, closed by staff lately: kept
        uow.repo.add(orm.Handoff(conversation_id="web-handed-lately", reason="转人工", phone="13800138000",
                                 status="closed", created_at=LONG_AGO, closed_at=LATELY))
        uow.commit()
    clock.now = LONG_AGO
    register(ctx, key="old-key", conversation_id="web-keyed-old")
    clock.now = LATELY
    register(ctx, key="new-key", conversation_id="web-keyed-lately")
    evidence = tmp_path / "evidence"
    for name in ("web-closed-old", "web-open-old", "web-orphan-old", "web-orphan-lately", "web-waiting-old"):
        _file(evidence / f"{name}.jpg", LONG_AGO)
    _events(tracker_url, [("web-closed-old", LONG_AGO), ("web-open-old", LONG_AGO),
                          ("web-orphan-old", LONG_AGO), ("web-orphan-lately", LATELY),
                          ("web-waiting-old", LONG_AGO), ("web-old-then-back", LONG_AGO),
                          ("web-old-then-back", LATELY)])
    voice, outbox = tmp_path / "voice", tmp_path / "outbox"
    _file(voice / "transcripts" / f"{file_stem('phone-CAold')}.jsonl", LONG_AGO)
    _file(voice / "handoffs" / "phone-CAold.json", LONG_AGO)
    _file(voice / "transcripts" / "web-open-old.jsonl", LONG_AGO)  # its case is open
    _file(voice / "transcripts" / "phone-CAlately.jsonl", LATELY)
    _file(outbox / "delivered" / "old.json", LONG_AGO)
    _file(outbox / "failed" / "old.json", LONG_AGO)
    _file(outbox / "pending" / "old.json", LONG_AGO)  # never delivered: never dropped
    _file(outbox / "delivered" / "lately.json", LATELY)
    clock.now = T0
    first, last = stats.date_range(ctx, (OLD.date()).isoformat(), T0.date().isoformat())
    before_stats = stats.compute(ctx, first, last)
    kept_before = {n: cases.get(ctx, n) for n in (open_old, closed_lately, recent)}
    settings = RetentionSettings(days=DAYS, tracker_db_url=tracker_url, voice_dir=voice, outbox_dir=outbox)

    with caplog.at_level(logging.INFO):
        report = retention.purge(ctx, settings, evidence)

    assert report.counts() == {
        "cases": 2, "conversations": 2, "handoffs": 2, "notifications": 3, "appointments": 2, "evidence": 2,
        "idempotency": 1, "tracker_conversations": 2, "voice_files": 2, "outbox_files": 2,
    }
    assert report.unreadable == []
    for case_no in (closed_old, followed_old):
        case = cases.get(ctx, case_no)
        assert case["description"] == MARKER and case["location"] == MARKER
        assert case["applicant"]["name"] == MARKER and case["applicant"]["phone"] is None
        assert "id_number_masked" not in case["applicant"]
        assert all(p["name"] == MARKER for p in case["respondents"])
        assert (case["case_no"], case["category"], case["outcome"]) == (case_no, "labour", "settled")
        log_text = json.dumps(cases.audit_log(ctx, case_no), ensure_ascii=False)
        assert "张三" not in log_text and "1380000000" not in log_text and "幸福路" not in log_text
        assert cases.audit_log(ctx, case_no)[-1]["action"] == "personal_data_purged"
        view = CaseView.from_json(case)  # as the bot reads it: no phone tail can match
        assert (view.applicant_name, view.applicant_phone) == (MARKER, "")
        with ctx.uow() as uow:  # the staff desk's list shows the marker, not a masked marker
            row = desk.list_row(uow.repo.get_case(case_no), ctx)
        assert (row["applicant_masked"], row["phone_masked"]) == (MARKER, None)
    assert {n: cases.get(ctx, n) for n in kept_before} == kept_before  # open and recent: untouched
    assert stats.compute(ctx, first, last) == before_stats  # gender and age band included
    with ctx.uow() as uow:
        conversations = set(uow.session.scalars(select(orm.Conversation.conversation_id)))
        assert conversations == {"web-open-old", "web-orphan-lately", "web-waiting-old"}
        handoffs = {h.conversation_id: h for h in uow.session.scalars(select(orm.Handoff)).unique()}
        for name in ("web-closed-old", "web-orphan-old"):
            h = handoffs[name]
            assert (h.reason, h.summary, h.phone, h.collected, h.transcript, h.close_note) == (
                MARKER, None, None, {}, [], None)
            assert h.created_at == LONG_AGO  # still counted by the statistics
        for name in ("web-open-old", "web-orphan-lately", "web-waiting-old", "web-handed-lately"):
            assert handoffs[name].phone == "13800138000"
        texts = {n.event_key for n in uow.session.scalars(select(orm.Notification)).unique()}
        assert texts == {"k-web-open-old", "k-web-orphan-lately"}  # texts and bookings know no hand-off
        names = {a.ref: (a.name, a.phone) for a in uow.session.scalars(select(orm.Appointment)).unique()}
        assert names["AP-web-closed-old"] == names["AP-web-orphan-old"] == names["AP-web-waiting-old"] == (
            MARKER, "")
        assert names["AP-web-open-old"] == names["AP-web-orphan-lately"] == ("张三", "13800138000")
        files = set(uow.session.scalars(select(orm.Evidence.stored_name)))
        assert files == {"web-open-old.jpg", "web-orphan-lately.jpg", "web-waiting-old.jpg"}
        keys = set(uow.session.scalars(select(orm.IdempotencyRecord.key)))
        assert keys == {"new-key"}
        [line] = uow.session.scalars(select(orm.StaffAudit).where(orm.StaffAudit.action == "retention_purge"))
        assert line.actor == "system:retention" and line.detail["cases"] == 2
    assert {p.name for p in evidence.iterdir()} == files
    kept = {"web-open-old", "web-orphan-lately", "web-waiting-old", "web-old-then-back"}
    assert _senders(tracker_url) == kept  # a conversation active lately keeps its old events too
    assert sorted(str(p.relative_to(voice)) for p in voice.rglob("*.json*")) == [
        "transcripts/phone-CAlately.jsonl", "transcripts/web-open-old.jsonl"]
    assert sorted(str(p.relative_to(outbox)) for p in outbox.rglob("*.json")) == [
        "delivered/lately.json", "pending/old.json"]
    assert "retention (180 days): cases 2" in caplog.text
    assert "张三" not in caplog.text and "138000" not in caplog.text

    snapshot = _snapshot(ctx)
    again = retention.purge(ctx, settings, evidence)
    assert again.total() == 0 and again.unreadable == []
    assert _snapshot(ctx) == snapshot
    with ctx.uow() as uow:  # a run that purged nothing audits nothing
        assert uow.session.scalar(select(func.count()).select_from(orm.StaffAudit)
                                  .where(orm.StaffAudit.action == "retention_purge")) == 1


def test_zero_days_purges_nothing_and_missing_stores_are_skipped(
    ctx: ServiceContext, clock: Clock, tmp_path: Path
) -> None:
    _case(ctx, clock, "web-closed-old", "13800000001", OLD, LONG_AGO)
    clock.now = T0
    snapshot = _snapshot(ctx)
    assert retention.purge(ctx, RetentionSettings(days=0), None).total() == 0
    assert _snapshot(ctx) == snapshot
    nowhere = RetentionSettings(days=DAYS, tracker_db_url=f"sqlite:///{tmp_path / 'no-tracker.db'}",
                                voice_dir=tmp_path / "no-voice", outbox_dir=tmp_path / "no-outbox")
    report = retention.purge(ctx, nowhere, tmp_path / "no-evidence")
    assert report.cases == 1 and report.unreadable == []
    assert not (tmp_path / "no-tracker.db").exists()  # never created


def test_settings_and_the_manage_command(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    env = {"VAR_DIR": str(tmp_path), "RETENTION_DAYS": "30", "JIEFEN_ENV": "development"}
    policy = Settings.from_env(env).retention
    assert (policy.days, policy.interval_h) == (30, 24.0)
    assert policy.tracker_db_url == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert (policy.voice_dir, policy.outbox_dir) == (tmp_path / "voice", tmp_path / "outbox")
    assert Settings.from_env({**env, "RETENTION_TRACKER_DB_URL": " "}).retention.tracker_db_url == (
        policy.tracker_db_url)  # as .env.example sets it
    assert Settings.from_env({**env, "RETENTION_TRACKER_DB_URL": "off"}).retention.tracker_db_url == ""
    with pytest.raises(ValueError, match="RETENTION_DAYS"):
        Settings.from_env({"RETENTION_DAYS": "-1"})
    for name, value in {**env, "CASE_DB_URL": db_url, "CASE_SEED_DEMO": "false"}.items():
        monkeypatch.setenv(name, value)
    assert manage_main(["purge"]) == 0
    assert capsys.readouterr().out.strip() == "已按保留期限（30天）清理：没有到期的数据。"
    monkeypatch.setenv("RETENTION_DAYS", "0")
    assert manage_main(["purge"]) == 0
    assert "未启用" in capsys.readouterr().out


async def test_the_server_runs_the_job_periodically_and_survives_a_failure(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    runs: list[int] = []

    def fake_purge(*args: Any) -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("database away")

    monkeypatch.setattr(retention, "FIRST_RUN_DELAY_S", 0.0)
    monkeypatch.setattr(retention, "purge", fake_purge)
    task = asyncio.create_task(retention.run_forever(ctx, RetentionSettings(interval_h=0.01 / 3600), None))
    for _ in range(200):
        if len(runs) >= 2:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(runs) >= 2
