"""Failed credential checks, counted per client id and per source address: an in-process limiter.

Pure: no clock and no I/O inside; every call is given ``now`` (seconds, any monotonic origin).
A key (``("client", id)`` or ``("address", ip)``) that failed as many times as its kind's limit
within the last ``window`` seconds is refused until its oldest counted failure leaves the window;
the refusal costs no hash check, so bogus credentials cannot make the registry burn its CPU on
scrypt. A success clears the client id's count (not the address's: one good client behind an
address must not unlock guessing from it).

The defaults and their sources:

* 100 failures per client id: NIST SP 800-63B, section 5.2.2 (rate limiting): "the verifier SHALL
  limit consecutive failed authentication attempts on a single account to no more than 100".
* 5 failures per source address: the CIS Microsoft Windows benchmarks, 1.2.2 "Ensure 'Account
  lockout threshold' is set to '5 or fewer invalid logon attempt(s), but not 0'". Our secrets are
  256-bit random tokens that a client copies, not passwords people type, so a genuine client
  rarely fails at all; an address is where a flood of made-up client ids comes from.
* a window of 900 seconds: the 15 minutes of "reset account lockout counter after" that DISA
  STIG WN11-AC-000015 requires.

One process counts its own failures; with several workers an attacker gets the limit once per
worker and window, still a bounded number (see docs/security.md).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

Key = tuple[str, str]

NIST_800_63B_MAX_FAILURES = 100
CIS_LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW_SECONDS = 15 * 60
DEFAULT_LIMITS = {"client": NIST_800_63B_MAX_FAILURES, "address": CIS_LOCKOUT_THRESHOLD}


@dataclass(frozen=True)
class Blocked:
    """A refusal: which key (``("client", id)`` or ``("address", ip)``) and for how many seconds."""

    key: Key
    retry_after: int


@dataclass
class FailureLimiter:
    """Counts failures per key within a sliding window; thread-safe."""

    limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))  # failures allowed, by key kind
    window: float = LOCKOUT_WINDOW_SECONDS
    _failures: dict[Key, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _next_prune: float = field(default=-math.inf, repr=False)

    def __post_init__(self) -> None:
        if min(self.limits.values(), default=0) < 1 or self.window <= 0:
            raise ValueError(f"limits must be at least 1 and window positive (got {self.limits}, {self.window})")

    def blocked(self, keys: Iterable[Key], now: float) -> Blocked | None:
        """The refused key that waits longest, with whole seconds (at least 1) until it may try again."""
        with self._lock:
            waits = [(wait, key) for key in keys if (wait := self._wait(key, now)) is not None]
        if not waits:
            return None
        wait, key = max(waits)
        return Blocked(key, max(1, math.ceil(wait)))

    def failed(self, keys: Iterable[Key], now: float) -> None:
        """Count one failure against each key."""
        with self._lock:
            for key in keys:
                times = self._failures.setdefault(key, deque(maxlen=self._limit(key)))
                times.append(now)
            if now >= self._next_prune:  # forget expired keys once a window: memory follows live keys
                self._prune(now)
                self._next_prune = now + self.window

    def succeeded(self, key: Key) -> None:
        """Forget the failures of ``key`` (a client id that has just authenticated)."""
        with self._lock:
            self._failures.pop(key, None)

    def _wait(self, key: Key, now: float) -> float | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        if len(times) < self._limit(key):
            return None
        return times[0] + self.window - now

    def _limit(self, key: Key) -> int:
        return self.limits.get(key[0], NIST_800_63B_MAX_FAILURES)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            self._wait(key, now)
