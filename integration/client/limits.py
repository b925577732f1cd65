"""In-memory request limits and credential lock-outs, shared by every process that faces clients.

Valid Python 3.10 without dependencies: the Rasa channel (bot environment) uses it as well as the
web service, the voice gateway and the case service. One process keeps its own counts; several
processes behind a load balancer each enforce their share (a shared store is the scale-out
profile's job, like the live-event hub's).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from integration.envparse import env_float, env_int

Clock = Callable[[], float]
MAX_KEYS = 50_000  # distinct clients remembered; the least recently seen are forgotten first


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` events per ``window_s`` seconds; ``limit`` 0 switches the limit off."""

    limit: int
    window_s: float = 60.0


class RateLimiter:
    """A sliding window per key (an IP address, a conversation id, a token's name)."""

    def __init__(self, rate: Rate, clock: Clock = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        self.rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> float:
        """Count one event; 0 if it is allowed, else the seconds until the next one would be."""
        if self.rate.limit <= 0:
            return 0.0
        now = self._clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.rate.window_s:
            hits.popleft()
        self._hits[key] = hits  # most recently seen last
        if len(self._hits) > self._max_keys:
            self._hits.popitem(last=False)
        if len(hits) >= self.rate.limit:
            return max(hits[0] + self.rate.window_s - now, 0.001)
        hits.append(now)
        return 0.0


@dataclass(frozen=True)
class LockPolicy:
    """``max_failures`` wrong credentials within ``window_s`` lock the source for ``lock_s``;
    ``max_failures`` 0 switches lock-outs off."""

    max_failures: int = 10
    window_s: float = 600.0
    lock_s: float = 900.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LockPolicy:
        """AUTH_MAX_FAILURES, AUTH_FAILURE_WINDOW_S, AUTH_LOCKOUT_S: the same in every service."""
        return cls(
            max_failures=env_int(env, "AUTH_MAX_FAILURES", 10),
            window_s=env_float(env, "AUTH_FAILURE_WINDOW_S", 600.0),
            lock_s=env_float(env, "AUTH_LOCKOUT_S", 900.0),
        )


def fingerprint(credential: str) -> str:
    """A short hash of a credential, so that it is never kept in memory as given."""
    return hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class LockOut:
    """Counts wrong credentials per source and locks a source that has too many.

    While a source is locked, only credentials it already presented successfully before the lock
    are still accepted (OWASP's "device cookie" idea): a guesser is stopped, but a service sharing
    the guesser's address (every local process is 127.0.0.1) keeps working.
    """

    def __init__(self, policy: LockPolicy, clock: Clock = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        self.policy = policy
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._locked_until: OrderedDict[str, float] = OrderedDict()
        self._trusted: OrderedDict[str, set[str]] = OrderedDict()
        self._max_keys = max_keys

    def locked(self, source: str, credential: str | None = None) -> float:
        """Seconds the source stays locked for this credential; 0 when it may try."""
        until = self._locked_until.get(source)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            self._locked_until.pop(source, None)
            return 0.0
        if credential and fingerprint(credential) in self._trusted.get(source, set()):
            return 0.0
        return left

    def failed(self, source: str) -> float:
        """Record a wrong credential; the seconds of lock-out it caused (0 while under the limit)."""
        if self.policy.max_failures <= 0:
            return 0.0
        now = self._clock()
        failures = self._failures.pop(source, None) or deque()
        while failures and failures[0] <= now - self.policy.window_s:
            failures.popleft()
        failures.append(now)
        self._failures[source] = failures
        if len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)
        if len(failures) < self.policy.max_failures:
            return 0.0
        failures.clear()
        self._locked_until[source] = now + self.policy.lock_s
        self._locked_until.move_to_end(source)
        if len(self._locked_until) > self._max_keys:
            self._locked_until.popitem(last=False)
        return self.policy.lock_s

    def succeeded(self, source: str, credential: str) -> None:
        """Remember a credential that worked from this source (it stays usable during a lock)."""
        if source in self._locked_until:  # a credential first seen during a lock earns no trust
            return
        trusted = self._trusted.pop(source, set())
        if len(trusted) < 16:
            trusted.add(fingerprint(credential))
        self._trusted[source] = trusted
        if len(self._trusted) > self._max_keys:
            self._trusted.popitem(last=False)
