"""The production profile's generated configs and the argv of every process (no process started)."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from launcher import __main__ as cli
from launcher import prod
from launcher.process import StackError, as_user
from launcher.prod_config import NGINX_HEALTH_PATH, render_endpoints_prod, render_nginx, render_redis
from launcher.prod_settings import ProdSettings, prod_urls
from launcher.services import all_services
from launcher.settings import StackSettings

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture
def stack(tmp_path: Path) -> StackSettings:
    return replace(StackSettings.from_env(), host="0.0.0.0", rasa_port=5005, action_port=5055,
                   var_dir=tmp_path / "var", action_server_token="action-token-0123456789")


@pytest.fixture
def p(stack: StackSettings) -> ProdSettings:
    return replace(
        ProdSettings.from_env(stack, {}), pg_password="pg'pass: #1\"", redis_password="redis-secret-0123"
    )


def test_defaults_and_settings_from_the_environment(stack: StackSettings) -> None:
    d = ProdSettings.from_env(stack, {})
    assert (d.rasa_ports, d.action_ports, d.pg_port, d.redis_port) == ((5015, 5016), (5065, 5066), 5433, 6380)
    assert len(d.pg_password) >= 16 and len(d.redis_password) >= 16  # random per run when unset
    assert d.stack.health_timeout_s == 420 and d.rasa_threads == 1
    assert ProdSettings.from_env(stack, {"STACK_HEALTH_TIMEOUT_S": "90"}).stack.health_timeout_s == 90
    e = ProdSettings.from_env(stack, {"PROD_RASA_PORTS": "6001, 6002,6003", "PROD_PG_PORT": "7000",
                                      "PROD_PG_PASSWORD": "a-set-password-123"})
    assert e.rasa_ports == (6001, 6002, 6003) and e.pg_port == 7000 and e.pg_password == "a-set-password-123"


@pytest.mark.parametrize("name, value", [
    ("PROD_RASA_PORTS", "5015,5015"), ("PROD_ACTION_PORTS", "5065,x"), ("PROD_PG_PORT", "five"),
    ("PROD_RASA_PORTS", "70000"), ("PROD_PG_USER", "Robert'); DROP"),
])
def test_a_malformed_setting_stops_with_a_line_naming_it(stack: StackSettings, name: str, value: str) -> None:
    with pytest.raises(SystemExit, match=name):
        ProdSettings.from_env(stack, {name: value})


def test_nginx_proxies_both_fronts_to_upstreams_on_loopback_only(p: ProdSettings) -> None:
    conf = render_nginx(p, as_root=False)
    assert re.findall(r"listen (\S+);", conf) == ["127.0.0.1:5005", "127.0.0.1:5055"]
    upstreams = dict(re.findall(r"upstream (\w+) \{([^}]*)\}", conf))
    assert re.findall(r"server (\S+) ", upstreams["rasa"]) == ["127.0.0.1:5015", "127.0.0.1:5016"]
    assert re.findall(r"server (\S+) ", upstreams["actions"]) == ["127.0.0.1:5065", "127.0.0.1:5066"]
    assert "proxy_pass http://rasa;" in conf and "proxy_pass http://actions;" in conf
    assert f"location = {NGINX_HEALTH_PATH}" in conf
    # a POST that reached a process is never replayed on the other one; no token reaches a log
    assert "proxy_next_upstream error timeout;" in conf and "non_idempotent" not in conf
    assert "access_log off;" in conf and "daemon off;" in conf and "error_log stderr" in conf
    assert "user " not in conf
    assert conf.count("{") == conf.count("}")
    assert str(p.nginx_dir / "client_body") in conf  # temp paths under var/, not /var/lib/nginx


def test_nginx_workers_drop_root_and_need_no_files(p: ProdSettings) -> None:
    conf = render_nginx(p, as_root=True)
    assert conf.startswith("# Generated") and "\nuser nobody nogroup;\n" in conf
    assert "proxy_request_buffering off;" in conf and "proxy_buffering off;" in conf


def test_rasa_endpoints_use_postgresql_redis_and_nginx(p: ProdSettings) -> None:
    endpoints = yaml.safe_load(render_endpoints_prod(p))
    assert endpoints["tracker_store"] == {
        "type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": p.pg_port, "db": "rasa",
        "username": "jiefen", "password": "pg'pass: #1\"",
    }
    assert endpoints["lock_store"] == {
        "type": "redis", "url": "127.0.0.1", "port": p.redis_port, "password": "redis-secret-0123",
        "db": 1, "key_prefix": "jiefen",
    }
    assert endpoints["action_endpoint"] == {
        "url": "http://127.0.0.1:5055/webhook",  # nginx, never one action server
        "headers": {"Authorization": "Bearer action-token-0123456789"},
    }


def test_redis_holds_locks_only_on_loopback_with_a_password(p: ProdSettings) -> None:
    lines = render_redis(p).splitlines()
    for line in ("bind 127.0.0.1", f"port {p.redis_port}", "protected-mode yes", 'save ""', "appendonly no",
                 "daemonize no", 'requirepass "redis-secret-0123"'):
        assert line in lines


def test_every_process_of_the_profile_and_its_argv(p: ProdSettings) -> None:
    specs = {s.name: s for s in prod.app_services(p)}
    assert list(specs) == ["case-service", "action-server-1", "action-server-2", "rasa-1", "rasa-2",
                           "voice-gateway", "web"]
    endpoints = str(p.stack.var_dir / "endpoints-prod.yml")
    for i, port in enumerate(p.rasa_ports, 1):
        argv = specs[f"rasa-{i}"].argv
        assert argv[argv.index("--port") + 1] == str(port)
        assert argv[argv.index("--interface") + 1] == "127.0.0.1"
        assert argv[argv.index("--endpoints") + 1] == endpoints
        assert str(specs[f"rasa-{i}"].health_url).startswith(f"http://127.0.0.1:{port}/status?token=")
        assert specs[f"rasa-{i}"].env["SQL_POOL_SIZE"] == "5"
        assert specs[f"rasa-{i}"].env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    for i, port in enumerate(p.action_ports, 1):
        argv = specs[f"action-server-{i}"].argv
        assert argv[-4:] == ["--host", "127.0.0.1", "--port", str(port)]
    assert (p.stack.var_dir / "endpoints-prod.yml").stat().st_mode & 0o077 == 0  # passwords inside
    case = specs["case-service"].env
    assert case["CASE_DB_URL"].startswith("postgresql+psycopg://jiefen:") and case["CASE_DB_URL"].endswith(
        f"@127.0.0.1:{p.pg_port}/cases")
    assert case["RETENTION_TRACKER_DB_URL"].endswith(f"@127.0.0.1:{p.pg_port}/rasa")
    for name in ("web", "voice-gateway"):  # they talk to nginx as they talk to the one Rasa of `make run`
        assert specs[name].env["RASA_URL"] == "http://127.0.0.1:5005"


def test_postgres_redis_and_nginx_argv(p: ProdSettings) -> None:
    pg = prod.postgres(p, PG_BIN)
    assert pg.argv[:3] == [str(PG_BIN / "postgres"), "-D", str(p.pg_data)]
    assert "listen_addresses=127.0.0.1" in pg.argv and pg.argv[pg.argv.index("-p") + 1] == str(p.pg_port)
    assert pg.argv[pg.argv.index("-k") + 1] == str(p.pg_root)  # its socket: in its own 0700 folder
    assert pg.user == "postgres" and not pg.inherit_env and "CENTER_API_TOKEN" not in pg.env
    assert pg.health_url is None and pg.probe is not None
    red = prod.redis(p)
    assert red.argv[1] == str(p.redis_dir / "redis.conf") and "redis-secret" not in " ".join(red.argv)
    assert not red.inherit_env
    ngx = prod.nginx(p)
    assert ngx.argv[1:] == ["-p", str(p.nginx_dir), "-c", str(p.nginx_dir / "nginx.conf"), "-e", "stderr"]
    assert ngx.health_url == f"http://127.0.0.1:5055{NGINX_HEALTH_PATH}"


def test_make_run_keeps_its_one_process_of_each_kind(stack: StackSettings) -> None:
    names = [s.name for s in all_services(stack)]
    assert names == ["case-service", "action-server", "rasa", "voice-gateway", "web"]
    rasa = all_services(stack)[2]
    assert rasa.argv[rasa.argv.index("--endpoints") + 1] == str(stack.var_dir / "endpoints.yml")


def test_a_port_set_twice_or_taken_stops_before_anything_starts(p: ProdSettings) -> None:
    with pytest.raises(StackError, match="port 5005 is set for both"):
        prod.check_ports(replace(p, pg_port=5005))


def test_missing_packages_end_the_run_with_one_line(
    stack: StackSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prod, "missing_packages", lambda: ["redis-server", "nginx"])
    monkeypatch.setattr(cli.signal, "signal", lambda *args: None)  # keep pytest's own handlers
    err = io.StringIO()
    with redirect_stderr(err):
        assert cli.run(stack, "prod") == 1
    assert err.getvalue().splitlines() == [
        "[stack] ERROR missing Debian packages for `make run-prod`: redis-server nginx "
        "(as root: apt-get install -y redis-server nginx)"
    ]


def test_helpers_without_root_or_a_server() -> None:
    assert as_user(None) == {}
    assert prod.redis_ping(1, "x") is False  # nothing listens on port 1
    assert "PostgreSQL" in prod_urls(ProdSettings.from_env(StackSettings.from_env(), {}))
