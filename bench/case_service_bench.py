"""Case-creation throughput and latency of the reference case service.

Starts the real server process on a free port for each database (SQLite in a temp dir, and a
throwaway PostgreSQL cluster or TEST_POSTGRES_URL), creates cases concurrently through HTTP and
prints creations/s with p50/p95 latency.

    .venv/svc/bin/python bench/case_service_bench.py [--cases 500] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.pg import find_bin_dir, free_port, throwaway_cluster  # noqa: E402

BODY = {"category": "labour", "description": "拖欠工资", "channel": "robot",
        "applicant": {"name": "张三", "phone": "13800138000"}, "respondents": ["某公司"]}


def start_service(db_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "JIEFEN_ENV": "development", "CASE_DB_URL": db_url, "CASE_SERVICE_PORT": str(port),
           "CASE_SCHEDULER_INTERVAL_S": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "integration.service"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/health", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("service did not start")


async def run(url: str, n: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    sem = asyncio.Semaphore(concurrency)
    headers = {"Authorization": "Bearer dev-bot-token"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        async def one(i: int) -> None:
            async with sem:
                t = time.perf_counter()
                resp = await client.post("/api/cases", json=BODY,
                                         headers={"Idempotency-Key": f"bench-{i}"})
                latencies.append(time.perf_counter() - t)
                resp.raise_for_status()
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - start, latencies


def report(name: str, elapsed: float, lat: list[float]) -> None:
    q = statistics.quantiles(lat, n=100)
    print(f"{name:10s} {len(lat)} cases  {len(lat) / elapsed:7.1f} creations/s  "
          f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms")


def bench(name: str, db_url: str, n: int, concurrency: int) -> None:
    proc, url = start_service(db_url)
    try:
        elapsed, lat = asyncio.run(run(url, n, concurrency))
        report(name, elapsed, lat)
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        bench("sqlite", f"sqlite:///{tmp / 'bench.db'}", args.cases, args.concurrency)
        pg_url = os.environ.get("TEST_POSTGRES_URL")
        if pg_url is None:
            bin_dir = find_bin_dir()
            if bin_dir is None:
                print("postgresql  skipped: binaries not found")
                return
            pg_url = stack.enter_context(throwaway_cluster(bin_dir))
        bench("postgresql", pg_url, args.cases, args.concurrency)


if __name__ == "__main__":
    main()
