"""The production profile's backing services for real: the private PostgreSQL cluster with its
two databases, Redis with its password and nginx with the generated config (no Rasa, seconds)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest

from launcher import prod
from launcher.process import make_private_tree
from launcher.prod_config import NGINX_HEALTH_PATH
from launcher.prod_settings import CASES_DB, TRACKER_DB, ProdSettings
from launcher.settings import ROOT, StackSettings
from launcher.supervisor import RestartPolicy, Supervisor, free_port
from tests.system import missing_package


@dataclass(frozen=True)
class Backing:
    p: ProdSettings
    supervisor: Supervisor


@pytest.fixture(scope="module")
def backing_run() -> Iterator[Backing]:
    if missing := prod.missing_packages():
        missing_package(prod.packages_line(missing))
    bin_dir = prod.pg_bin_dir()
    assert bin_dir is not None
    # Under /tmp, not pytest's 0700 folder: the postgres account must reach var/postgres.
    var_dir = Path(tempfile.mkdtemp(prefix="prod-backing-"))
    stack = replace(StackSettings.from_env(), var_dir=var_dir, rasa_port=free_port(), action_port=free_port())
    p = replace(ProdSettings.from_env(stack, {}), pg_port=free_port(), redis_port=free_port(),
                rasa_ports=(free_port(), free_port()), action_ports=(free_port(), free_port()))
    supervisor = Supervisor(log_dir=var_dir / "log", cwd=ROOT, out=sys.stderr)
    try:
        prod.prepare_cluster(p, bin_dir)
        supervisor.start([prod.postgres(p, bin_dir), prod.redis(p), prod.nginx(p)], "127.0.0.1", 60)
        prod.bootstrap_databases(p, bin_dir)
        yield Backing(p, supervisor)
    finally:
        supervisor.stop_all()
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture
def backing(backing_run: Backing) -> ProdSettings:
    return backing_run.p


def test_both_databases_belong_to_the_application_role(backing: ProdSettings) -> None:
    for database in (TRACKER_DB, CASES_DB):
        with psycopg.connect(backing.db_url(database, driver="postgresql"), connect_timeout=5) as conn:
            assert conn.execute("SELECT current_user, current_database()").fetchone() == ("jiefen", database)


def test_the_bootstrap_is_idempotent_and_sets_a_new_password(backing: ProdSettings) -> None:
    bin_dir = prod.pg_bin_dir()
    assert bin_dir is not None
    renewed = replace(backing, pg_password="another-password-0123")
    prod.bootstrap_databases(renewed, bin_dir)
    with psycopg.connect(renewed.db_url(CASES_DB, driver="postgresql"), connect_timeout=5):
        pass
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(backing.db_url(CASES_DB, driver="postgresql"), connect_timeout=5)
    prod.bootstrap_databases(backing, bin_dir)


def test_the_superuser_has_no_password_over_tcp(backing: ProdSettings) -> None:
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{backing.pg_port}/postgres", connect_timeout=5)


def test_cluster_and_configs_are_private(backing: ProdSettings) -> None:
    var_dir = backing.stack.var_dir
    assert var_dir.stat().st_mode & 0o007 == 0  # others: nothing; group postgres: through only
    for path in (backing.pg_root, backing.redis_dir / "redis.conf", backing.nginx_dir / "nginx.conf",
                 var_dir / "log" / "postgres.log"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_redis_wants_its_password(backing: ProdSettings) -> None:
    assert prod.redis_ping(backing.redis_port, backing.redis_password)
    assert not prod.redis_ping(backing.redis_port, "not-the-password")


def test_nginx_answers_its_health_check_and_502_without_upstreams(backing: ProdSettings) -> None:
    stack = backing.stack
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.action_port}{NGINX_HEALTH_PATH}", timeout=5) as r:
        assert r.read() == b"ok\n"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{stack.rasa_port}/", timeout=10)
    assert refused.value.code == 502
    nginx = prod.tool("nginx")
    assert nginx is not None
    conf = backing.nginx_dir / "nginx.conf"
    check = subprocess.run([nginx, "-t", "-p", str(backing.nginx_dir), "-c", str(conf), "-e", "stderr"],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr


def test_the_cluster_killed_comes_back_after_the_launcher_tidied_var(backing_run: Backing) -> None:
    """kill -9 of PostgreSQL: the supervisor starts it again, although var/ was made 0700 since
    (``make_private_tree`` at start, writing the other configs), and the application reconnects."""
    p, supervisor = backing_run.p, backing_run.supervisor
    make_private_tree(p.stack.var_dir)
    prod.app_services(p)
    postgres = next(proc for proc in supervisor.processes if proc.spec.name == "postgres")
    os.kill(postgres.pid, signal.SIGKILL)
    postgres.popen.wait(timeout=30)
    assert supervisor.restart_dead(RestartPolicy(limit=3, backoff_s=0.0), timeout_s=60) == ["postgres"]
    with psycopg.connect(p.db_url(CASES_DB, driver="postgresql"), connect_timeout=5):
        pass
