"""Settings of the production profile (`make run-prod`), on top of the stack's own settings.

In this profile ``StackSettings.rasa_port`` and ``action_port`` are nginx's ports: the web relay,
the voice gateway and Rasa's action endpoint talk to them exactly as they talk to the single Rasa
and action server of `make run`; the Rasa and action processes behind nginx listen on
``rasa_ports`` and ``action_ports`` (loopback only).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from integration.deployment import Secret
from integration.envparse import SettingsError, env_int, env_str, parse_ports
from launcher.settings import StackSettings

# Checked with the stack's secrets before anything starts: a weak value that is set is refused in
# production (unset: random per run).
PROD_SECRETS = (Secret("PROD_PG_PASSWORD", required=False), Secret("PROD_REDIS_PASSWORD", required=False))
TRACKER_DB = "rasa"  # Rasa's tracker store
CASES_DB = "cases"  # the case service
PROD_HEALTH_TIMEOUT_S = 420  # STACK_HEALTH_TIMEOUT_S when unset (`make run`: 180)


@dataclass(frozen=True)
class ProdSettings:
    """What `make run-prod` adds: the processes behind nginx, PostgreSQL and Redis."""

    stack: StackSettings
    rasa_ports: tuple[int, ...] = (5015, 5016)
    action_ports: tuple[int, ...] = (5065, 5066)
    pg_port: int = 5433
    redis_port: int = 6380
    pg_user: str = "jiefen"  # owns both databases; the cluster's superuser is reached by socket only
    pg_password: str = ""
    redis_password: str = ""
    nginx_workers: int = 2
    # TensorFlow and OpenMP threads per Rasa process: one each, so N processes share N cores
    # instead of every process spinning a pool the size of the machine (start-up 280 -> 217 s
    # for two processes on this 2-core machine under load, 2026-12-02).
    rasa_threads: int = 1

    @classmethod
    def from_env(cls, stack: StackSettings, env: Mapping[str, str] | None = None) -> ProdSettings:
        """From the PROD_* variables of .env.example; a malformed one stops with a line naming it."""
        e = os.environ if env is None else env
        d = cls(stack)
        # Two Rasa processes load their models side by side: on 2 busy cores that took 3-5 min.
        timeout = env_int(e, "STACK_HEALTH_TIMEOUT_S", PROD_HEALTH_TIMEOUT_S)
        stack = replace(stack, health_timeout_s=float(timeout))
        try:
            settings = cls(
                stack=stack,
                rasa_ports=parse_ports("PROD_RASA_PORTS", e.get("PROD_RASA_PORTS"), d.rasa_ports),
                action_ports=parse_ports("PROD_ACTION_PORTS", e.get("PROD_ACTION_PORTS"), d.action_ports),
                pg_port=env_int(e, "PROD_PG_PORT", d.pg_port),
                redis_port=env_int(e, "PROD_REDIS_PORT", d.redis_port),
                pg_user=env_str(e, "PROD_PG_USER", d.pg_user) or d.pg_user,
                pg_password=env_str(e, "PROD_PG_PASSWORD", "") or secrets.token_urlsafe(24),
                redis_password=env_str(e, "PROD_REDIS_PASSWORD", "") or secrets.token_urlsafe(24),
                nginx_workers=env_int(e, "PROD_NGINX_WORKERS", d.nginx_workers),
                rasa_threads=env_int(e, "PROD_RASA_THREADS", d.rasa_threads),
            )
        except SettingsError as exc:
            raise SystemExit(f"setting {exc} — fix it in .env or the environment") from exc
        if not settings.pg_user.isidentifier() or not settings.pg_user.islower():
            raise SystemExit("setting PROD_PG_USER must be a lower-case SQL name — fix it in .env")
        return settings

    @property
    def pg_root(self) -> Path:
        """The cluster's folder (owned by the postgres user when run as root): data/ and its socket."""
        return self.stack.var_dir / "postgres"

    @property
    def pg_data(self) -> Path:
        return self.pg_root / "data"

    @property
    def redis_dir(self) -> Path:
        return self.stack.var_dir / "redis"

    @property
    def nginx_dir(self) -> Path:
        return self.stack.var_dir / "nginx"

    def db_url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy URL of one of the two databases (psycopg 3 in the service environment)."""
        return f"{driver}://{self.pg_user}:{self.pg_password}@127.0.0.1:{self.pg_port}/{database}"

    def all_ports(self) -> dict[str, int]:
        """Every port this profile binds, by what binds it (for the port check and the URLs)."""
        s = self.stack
        ports = {
            "nginx (Rasa)": s.rasa_port, "nginx (actions)": s.action_port, "case-service": s.case_port,
            "voice-gateway": s.voice_port, "web": s.web_port,
            "postgres": self.pg_port, "redis": self.redis_port,
        }
        ports.update({f"rasa-{i}": p for i, p in enumerate(self.rasa_ports, 1)})
        ports.update({f"action-server-{i}": p for i, p in enumerate(self.action_ports, 1)})
        return ports


def prod_urls(p: ProdSettings) -> str:
    """What `make run-prod` adds to the addresses `make run` prints."""
    rasa = ", ".join(f"127.0.0.1:{port}" for port in p.rasa_ports)
    actions = ", ".join(f"127.0.0.1:{port}" for port in p.action_ports)
    return (
        "Production profile:\n"
        f"  nginx                    Rasa 127.0.0.1:{p.stack.rasa_port} -> {rasa}\n"
        f"                           actions 127.0.0.1:{p.stack.action_port} -> {actions}\n"
        f"  PostgreSQL               127.0.0.1:{p.pg_port} (databases {TRACKER_DB}, {CASES_DB}; "
        f"user {p.pg_user}), data {p.pg_data}\n"
        f"  Redis (Rasa lock store)  127.0.0.1:{p.redis_port}\n"
        f"  generated configs        {p.nginx_dir / 'nginx.conf'}, {p.stack.var_dir / 'endpoints-prod.yml'}, "
        f"{p.redis_dir / 'redis.conf'}\n"
    )
