"""JSON values in the exporters: pointers, copies, key order, and short renderings for messages."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any


def ptr(*parts: object) -> str:
    return "".join(["/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts])


def show(value: object, limit: int = 80) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clone(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clone(v) for v in value]
    return value


def ordered(values: dict[str, Any], order: Iterable[str]) -> dict[str, Any]:
    out = {k: values[k] for k in order if k in values}
    out.update((k, v) for k, v in values.items() if k not in out)
    return out
