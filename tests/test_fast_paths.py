"""Fast paths of the compiled pack function change no outcome.

The pack function is rewritten after compilation (registry.packs.cel.cse): common subexpressions
shared (``_c_idx(x, 'k')`` and ``_c_sel(x, 'k')`` as one), map access by a string key
inlined, ``double()`` of strings remembered for one evaluation. These tests compare the
raw outcome of every rule (value, or error and its message) with the plain function.
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pack_support import bundled, plain_compiled

from registry.declarations.declaration import prepare
from registry.packs.cel import GLOBALS, CelEvalError
from registry.packs.cel.cse import GLOBALS as CSE_GLOBALS
from registry.packs.cel.cse import SENTINEL, share_subexpressions
from registry.packs.cel.runtime import double, double_memo, in_
from registry.packs.engine import CompiledPack

NOW = datetime(2026, 6, 30, tzinfo=UTC)

_ODD: list[Any] = [
    "abc", "-1", "0", "1e3", "12.5", " 1", "1 ", "1_0", "\u0661\u0662", "inf", "nan", "", "2026-01-01T00:00:00Z",
    None, True, False, 1, -2, 1.5, [1], ["AR6"], [], {}, {"a": 1}, {"ruleId": 1}, {"ruleId": "x"},
]  # fmt: skip


def _pair(ref: str) -> tuple[CompiledPack, CompiledPack]:
    """(the pack as shipped, with the rewritten function; the same pack with the plain function)."""
    return bundled().compiled(ref), plain_compiled(ref)


def _outcome(value: Any) -> Any:
    if isinstance(value, CelEvalError):
        return ("error", value.message)
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def _run(pack: CompiledPack, pf: Any, pcf: Any, ext: Any) -> list[tuple[int, Any]]:
    return [(i, _outcome(o)) for i, o in pack._evaluate(pf, pcf, ext, NOW)]


def _refs() -> list[str]:
    return [p.ref for p in bundled().packs() if p.data.get("example")]


def _mutate(data: st.DataObject, node: Any) -> None:
    """Replace a few values anywhere below ``node`` by odd values."""
    for _ in range(data.draw(st.integers(1, 4))):
        current = node
        while isinstance(current, (dict, list)) and current:
            keys = list(current.keys()) if isinstance(current, dict) else list(range(len(current)))
            key = data.draw(st.sampled_from(keys))
            if data.draw(st.booleans()) or not isinstance(current[key], (dict, list)):
                if isinstance(current, dict) and data.draw(st.booleans()):
                    del current[key]
                else:
                    current[key] = copy.deepcopy(data.draw(st.sampled_from(_ODD)))
                break
            current = current[key]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_rewritten_pack_function_gives_the_plain_outcomes(data: st.DataObject) -> None:
    ref = data.draw(st.sampled_from(_refs()))
    fast, plain = _pair(ref)
    example = fast.resolved.example
    assert example is not None
    doc = copy.deepcopy(example)
    _mutate(data, doc)
    prepared = prepare(doc)
    pf = prepared.document
    pcf = pf.get("pcf") if isinstance(pf, dict) else None
    ext: Any = prepared.extension
    shape = data.draw(st.sampled_from(["as is", "pcf odd", "ext odd", "ordered dicts"]))
    if shape == "pcf odd":
        pcf = copy.deepcopy(data.draw(st.sampled_from(_ODD)))
    elif shape == "ext odd":
        ext = copy.deepcopy(data.draw(st.sampled_from(_ODD)))
    elif shape == "ordered dicts":  # a dict subclass is not a CEL map: the helpers' errors
        pcf = OrderedDict(pcf) if isinstance(pcf, dict) else pcf
        ext = OrderedDict(ext)
    expected = _run(plain, pf, pcf, ext)
    assert _run(fast, copy.deepcopy(pf), copy.deepcopy(pcf), copy.deepcopy(ext)) == expected
    # and once more: nothing is remembered from one evaluation to the next
    assert _run(fast, pf, pcf, ext) == expected


@pytest.mark.parametrize("ref", _refs())
def test_every_example_gives_the_plain_findings(ref: str) -> None:
    fast, plain = _pair(ref)
    example = fast.resolved.example
    assert fast.validate(copy.deepcopy(example), now=NOW).to_json() == plain.validate(example, now=NOW).to_json()


_TEXTS = st.one_of(
    st.sampled_from([*_ODD[:13], "+1", "-0", ".5", "5.", "1e", "0x10", "\t2", "3\n", "Infinity", "-inf", "1\x00"]),
    st.text(alphabet="0123456789+-.eE_ \t\n\u0661x", max_size=8),
    st.text(max_size=6),
)


@given(st.lists(_TEXTS, max_size=6))
def test_double_memo_is_double(texts: list[str]) -> None:
    memo: dict[str, float] = {}
    for text in texts * 2:  # the second round reads the memo
        try:
            expected: Any = double(text)
        except CelEvalError as e:
            expected = ("error", e.message)
        try:
            got: Any = double_memo(memo, text)
        except CelEvalError as e:
            got = ("error", e.message)
        assert _outcome(got) == _outcome(expected)
    for other in (1, 1.5, True, None, [1]):
        try:
            expected = _outcome(double(other))
        except CelEvalError as e:
            expected = ("error", e.message)
        try:
            got = _outcome(double_memo(memo, other))
        except CelEvalError as e:
            got = ("error", e.message)
        assert got == expected


def test_in_on_a_map_with_a_string_key() -> None:
    m = {"a": 1, 1: 2}
    assert in_("a", m) is True and in_("b", m) is False and in_(1, m) is True
    assert in_(1, {True: 1}) is False and in_(True, {1: 1}) is False  # CEL keeps bool and int apart
    assert in_("a", ["a"]) is True
    with pytest.raises(CelEvalError):
        in_("a", "abc")


def _compile(source: str) -> Any:
    namespace = dict(GLOBALS)
    namespace.update(CSE_GLOBALS)
    namespace[SENTINEL] = object()
    exec(compile(source, "<test>", "exec"), namespace)
    return namespace["f"]


def _capture(fn: Any, *args: Any) -> Any:
    try:
        return ("value", fn(*args))
    except CelEvalError as e:
        return ("raised", e.message)


@pytest.mark.parametrize(
    "expr",
    [
        "_c_idx(pcf, 'k') == _c_sel(pcf, 'k')",
        "_c_double(_c_sel(pcf, 'k')) + _c_double(_c_idx(pcf, 'k'))",
        "_c_in('k', pcf) and _c_has(pcf, 'k')",
        "_c_has_s(pcf, 'k')",
        "_c_sel_s(pcf, 'k')",
        "_c_sel(_c_sel(ext, 'a'), 'k')",
        "_c_in(_c_sel(ext, 'a'), pcf)",
        "_c_all(('k', 'j'), lambda _c_v_f: _c_in(_c_v_f, pcf))",
        "_c_exists(_c_sel(ext, 'l'), lambda _c_v_a: 'x' == _c_sel(_c_v_a, 'k'))",
    ],
)
def test_rewrite_of_map_access_keeps_values_and_errors(expr: str) -> None:
    plain = _compile(f"def f(pf, pcf, ext, now):\n    return {expr}\n")
    source = share_subexpressions(f"def f(pf, pcf, ext, now):\n    _a = {expr}\n    return ({expr}, _a)\n")
    assert "_x_" in source
    fast = _compile(source)
    values: list[Any] = [
        {"k": "1.5", "j": 0, "a": "k", "l": [{"k": "x"}]},
        {"k": "x"},
        {"j": 1, "a": {"k": "2"}, "l": [1, {"k": "y"}]},
        OrderedDict(k="1"),
        ["k"],
        "k",
        None,
    ]
    for pcf in values:
        for ext in values:
            expected = _capture(plain, None, pcf, ext, NOW)
            got = _capture(fast, None, pcf, ext, NOW)
            if expected[0] == "raised":
                assert got == expected
            else:
                assert got[0] == "value"
                assert [_outcome(v) for v in got[1]] == [_outcome(expected[1])] * 2


_ITEMS = st.one_of(
    st.fixed_dictionaries({"k": st.sampled_from(["x", "y", 1, None, ["x"]])}),
    st.sampled_from([{}, {"j": "x"}, "x", 1, None, ["x"], OrderedDict(k="x")]),
)


@given(st.one_of(st.lists(_ITEMS, max_size=5), st.sampled_from([None, "x", 1, {"x": 1}, {}])))
def test_exists_eq_is_exists(items: Any) -> None:
    from registry.packs.cel.runtime import exists, exists_eq, sel

    expected = _capture(exists, items, lambda x: "x" == sel(x, "k"))  # noqa: SIM300 - the compiled form
    assert _capture(exists_eq, items, "k", "x") == expected
