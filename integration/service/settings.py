"""All case-service settings, read from the environment in one place (see ENV.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from integration import deployment
from integration.client.limits import LockPolicy
from integration.deployment import Secret
from integration.envparse import parse_bool
from integration.service.domain.deadlines import DeadlinePolicy
from integration.service.notify.config import NotifySettings
from integration.service.services.accounts import LoginPolicy
from integration.service.services.retention import RetentionSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_STAFF_TOKENS = "console:dev-staff-token"
# What `python -m integration.service` checks before it starts (integration/deployment.py).
SECRETS = (
    Secret("CENTER_API_TOKEN"),
    Secret("CENTER_STAFF_TOKENS", required=False, pairs=True),
    Secret("TWILIO_AUTH_TOKEN", required=False),
)


def parse_staff_tokens(value: str) -> dict[str, str]:
    """`name:token,name2:token2` -> {token: name}."""
    tokens: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in value.split(","))):
        name, sep, token = pair.partition(":")
        if not sep or not name or not token:
            raise ValueError("CENTER_STAFF_TOKENS must be comma-separated name:token pairs")
        tokens[token] = name
    return tokens


def default_db_url() -> str:
    return f"sqlite:///{REPO_ROOT / 'var' / 'cases.db'}"


def default_evidence_dir() -> Path:
    return REPO_ROOT / "var" / "evidence"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    db_url: str = field(default_factory=default_db_url)
    bot_token: str = "dev-bot-token"
    staff_tokens: dict[str, str] = field(default_factory=lambda: {"dev-staff-token": "console"})
    seed_demo: bool = True
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    slot_minutes: int = 60
    booking_horizon_days: int = 30
    scheduler_interval_s: float = 60.0
    routing_file: Path = Path(__file__).parent / "data" / "routing.yaml"
    seed_file: Path = Path(__file__).parent / "data" / "demo_center.yaml"
    lock_policy: LockPolicy = field(default_factory=LockPolicy)  # AUTH_*: wrong tokens per address
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)  # STAFF_LOGIN_* / STAFF_SESSION_*
    evidence_dir: Path = field(default_factory=default_evidence_dir)
    evidence_max_bytes: int = 10 * 1024 * 1024
    evidence_per_conversation: int = 20
    handoff_overdue: timedelta = timedelta(minutes=10)  # a hand-off waiting longer sorts first
    notify: NotifySettings = field(default_factory=NotifySettings)  # SMS_*, TWILIO_*: text messages
    retention: RetentionSettings = field(default_factory=RetentionSettings)  # RETENTION_*

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """From the variables in ENV.md. The development tokens are defaults in development mode
        only (``JIEFEN_ENV``); in production an unset token stays empty and matches nothing."""
        e = os.environ if env is None else env
        d = cls()
        development = deployment.is_development(e)
        return cls(
            host=e.get("CASE_SERVICE_HOST", d.host),
            port=int(e.get("CASE_SERVICE_PORT", d.port)),
            db_url=e.get("CASE_DB_URL") or d.db_url,
            bot_token=e.get("CENTER_API_TOKEN") or (d.bot_token if development else ""),
            staff_tokens=parse_staff_tokens(
                e.get("CENTER_STAFF_TOKENS", DEV_STAFF_TOKENS if development else "")),
            seed_demo=parse_bool("CASE_SEED_DEMO", e.get("CASE_SEED_DEMO"), default=True),
            deadlines=DeadlinePolicy(
                route=timedelta(hours=float(e.get("CASE_ROUTE_HOURS", 12))),
                contact=timedelta(hours=float(e.get("CASE_CONTACT_HOURS", 12))),
                close=timedelta(days=float(e.get("CASE_CLOSE_DAYS", 15))),
                follow_up=timedelta(days=float(e.get("CASE_FOLLOWUP_DAYS", 30))),
            ),
            timezone=ZoneInfo(e.get("CASE_TIMEZONE", "Asia/Shanghai")),
            slot_minutes=int(e.get("CASE_SLOT_MINUTES", d.slot_minutes)),
            booking_horizon_days=int(e.get("CASE_BOOKING_HORIZON_DAYS", d.booking_horizon_days)),
            scheduler_interval_s=float(e.get("CASE_SCHEDULER_INTERVAL_S", d.scheduler_interval_s)),
            routing_file=Path(e.get("CASE_ROUTING_FILE") or d.routing_file),
            seed_file=Path(e.get("CASE_SEED_FILE") or d.seed_file),
            lock_policy=LockPolicy.from_env(e),
            login_policy=LoginPolicy(
                max_failures=int(e.get("STAFF_LOGIN_MAX_FAILURES", 5)),
                lock=timedelta(minutes=float(e.get("STAFF_LOGIN_LOCK_MIN", 15))),
                idle=timedelta(minutes=float(e.get("STAFF_SESSION_IDLE_MIN", 30))),
                lifetime=timedelta(hours=float(e.get("STAFF_SESSION_HOURS", 12))),
            ),
            evidence_dir=Path(e.get("EVIDENCE_DIR")
                              or (Path(e["VAR_DIR"]) / "evidence" if e.get("VAR_DIR") else d.evidence_dir)),
            evidence_max_bytes=int(float(e.get("EVIDENCE_MAX_MB", 10)) * 1024 * 1024),
            evidence_per_conversation=int(e.get("EVIDENCE_PER_CONVERSATION",
                                                d.evidence_per_conversation)),
            handoff_overdue=timedelta(minutes=float(e.get("HANDOFF_OVERDUE_MIN", 10))),
            notify=NotifySettings.from_env(e),
            retention=RetentionSettings.from_env(
                e, Path(e["VAR_DIR"]) if e.get("VAR_DIR") else REPO_ROOT / "var", REPO_ROOT),
        )

    @property
    def slot_length(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)
