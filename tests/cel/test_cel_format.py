"""_c_format (values in human messages) and the textual forms of timestamps and durations."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.packs.cel import GLOBALS, CelEvalError, CelType, CelUint, Env, compile_expression

fmt = GLOBALS["_c_format"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain text", "plain text"),
        ("", ""),
        (5, "5"),
        (-12, "-12"),
        (CelUint(7), "7"),
        (5.0, "5"),
        (0.1, "0.1"),
        (2.5, "2.5"),
        (-0.0, "-0"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-07"),
        (123456789.0, "123456789"),
        (1.3800000000000001, "1.38"),
        (0.1 + 0.2, "0.3"),
        (-0.30000000000000004, "-0.3"),
        (1.2345678901234567e-20, "1.23456789012346e-20"),
        (0.123456789012345, "0.123456789012345"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        ([1, "a", 2.0, None, True], '[1, "a", 2, null, true]'),
        ((1, 2), "[1, 2]"),
        ({"k": "v", "n": [1]}, '{"k": "v", "n": [1]}'),
        ({1: "a"}, '{"1": "a"}'),
        ('quote " and \\', 'quote " and \\'),
        (['quote " é'], '["quote \\" é"]'),
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00Z"),
        (datetime(2026, 1, 1, 0, 0, 0, 250000, tzinfo=UTC), "2026-01-01T00:00:00.25Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (timedelta(hours=1), "3600s"),
        (timedelta(seconds=1.5), "1.5s"),
        (timedelta(microseconds=-1), "-0.000001s"),
        (timedelta(0), "0s"),
        (b"\x00\xff", "AP8="),
        (CelType("int"), "int"),
    ],
)
def test_format(value: Any, text: str) -> None:
    assert fmt(value) == text


def test_format_of_evaluated_values() -> None:
    env = Env(frozenset({"pcf"}))
    assert fmt(compile_expression("double(pcf.x) * 2.0", env)({"pcf": {"x": "2.5"}})) == "5"
    assert fmt(compile_expression("timestamp(pcf.t)", env)({"pcf": {"t": "2026-01-01T01:00:00+01:00"}})) == (
        "2026-01-01T00:00:00Z"
    )
    assert fmt(compile_expression("duration('1h30m')", env)({})) == "5400s"


def test_format_of_non_utc_timestamps_converts_to_utc() -> None:
    from datetime import timezone

    value = datetime(2026, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert fmt(value) == "2026-01-01T00:00:00Z"


def test_now_with_another_offset_is_normalised() -> None:
    from datetime import timezone

    env = Env(frozenset({"now"}))
    now = datetime(2026, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert compile_expression("now.getHours()", env)({"now": now}) == 0
    assert compile_expression("timestamp(now) == timestamp('2026-01-01T00:00:00Z')", env)({"now": now}) is True
    naive = datetime(2026, 1, 1)
    with pytest.raises(CelEvalError, match="timezone-aware"):
        compile_expression("now.getHours()", env)({"now": naive})
    with pytest.raises(CelEvalError):
        compile_expression("now < timestamp('2026-01-01T00:00:00Z')", env)({"now": naive})


def test_format_of_deeply_nested_values_does_not_crash() -> None:
    deep: Any = []
    for _ in range(10000):
        deep = [deep]
    assert fmt(deep) == "[...]"
