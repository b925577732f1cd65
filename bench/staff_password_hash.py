"""Cost of a staff login's password check: argon2id hash and verify times with the parameters
the case service uses (argon2-cffi's defaults, RFC 9106 low-memory profile).

    PYTHONPATH=$PWD .venv/svc/bin/python bench/staff_password_hash.py [--rounds 20]

Each login verifies once (an unknown user name verifies against a dummy hash, so both cost the
same); the check runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import argparse
import statistics
import time

from argon2 import PasswordHasher

from integration.service.services.accounts import check_password, hash_password


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    hasher = PasswordHasher()
    hashes, checks = [], []
    stored = hash_password("a-staff-password-2026")
    for _ in range(rounds):
        t0 = time.perf_counter()
        hash_password("a-staff-password-2026")
        t1 = time.perf_counter()
        check_password("a-staff-password-2026", stored)
        t2 = time.perf_counter()
        hashes.append((t1 - t0) * 1000)
        checks.append((t2 - t1) * 1000)
    print(f"argon2id t={hasher.time_cost} m={hasher.memory_cost} KiB p={hasher.parallelism}, {rounds} rounds")
    print(f"hash   median {statistics.median(hashes):.1f} ms, max {max(hashes):.1f} ms")
    print(f"verify median {statistics.median(checks):.1f} ms, max {max(checks):.1f} ms")


if __name__ == "__main__":
    main()
