"""Shared helpers for the CEL tests: strict value comparison and the cel-python oracle."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import celpy
from celpy import celtypes

from registry.packs.cel import CelType, CelUint


def same(actual: Any, expected: Any) -> bool:
    """CEL value identity: type and value must agree (1, 1.0, 1u and true all differ);
    lists and tuples are the same kind; NaN equals NaN; -0.0 differs from 0.0."""
    ta, te = type(actual), type(expected)
    if ta in (list, tuple) and te in (list, tuple):
        return len(actual) == len(expected) and all(same(a, e) for a, e in zip(actual, expected, strict=True))
    if ta is not te:
        return False
    if ta is float:
        if math.isnan(actual) or math.isnan(expected):
            return math.isnan(actual) and math.isnan(expected)
        return bool(actual == expected and math.copysign(1.0, actual) == math.copysign(1.0, expected))
    if ta is dict:
        if len(actual) != len(expected):
            return False
        for k, v in actual.items():
            match = [ek for ek in expected if type(ek) is type(k) and ek == k]
            if not match or not same(v, expected[match[0]]):
                return False
        return True
    return bool(actual == expected)


class Unsupported(Exception):
    """cel-python produced a value we cannot convert (a bug on its side)."""


def from_celpy(value: Any) -> Any:
    """Convert a cel-python result to our value representation."""
    if value is None:
        return None
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.UintType):
        return CelUint(int(value))
    if isinstance(value, celtypes.IntType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.BytesType):
        return bytes(value)
    if isinstance(value, celtypes.TimestampType):
        v = value
        naive = datetime(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond)
        return (naive - (v.utcoffset() or timedelta(0))).replace(tzinfo=UTC)
    if isinstance(value, celtypes.DurationType):
        return timedelta(days=value.days, seconds=value.seconds, microseconds=value.microseconds)
    if isinstance(value, list | tuple):
        return [from_celpy(v) for v in value]
    if isinstance(value, dict):
        return {from_celpy(k): from_celpy(v) for k, v in value.items()}
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, type):
        raise Unsupported(f"type value {value!r}")
    raise Unsupported(f"{type(value).__name__}: {value!r}")


# Built at import: celpy.Environment() raises the recursion limit, which hypothesis warns
# about when it happens in the middle of a test.
_CELPY_ENV = celpy.Environment()


def celpy_eval(source: str, activation: dict[str, Any]) -> tuple[str, Any]:
    """("ok", value) or ("error", message) from cel-python's interpreter."""
    env = _CELPY_ENV
    try:
        program = env.program(env.compile(source))
        result = program.evaluate({k: celpy.json_to_cel(v) for k, v in activation.items()})
    except celpy.CELEvalError as e:
        return ("error", str(e.args[0]) if e.args else "error")
    except celpy.CELParseError as e:
        return ("syntax", str(e))
    except Exception as e:  # cel-python crashed (its bug, e.g. a Python ValueError)
        raise Unsupported(f"cel-python raised {type(e).__name__}: {e}") from e
    if isinstance(result, celpy.CELEvalError):
        return ("error", str(result.args[0]) if result.args else "error")
    return ("ok", from_celpy(result))


def cel_type_name(value: Any) -> str:
    if isinstance(value, CelType):
        return value.name
    return type(value).__name__
