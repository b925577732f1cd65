"""Download one file with resume (HTTP Range), a progress line and a SHA-256 check (stdlib only).

Bytes go to ``<dest>.part``; an interrupted download (a dropped connection, Ctrl-C, a crash)
resumes from the end of that file on the next attempt, in this run or the next one. The file is
renamed to ``dest`` only after its checksum matched, so ``dest`` is always complete and verified.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from pathlib import Path
from typing import Any

_BLOCK = 1 << 16
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class DownloadError(RuntimeError):
    """Why the file could not be had. ``offline``: the address could not be reached at all;
    ``retryable``: the transfer was cut short and can resume."""

    def __init__(self, message: str, *, offline: bool = False, retryable: bool = False) -> None:
        super().__init__(message)
        self.offline = offline
        self.retryable = retryable or offline


class ChecksumMismatch(DownloadError):
    """The bytes arrived but are not the expected file (deleted, never used)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class Progress:
    """One line per ~10 % or 5 s (a rewritten line on a terminal): name, MB done, rate."""

    def __init__(self, name: str, out: Callable[[str], None] | None = None) -> None:
        self.name = name
        self._tty = out is None and sys.stdout.isatty()
        self._out = out or self._print
        self._started = time.monotonic()
        self._last_at = 0.0
        self._last_share = -1.0

    def _print(self, line: str) -> None:
        print(("\r" + line) if self._tty else line, end="" if self._tty else "\n", flush=True)

    def update(self, done: int, total: int | None, resumed_from: int, *, final: bool = False) -> None:
        now = time.monotonic()
        share = done / total if total else 0.0
        if not final and now - self._last_at < 5 and share - self._last_share < 0.1:
            return
        self._last_at, self._last_share = now, share
        rate = (done - resumed_from) / max(now - self._started, 1e-3) / 1e6
        size = f"{done / 1e6:.1f}/{total / 1e6:.1f} MB ({share:.0%})" if total else f"{done / 1e6:.1f} MB"
        self._out(f"[models] downloading {self.name}: {size}, {rate:.1f} MB/s")
        if final and self._tty:
            print(flush=True)


def _open(url: str, offset: int, timeout_s: float) -> tuple[Any, int, int | None]:
    """Open ``url`` from ``offset``: (response or None if the part is whole, start, total size)."""
    headers = {"User-Agent": "jiefen-launcher/1"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # nothing after our offset: the part file is already whole
            return None, offset, offset
        raise DownloadError(f"{url} answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        host = urllib.parse.urlsplit(url).netloc or url
        raise DownloadError(f"cannot reach {host}: {reason}", offline=True) from exc
    if offset and response.status == 206:
        match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
        if not match or int(match.group(1)) != offset:
            response.close()
            raise DownloadError(f"{url} answered a range that does not start at byte {offset}")
        return response, offset, None if match.group(3) == "*" else int(match.group(3))
    length = response.headers.get("Content-Length")
    return response, 0, int(length) if length and length.isdigit() else None  # 200: from the start


def _receive(response: Any, part: Path, start: int, total: int | None, progress: Progress) -> None:
    """Write the response body into ``part`` from byte ``start``; DownloadError if cut short."""
    done = start
    with response, part.open("r+b" if start else "wb") as out:
        out.seek(start)
        out.truncate()
        while block := response.read(_BLOCK):
            out.write(block)
            done += len(block)
            progress.update(done, total, start)
    if total is not None and done < total:
        raise DownloadError(f"connection closed at byte {done} of {total}", retryable=True)
    progress.update(done, total, start, final=True)


def fetch(
    url: str,
    dest: Path,
    sha256: str,
    *,
    timeout_s: float = 30.0,
    attempts: int = 3,
    progress: Progress | None = None,
) -> Path:
    """Download ``url`` to ``dest`` (resuming ``dest.part``) and verify it; DownloadError if not.

    An address that cannot be reached at all fails at once (``offline``); a transfer cut short is
    resumed up to ``attempts`` times, and the part file is kept for the next run.
    """
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    progress = progress or Progress(dest.name)
    for attempt in range(1, attempts + 1):
        offset = part.stat().st_size if part.exists() else 0
        try:
            response, start, total = _open(url, offset, timeout_s)
            if response is not None:
                _receive(response, part, start, total, progress)
            break
        except DownloadError as exc:
            if not exc.retryable or (exc.offline and attempt == 1):
                raise  # no network at all, or an answer that another try will not change
            error = exc
        except (OSError, HTTPException) as exc:  # reset or timed out mid-way: resume from the part
            error = DownloadError(f"download interrupted: {exc}")
        if attempt == attempts:
            raise DownloadError(f"{error}; run again to resume from {part}")
    actual = sha256_file(part)
    if actual != sha256.lower():
        part.unlink()
        raise ChecksumMismatch(f"{url} is not the expected file (SHA-256 {actual}, expected {sha256})")
    os.replace(part, dest)
    return dest
