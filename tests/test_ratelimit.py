"""The failure limiter: pure, time given (registry.service.ratelimit)."""

from __future__ import annotations

import pytest

from registry.service.ratelimit import DEFAULT_LIMITS, FailureLimiter


def test_blocks_after_the_limit_until_the_oldest_failure_leaves_the_window() -> None:
    limiter = FailureLimiter({"client": 2, "address": 3}, window=60)
    keys = [("client", "cli_a"), ("address", "192.0.2.1")]
    limiter.failed(keys, 0)
    assert limiter.blocked(keys, 1) is None
    limiter.failed(keys, 10)
    blocked = limiter.blocked(keys, 20)
    assert blocked is not None and blocked.key == ("client", "cli_a") and blocked.retry_after == 40
    assert limiter.blocked([("address", "192.0.2.1")], 20) is None  # the address may fail once more
    assert limiter.blocked(keys, 59.5) is not None and limiter.blocked(keys, 60) is None  # first one gone


def test_success_clears_the_client_not_the_address() -> None:
    limiter = FailureLimiter({"client": 1, "address": 1}, window=60)
    limiter.failed([("client", "c"), ("address", "a")], 0)
    limiter.succeeded(("client", "c"))
    assert limiter.blocked([("client", "c")], 1) is None
    assert limiter.blocked([("address", "a")], 1) is not None


def test_defaults_are_the_cited_ones_and_nonsense_is_refused() -> None:
    assert DEFAULT_LIMITS == {"client": 100, "address": 5} and FailureLimiter().window == 900
    with pytest.raises(ValueError, match="limits"):
        FailureLimiter({"client": 0})
