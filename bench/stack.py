"""The whole product started on free ports in a throwaway folder, for benchmarks that talk to
it the way citizens do (the same start-up as the end-to-end tests' ``stack`` fixture)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from launcher.services import all_services  # noqa: E402
from launcher.settings import StackSettings  # noqa: E402
from launcher.supervisor import Supervisor, free_port  # noqa: E402
from launcher.training import model_path  # noqa: E402


@contextmanager
def running_stack() -> Iterator[StackSettings]:
    """Every service, healthy, until the block ends."""
    base = StackSettings.from_env()
    if not model_path(base.model_dir).is_file():
        raise SystemExit("no trained model: run `make train` first")
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
        var_dir = Path(tmp)
        settings = replace(
            base, host="127.0.0.1", rasa_port=free_port(), action_port=free_port(), case_port=free_port(),
            voice_port=free_port(), web_port=free_port(), rasa_auth_token="bench-rasa-token",
            center_api_token="bench-bot-token", var_dir=var_dir,
            rasa_channel_allow_anonymous=True,  # the benchmarks talk to Rasa's channel like a script
        )
        supervisor = Supervisor(log_dir=var_dir / "log", cwd=ROOT, out=sys.stderr)
        supervisor.start(all_services(settings), host=settings.host, timeout_s=240)
        try:
            yield settings
        finally:
            supervisor.stop_all()
