"""The production profile (`make run-prod`): every process of the product, supervised by the
launcher's Supervisor, on one machine the way they would run on several.

Start order: PostgreSQL (tracker store and case database), Redis (Rasa's lock store) and nginx;
then the databases; then, in parallel, the case service, the action servers, the Rasa processes,
the voice gateway and the web service. Config files are generated under var/ at every start
(``launcher.prod_config``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path

from launcher.process import ServiceSpec, StackError, as_user, private_dir
from launcher.prod_config import NGINX_HEALTH_PATH, render_endpoints_prod, render_nginx, render_redis
from launcher.prod_settings import CASES_DB, TRACKER_DB, ProdSettings
from launcher.services import action_server, case_service, rasa_server, voice_gateway, web, write_private
from launcher.settings import LOOPBACK
from launcher.supervisor import Supervisor, port_is_free

PG_OS_USER = "postgres"  # the cluster runs as this account when the launcher is root
PACKAGES = ("postgresql", "redis-server", "nginx")


def pg_bin_dir() -> Path | None:
    """Debian's PostgreSQL server binaries (outside PATH), the newest version."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), reverse=True)
    if found:
        return Path(found[0]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def tool(name: str) -> str | None:
    """redis-server or nginx: on PATH, or in /usr/sbin (not on a non-root PATH)."""
    return shutil.which(name) or (f"/usr/sbin/{name}" if os.access(f"/usr/sbin/{name}", os.X_OK) else None)


def missing_packages() -> list[str]:
    """The Debian packages of this profile that are not installed."""
    present = {"postgresql": pg_bin_dir() is not None, "redis-server": tool("redis-server") is not None,
               "nginx": tool("nginx") is not None}
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam(PG_OS_USER)
        except KeyError:
            present["postgresql"] = False
    return [name for name in PACKAGES if not present[name]]


def packages_line(missing: list[str]) -> str:
    return (f"missing Debian packages for `make run-prod`: {' '.join(missing)} "
            f"(as root: apt-get install -y {' '.join(missing)})")


def check_ports(p: ProdSettings) -> None:
    """Fail before anything starts when a port of the profile is taken (or used twice)."""
    ports = p.all_ports()
    seen: dict[int, str] = {}
    for name, port in ports.items():
        if port in seen:
            raise StackError(f"port {port} is set for both {seen[port]} and {name} — choose another in .env")
        seen[port] = name
        host = p.stack.host if name in ("case-service", "voice-gateway", "web") else LOOPBACK
        if not port_is_free(host, port):
            raise StackError(
                f"port {port} for {name} is already in use — stop the program using it "
                f"(`ss -ltnp 'sport = :{port}'`) or choose another port in .env"
            )


def _pg_env() -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _run_pg(argv: list[str], stdin: str | None = None) -> None:
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=_pg_env(),
                            cwd="/", check=False, **as_user(PG_OS_USER))
    if result.returncode != 0:
        raise StackError(f"{Path(argv[0]).name} failed (exit {result.returncode}): "
                         f"{(result.stderr or result.stdout).strip()[-500:]}")


def prepare_cluster(p: ProdSettings, bin_dir: Path) -> None:
    """var/postgres/ owned by the postgres account (0700) and a cluster in it, once.

    As root, var/ becomes group ``postgres`` with mode 0710 so that account can reach its folder
    and nothing else: every other file under var/ stays its owner's only."""
    private_dir(p.pg_root)
    grant_cluster_access(p)
    if (p.pg_data / "PG_VERSION").is_file():
        return
    # Sockets only in the 0700 folder (trust: only its owner reaches them); TCP needs a password.
    _run_pg([str(bin_dir / "initdb"), "-D", str(p.pg_data), "-U", "postgres", "--auth-local=trust",
             "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])


def grant_cluster_access(p: ProdSettings) -> None:
    """As root: var/ group postgres, mode 0710; var/postgres owned by postgres. Done before every
    start of the cluster, since the launcher's own tidying (``make_private_tree``) takes it away."""
    if os.geteuid() != 0:
        return
    shutil.chown(p.stack.var_dir, group=PG_OS_USER)
    p.stack.var_dir.chmod(0o710)
    shutil.chown(p.pg_root, PG_OS_USER, PG_OS_USER)
    _check_reachable(p.stack.var_dir)


def _check_reachable(var_dir: Path) -> None:
    """Every folder above var/ must let others through (x), else postgres cannot reach its data."""
    for parent in var_dir.parents:
        if not parent.stat().st_mode & 0o001:
            raise StackError(f"{parent} is not searchable by other users, so the postgres account cannot "
                             f"reach {var_dir}/postgres — `chmod o+x {parent}` or set VAR_DIR elsewhere")


def bootstrap_databases(p: ProdSettings, bin_dir: Path) -> None:
    """The application role (password set at every start) and its two databases, if missing."""
    password = p.pg_password.replace("'", "''")
    user = p.pg_user
    sql = (
        f"SELECT 'CREATE ROLE {user} LOGIN' WHERE NOT EXISTS "
        f"(SELECT FROM pg_roles WHERE rolname = '{user}')\\gexec\n"
        f"ALTER ROLE {user} LOGIN PASSWORD '{password}';\n"
    )
    for database in (TRACKER_DB, CASES_DB):
        sql += (f"SELECT 'CREATE DATABASE {database} OWNER {user}' WHERE NOT EXISTS "
                f"(SELECT FROM pg_database WHERE datname = '{database}')\\gexec\n")
    _run_pg([str(bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(p.pg_root),
             "-p", str(p.pg_port), "-U", "postgres", "-d", "postgres", "-f", "-"], stdin=sql)


def postgres(p: ProdSettings, bin_dir: Path) -> ServiceSpec:
    """The private cluster, in the foreground, as the postgres account when run as root."""
    argv = [str(bin_dir / "postgres"), "-D", str(p.pg_data), "-p", str(p.pg_port), "-k", str(p.pg_root),
            "-c", f"listen_addresses={LOOPBACK}", "-c", "max_connections=200"]
    ready = [str(bin_dir / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(p.pg_port)]
    return ServiceSpec(
        name="postgres", argv=argv, health_url=None, env=_pg_env(), port=p.pg_port, host=LOOPBACK,
        probe=lambda: subprocess.run(ready, check=False, timeout=5).returncode == 0,
        user=PG_OS_USER, inherit_env=False, before_start=lambda: grant_cluster_access(p),
    )


def redis_ping(port: int, password: str) -> bool:
    """True when Redis on loopback answers PING after AUTH."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=2) as sock:
            secret = password.encode()
            sock.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(secret), secret))
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = sock.recv(256)
                if not chunk:
                    return False
                answer += chunk
    except OSError:
        return False
    return answer == b"+OK\r\n+PONG\r\n"


def redis(p: ProdSettings) -> ServiceSpec:
    """Rasa's lock store."""
    private_dir(p.redis_dir)
    conf = p.redis_dir / "redis.conf"
    write_private(conf, render_redis(p))
    return ServiceSpec(
        name="redis", argv=[str(tool("redis-server")), str(conf)], health_url=None,
        env={"PATH": "/usr/bin:/bin"}, port=p.redis_port, host=LOOPBACK,
        probe=lambda: redis_ping(p.redis_port, p.redis_password), inherit_env=False,
    )


def nginx(p: ProdSettings) -> ServiceSpec:
    """The proxy in front of the Rasa processes and the action servers."""
    private_dir(p.nginx_dir)
    conf = p.nginx_dir / "nginx.conf"
    write_private(conf, render_nginx(p, as_root=os.geteuid() == 0))
    s = p.stack
    return ServiceSpec(
        name="nginx", argv=[str(tool("nginx")), "-p", str(p.nginx_dir), "-c", str(conf), "-e", "stderr"],
        health_url=f"http://{LOOPBACK}:{s.action_port}{NGINX_HEALTH_PATH}", env={"PATH": "/usr/bin:/bin"},
        port=s.rasa_port, host=LOOPBACK, inherit_env=False,
    )


def app_services(p: ProdSettings, asr_env: Mapping[str, str] | None = None) -> list[ServiceSpec]:
    """Everything behind nginx and beside it, started together once the databases exist."""
    s = p.stack
    endpoints = s.var_dir / "endpoints-prod.yml"  # holds passwords and a token: private
    s.var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # no chmod: var/ may be 0710 (above)
    write_private(endpoints, render_endpoints_prod(p))
    case = case_service(s)
    case.env["CASE_DB_URL"] = p.db_url(CASES_DB)
    case.env["RETENTION_TRACKER_DB_URL"] = p.db_url(TRACKER_DB)  # the retention job purges it too
    actions = [action_server(s, port, f"action-server-{i}") for i, port in enumerate(p.action_ports, 1)]
    rasas = [rasa_server(s, port, f"rasa-{i}", endpoints) for i, port in enumerate(p.rasa_ports, 1)]
    threads = str(p.rasa_threads)
    for spec in rasas:  # Rasa's default pool (50 + 100 overflow each) would exceed max_connections
        spec.env.update({"SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "15", "OMP_NUM_THREADS": threads})
        spec.env.update({f"TF_{kind}_OP_PARALLELISM_THREADS": threads for kind in ("INTER", "INTRA")})
    return [case, *actions, *rasas, voice_gateway(s, asr_env), web(s)]


def start(
    supervisor: Supervisor, p: ProdSettings, asr_env: Mapping[str, str] | None, timeout_s: float
) -> None:
    """Start the profile under ``supervisor`` and wait until every process is healthy."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise StackError(packages_line(["postgresql"]))
    prepare_cluster(p, bin_dir)
    host = p.stack.host
    supervisor.start([postgres(p, bin_dir), redis(p), nginx(p)], host=host, timeout_s=timeout_s)
    try:
        bootstrap_databases(p, bin_dir)
    except StackError:
        supervisor.stop_all()
        raise
    supervisor.start(app_services(p, asr_env), host=host, timeout_s=timeout_s)
