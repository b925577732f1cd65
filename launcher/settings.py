"""Settings of the whole stack, read once from the environment (and an optional .env file)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from integration import deployment
from integration.deployment import DEVELOPMENT, ENV_VAR, PRODUCTION, Secret
from integration.envparse import SettingsError, parse_bool, parse_int

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"  # Rasa and the action server listen here only, in every profile
# Every secret of the stack, checked before anything starts (integration/deployment.py). The
# per-run ones are random when unset, so only a weak value that is set is refused.
STACK_SECRETS = (
    Secret("RASA_AUTH_TOKEN"),
    Secret("CENTER_API_TOKEN"),
    Secret("CENTER_STAFF_TOKENS", required=False, pairs=True),
    Secret("CHAT_SESSION_SECRET", required=False),
    Secret("RASA_CHANNEL_TOKEN", required=False),
    Secret("RASA_JWT_SECRET", required=False),
    Secret("ACTION_SERVER_TOKEN", required=False),
    Secret("RASA_INTEGRATOR_TOKENS", required=False, pairs=True),
    Secret("ROBOT_DEVICE_TOKENS", required=False, pairs=True),
    Secret("TWILIO_AUTH_TOKEN", required=False),
)


def load_dotenv(path: Path) -> None:
    """Copy KEY=VALUE lines of a .env file into os.environ, never overriding what is set."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if value[:1] in ("'", '"'):
            value = value[1:].split(value[0], 1)[0]
        else:
            value = value.split(" #", 1)[0].strip()  # inline comment, as in .env.example
        os.environ.setdefault(key.strip(), value)


def env_int(name: str, default: int) -> int:
    """An integer setting; a malformed value stops the launcher with a line naming the variable."""
    try:
        return parse_int(name, os.environ.get(name), default)
    except SettingsError as exc:
        raise SystemExit(f"setting {exc} — fix it in .env or the environment") from exc


def env_bool(name: str, default: bool) -> bool:
    """true/false, 1/0, yes/no, on/off — anything else stops the launcher, never silently true."""
    try:
        return parse_bool(name, os.environ.get(name), default)
    except SettingsError as exc:
        raise SystemExit(f"setting {exc} — fix it in .env or the environment") from exc


def env_mode() -> str:
    """JIEFEN_ENV for the stack: development unless told otherwise (see integration/deployment.py)."""
    try:
        return deployment.mode(os.environ, default=DEVELOPMENT)
    except SettingsError as exc:
        raise SystemExit(f"setting {exc} — fix it in .env or the environment") from exc


@dataclass(frozen=True)
class StackSettings:
    """Ports, tokens and paths shared by every process the launcher starts."""

    host: str
    public_url: str
    rasa_port: int
    action_port: int
    case_port: int
    voice_port: int
    web_port: int
    rasa_auth_token: str
    center_api_token: str
    var_dir: Path
    model_dir: Path
    health_timeout_s: float
    warm_up: bool
    chat_session_secret: str  # signs chat-page tickets; random per run unless set
    # The three below are random per run unless set, like the chat secret: only our own processes
    # need them, and the launcher hands each to the processes that do.
    rasa_channel_token: str = ""  # the web relay's and the voice gateway's token for Rasa's channel
    rasa_jwt_secret: str = ""  # signs the web service's short-lived tokens for Rasa's HTTP API
    action_server_token: str = ""  # Rasa's token for the action server's /webhook
    rasa_channel_allow_anonymous: bool = False  # development and end-to-end tests only
    # JIEFEN_ENV, passed to every process. The launcher is the embedded development profile, so
    # unset means development here (and production for a service started on its own).
    environment: str = DEVELOPMENT
    # A service that dies is started again, unless it died this often within the window.
    restart_limit: int = 5
    restart_window_s: float = 600.0

    @property
    def voice_stream_url(self) -> str:
        """Where a browser opens push-to-talk: the public address if there is one."""
        base = self.public_url.rstrip("/") or self.url(self.voice_port)
        return base.replace("http", "ws", 1) + "/robot/stream"

    @classmethod
    def from_env(cls) -> StackSettings:
        """Build from the variables listed in .env.example."""
        load_dotenv(ROOT / ".env")
        host = os.environ.get("STACK_HOST", "127.0.0.1")
        var_dir = Path(os.environ.get("VAR_DIR", str(ROOT / "var"))).resolve()
        return cls(
            host=host,
            public_url=os.environ.get("PUBLIC_URL", ""),
            rasa_port=env_int("RASA_PORT", 5005),
            action_port=env_int("ACTION_PORT", 5055),
            case_port=env_int("CASE_SERVICE_PORT", 8000),
            voice_port=env_int("VOICE_PORT", 5006),
            web_port=env_int("WEB_PORT", 8080),
            rasa_auth_token=os.environ.get("RASA_AUTH_TOKEN", "dev-rasa-token"),
            center_api_token=os.environ.get("CENTER_API_TOKEN", "dev-bot-token"),
            var_dir=var_dir,
            model_dir=Path(os.environ.get("RASA_MODEL_DIR", str(ROOT / "bot" / "models"))),
            health_timeout_s=float(env_int("STACK_HEALTH_TIMEOUT_S", 180)),
            warm_up=env_bool("STACK_WARM_UP", True),
            # A fresh secret per run logs every open page out at restart, which is acceptable for
            # a single machine; set it (and share it) when several gateways serve one site.
            chat_session_secret=os.environ.get("CHAT_SESSION_SECRET") or secrets.token_urlsafe(32),
            rasa_channel_token=os.environ.get("RASA_CHANNEL_TOKEN") or secrets.token_urlsafe(32),
            rasa_jwt_secret=os.environ.get("RASA_JWT_SECRET") or secrets.token_urlsafe(32),
            action_server_token=os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32),
            rasa_channel_allow_anonymous=env_bool("RASA_CHANNEL_ALLOW_ANONYMOUS", False),
            environment=env_mode(),
            restart_limit=env_int("STACK_RESTART_LIMIT", 5),
            restart_window_s=float(env_int("STACK_RESTART_WINDOW_S", 600)),
        )

    def url(self, port: int) -> str:
        """Base URL of a local service."""
        if port in (self.rasa_port, self.action_port):
            return f"http://{LOOPBACK}:{port}"
        return f"http://{self.host}:{port}"


def startup_verdict(
    s: StackSettings, env: Mapping[str, str], extra: tuple[Secret, ...] = ()
) -> tuple[str | None, str | None]:
    """(why the stack must not start, the development-mode notice) — at most one of them.

    Production refuses what ``integration.deployment`` refuses for each service, and anonymous
    access to Rasa's channel; any mode refuses a wildcard CORS origin for the action server (Rasa
    calls it server-side; no browser ever should). ``extra``: a profile's own secrets."""
    if "*" in env.get("ACTION_SERVER_CORS", ""):
        return "ACTION_SERVER_CORS must not contain '*': leave it empty (Rasa calls it server-side)", None
    found = deployment.problems(env, STACK_SECRETS + extra)
    if s.rasa_channel_allow_anonymous:
        found.append("RASA_CHANNEL_ALLOW_ANONYMOUS is true (development and end-to-end tests only)")
    if s.environment == PRODUCTION:
        return (deployment.refusal_line("launcher", found) if found else None), None
    weak = f": {'; '.join(found)} — development tokens in use" if found else ""
    return None, (
        f"development mode ({ENV_VAR}=development, the default of `make run`){weak}; "
        f"{ENV_VAR}=production refuses to start with development or weak secrets"
    )
