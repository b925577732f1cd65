"""A bounded pool for blocking recogniser calls, with a deadline on every call.

A recogniser that raises or hangs must cost one call, not the gateway: every call runs in the
engine's executor, is awaited at most ``timeout_s`` seconds, and anything it raises becomes
``AsrFailure`` (the session then apologises and transfers). A call that timed out cannot be
killed (a native thread); it is counted as *stuck* until it returns, and the health check says so.
"""

from __future__ import annotations

import asyncio
import threading
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from voice.asr.base import AsrFailure, AsrHealth, FailureLog

T = TypeVar("T")

# What native recognisers raise: CTranslate2 RuntimeError/ValueError (bad model, out of memory),
# Kaldi RuntimeError, onnxruntime RuntimeError subclasses, numpy ValueError on malformed audio.
DECODER_ERRORS: tuple[type[BaseException], ...] = (RuntimeError, ValueError, OSError, MemoryError)


class DecodePool:
    """Runs blocking decoder calls for every stream of one engine.

    The deadline counts from when a call starts running, so a decode queued behind other callers'
    decodes on a busy machine is not mistaken for a hang; waiting longer than the deadline for a
    free thread (every worker stuck) fails too.
    """

    def __init__(
        self, executor: Executor, *, workers: int, timeout_s: float | None, failures: FailureLog | None = None
    ) -> None:
        self.executor = executor
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self.failures = failures or FailureLog()
        self._lock = threading.Lock()
        self._queued = 0
        self._running: dict[int, float] = {}  # id of a running call -> when it started
        self._ids = iter(range(1 << 62))

    @property
    def busy(self) -> int:
        """Calls submitted and not yet returned (running or queued)."""
        with self._lock:
            return self._queued + len(self._running)

    @property
    def stuck(self) -> int:
        """Calls still running past the deadline (their callers gave up on them)."""
        if self.timeout_s is None:
            return 0
        horizon = time.monotonic() - self.timeout_s
        with self._lock:
            return sum(1 for started in self._running.values() if started < horizon)

    def has_room(self) -> bool:
        """True when an optional decode (a partial result) would not delay a final one."""
        return self.busy < self.workers

    def health(self) -> AsrHealth:
        return self.failures.health(stuck=self.stuck)

    async def run(
        self,
        what: str,
        fn: Callable[..., T],
        *args: object,
        wait_on_cancel: bool = False,
        on_abandoned: Callable[[], None] | None = None,
    ) -> T:
        """``fn(*args)`` in the executor; AsrFailure when it raises or passes the deadline.

        A cancelled caller (a hang-up) cannot cancel a running thread. With ``wait_on_cancel`` the
        cancellation waits until the thread is done (a caller holding a lock over per-call native
        state, which must never be entered by two threads), at most the deadline; ``on_abandoned``
        is called when the caller leaves while the thread is still inside (that state is unsafe).
        """
        loop = asyncio.get_running_loop()
        started = asyncio.Event()
        with self._lock:
            call_id = next(self._ids)
            self._queued += 1

        def tracked() -> T:
            with self._lock:
                self._queued -= 1
                self._running[call_id] = time.monotonic()
            loop.call_soon_threadsafe(started.set)
            try:
                return fn(*args)
            finally:
                with self._lock:
                    self._running.pop(call_id, None)

        try:
            job = self.executor.submit(tracked)
        except RuntimeError as exc:  # the executor was shut down (server stopping)
            with self._lock:
                self._queued -= 1
            raise AsrFailure(f"{what}: recogniser pool closed") from exc
        future = asyncio.wrap_future(job, loop=loop)
        try:
            return await self._result(what, job, future, started)
        except asyncio.CancelledError:
            if not self._drop(job) and wait_on_cancel:  # running: wait until the thread is out
                await asyncio.wait({future}, timeout=self.timeout_s)
            if not job.done() and on_abandoned is not None:
                on_abandoned()
            raise
        except AsrFailure as exc:
            if not job.done() and on_abandoned is not None:
                on_abandoned()
            self.failures.record(str(exc))
            raise
        except DECODER_ERRORS as exc:
            reason = f"{what} failed: {type(exc).__name__}: {exc}"
            self.failures.record(reason)
            raise AsrFailure(reason) from exc

    def _drop(self, job: Future[Any]) -> bool:
        """Cancel a call that has not started yet; False if it is running (or done)."""
        if not job.cancel():
            return False
        with self._lock:
            self._queued -= 1
        return True

    async def _result(
        self, what: str, job: Future[Any], future: asyncio.Future[T], started: asyncio.Event
    ) -> T:
        if self.timeout_s is None:
            return await asyncio.shield(future)
        waiter: asyncio.Future[Any] = asyncio.ensure_future(started.wait())
        either: set[asyncio.Future[Any]] = {future, waiter}
        try:
            done, _ = await asyncio.wait(either, timeout=self.timeout_s, return_when=FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if not done:
            self._drop(job)  # never started (every worker busy or stuck): it never will now
            raise AsrFailure(f"{what} waited longer than {self.timeout_s:g} s for a free decoder")
        if future.done():
            return future.result()
        try:  # running since ``started``: the deadline counts from there
            return await asyncio.wait_for(asyncio.shield(future), self.timeout_s)
        except TimeoutError as exc:
            raise AsrFailure(f"{what} took longer than {self.timeout_s:g} s") from exc
