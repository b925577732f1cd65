"""Schema fuzz of the case service's complete OpenAPI document (schemathesis): valid and invalid
requests to every operation of the real process; none may be answered with a 5xx.

Bounded: OPENAPI_FUZZ_EXAMPLES examples per operation and mode (default 40; valid and invalid
data), on SQLite: about half a minute on this machine."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from integration.service.api.openapi import DOCUMENT
from launcher.process import ServiceSpec
from launcher.supervisor import Supervisor, free_port

pytestmark = [pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
STAFF_TOKEN = "fuzz-staff-token-0123456789"
EXAMPLES = int(os.environ.get("OPENAPI_FUZZ_EXAMPLES", "40"))
HEADERS = {"Authorization": f"Bearer {STAFF_TOKEN}"}


@pytest.fixture(scope="module")
def case_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The case service as its own process (schemathesis calls it over HTTP, synchronously)."""
    var = tmp_path_factory.mktemp("fuzz-var")
    port = free_port()
    spec = ServiceSpec(
        name="case-service",
        argv=[sys.executable, "-m", "integration.service"],
        health_url=f"http://127.0.0.1:{port}/health",
        env={
            "PYTHONPATH": str(ROOT),
            "CASE_SERVICE_PORT": str(port),
            "CASE_DB_URL": f"sqlite:///{var / 'cases.db'}",
            "CENTER_API_TOKEN": "fuzz-bot-token-0123456789",
            "CENTER_STAFF_TOKENS": f"fuzz:{STAFF_TOKEN}",
            "CASE_SCHEDULER_INTERVAL_S": "0",
        },
        port=port,
    )
    supervisor = Supervisor(log_dir=var / "log", cwd=ROOT, out=sys.stderr)
    supervisor.start([spec], host="127.0.0.1", timeout_s=60)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        supervisor.stop_all()
        log = (var / "log" / "case-service.log").read_text(errors="replace")
        if "Traceback" in log:
            sys.stderr.write(f"--- case-service.log ---\n{log[-5000:]}\n")


@pytest.fixture(scope="module")
def api_schema(case_service: str) -> Any:
    """The document as the running service serves it."""
    schema = schemathesis.openapi.from_url(f"{case_service}/api/openapi.json", headers=HEADERS)
    schema.config.update(base_url=case_service, headers=HEADERS)
    return schema


def _operations() -> list[tuple[str, str]]:
    return [
        (path, method.upper())
        for path, item in DOCUMENT["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
        and not op.get("x-stream")  # an endless event stream: tested in tests/integration/web
    ]


@pytest.mark.parametrize(("path", "method"), _operations(), ids=lambda v: str(v))
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_request_gets_a_server_error(
    api_schema: Any, case_service: str, path: str, method: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    errors: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(operation.as_strategy(generation_mode=mode))
    def probe(case: Any) -> None:
        response = case.call(base_url=case_service, headers=HEADERS, timeout=30)
        if response.status_code >= 500:
            errors.append(
                f"{response.status_code} {case.method} {case.formatted_path} "
                f"query={case.query} body={str(case.body)[:200]}: {response.text[:200]}"
            )

    try:
        probe()
    except Unsatisfiable:  # an operation without parameters has nothing to make invalid
        assert mode is GenerationMode.NEGATIVE
    assert not errors, "\n".join(errors[:5])
