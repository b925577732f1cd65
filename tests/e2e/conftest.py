"""A real stack for end-to-end tests: case service, action server and Rasa on free ports."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from launcher.process import ManagedProcess
from launcher.services import all_services
from launcher.settings import StackSettings
from launcher.supervisor import Supervisor, free_port
from launcher.training import model_path

E2E_CENTER_TOKEN = "e2e-bot-token"
E2E_INTEGRATOR_TOKEN = "e2e-integrator-token-0123456789"  # RASA_INTEGRATOR_TOKENS: e2epartner
E2E_INTEGRATOR_PER_MIN = 3


@dataclass(frozen=True)
class RunningStack:
    """The session's stack and its supervisor (the fault tests kill and restart services)."""

    settings: StackSettings
    supervisor: Supervisor

    def process(self, name: str) -> ManagedProcess:
        return next(p for p in self.supervisor.processes if p.spec.name == name)


@pytest.fixture(scope="session")
def stack(running_stack: RunningStack) -> StackSettings:
    """The settings (ports, tokens) of the session's stack."""
    return running_stack.settings


@pytest.fixture(scope="session")
def running_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """Start every service once per test session in a throwaway data folder."""
    base = StackSettings.from_env()
    if not model_path(base.model_dir).is_file():
        pytest.fail("no trained model: run `make test` (it trains first) or `make train`")
    var_dir: Path = tmp_path_factory.mktemp("stack-var")
    settings = replace(
        base,
        host="127.0.0.1",
        rasa_port=free_port(),
        action_port=free_port(),
        case_port=free_port(),
        voice_port=free_port(),
        web_port=free_port(),
        rasa_auth_token="e2e-rasa-token",
        center_api_token=E2E_CENTER_TOKEN,
        var_dir=var_dir,
        rasa_channel_token="e2e-channel-token-0123456789",
        # The scripted and generated citizens talk to Rasa's REST channel directly, without a
        # token, under their own sender ids (e2e-…, sim-…, fuzz-…); citizens' ids stay guarded.
        rasa_channel_allow_anonymous=True,
    )
    supervisor = Supervisor(log_dir=var_dir / "log", cwd=Path(__file__).resolve().parents[2], out=sys.stderr)
    # In the specs, not the test process's environment: a service the fault tests restart gets
    # the same settings again.
    extra = {
        "RASA_INTEGRATOR_TOKENS": f"e2epartner:{E2E_INTEGRATOR_TOKEN}",
        "RASA_INTEGRATOR_MESSAGES_PER_MIN": str(E2E_INTEGRATOR_PER_MIN),
        "CASE_OUTBOX_INTERVAL_S": "2",  # the fault tests wait for queued intakes
    }
    specs = all_services(settings)
    for spec in specs:
        spec.env.update(extra)
    supervisor.start(specs, host=settings.host, timeout_s=240)
    try:
        yield RunningStack(settings, supervisor)
    finally:
        supervisor.stop_all()
        if request.session.testsfailed:  # the services' own logs explain most e2e failures
            for log in sorted((var_dir / "log").glob("*.log")):
                sys.stderr.write(f"--- tail of {log.name} ---\n{log.read_text(errors='replace')[-3000:]}\n")
