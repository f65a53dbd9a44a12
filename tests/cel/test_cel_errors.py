"""Compile-time errors: positions, messages, and robustness against arbitrary input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cel_cases import ENV

from registry.packs.cel import CelCompileError, CelEvalError, CelSyntaxError, Env, compile_expression, compile_to_python


@pytest.mark.parametrize(
    ("source", "line", "column", "text"),
    [
        ("params.cutOffPercnt", 1, 8, "no such key 'cutOffPercnt' in params"),
        ("x.a == 1 &&\n  params.nested.zz", 2, 17, "no such key 'zz' in params.nested"),
        ("x.a == 1 &&\n   y.b > 0", 2, 4, "undeclared reference to 'y.b'"),
        ("1 + foo(2)", 1, 5, "undeclared reference to function 'foo'"),
        ("x.s.frobnicate()", 1, 5, "undeclared reference to function 'frobnicate'"),
        ('x.s.matches("(")', 1, 5, "invalid regular expression"),
        ("x.s.matches(x.t)", 1, 5, "must be a constant string"),
        ("\n\n  1 + 'a'", 3, 5, "no matching overload for '_+_' applied to (int, string)"),
        ("[1].all(1, true)", 1, 9, "needs a variable name"),
        ("{'a': 1, 'a': 2}", 1, 10, "duplicate map key"),
        ("now.getHours('Mars/Olympus')", 1, 5, "unsupported time zone"),
    ],
)
def test_compile_errors_carry_positions(source: str, line: int, column: int, text: str) -> None:
    with pytest.raises(CelCompileError) as err:
        compile_to_python(source, ENV)
    assert text in err.value.message
    assert (err.value.line, err.value.column) == (line, column)


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("1 +", None, None),
        ("1 + * 2", 1, 5),
        ("x.a ==\n  == 2", 2, 3),
        ("'unterminated", 1, 1),
        ("x.a $ 1", 1, 5),
        ('"\\q"', 1, 1),
        ("9223372036854775808", 1, 1),
        ("x.if", 1, 3),
    ],
)
def test_syntax_errors_carry_positions(source: str, line: int | None, column: int | None) -> None:
    with pytest.raises(CelSyntaxError) as err:
        compile_to_python(source, ENV)
    if line is not None:
        assert (err.value.line, err.value.column) == (line, column)
    assert err.value.message


def test_non_string_source_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        compile_to_python(b"1", ENV)  # type: ignore[arg-type]


GARBAGE_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@GARBAGE_SETTINGS
@given(st.text(max_size=60))
def test_arbitrary_text_only_raises_cel_errors(source: str) -> None:
    with contextlib.suppress(CelSyntaxError, CelCompileError):
        compile_to_python(source, ENV)


TOKENS = [
    "x", "now", "u", "params", "a", "_b", ".", ",", "(", ")", "[", "]", "{", "}", ":", "?", "!", "-",
    "+", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "in", "1", "1u", "2.5", "0x1F",
    "'s'", '"\\n"', "r'\\d'", "b'x'", "'''t'''", "true", "false", "null", "has", "all", "exists",
    "exists_one", "map", "filter", "size", "int", "double", "string", "timestamp", "duration",
    "matches", "math", "greatest", "abs", "sum", "addYears", "isDecimal", "getHours", "type",
    "dyn", "__class__", "__import__", "_c_sel", " ",
]  # fmt: skip


@GARBAGE_SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_token_soup_only_raises_cel_errors(tokens: list[str]) -> None:
    source = " ".join(tokens)
    with contextlib.suppress(CelSyntaxError, CelCompileError):
        compile_to_python(source, ENV)


def test_empty_environment() -> None:
    env = Env(frozenset())
    assert compile_to_python("1 + 2", env) == "3"
    with pytest.raises(CelCompileError):
        compile_to_python("x", env)


FUNCTIONS = [
    "size", "int", "uint", "double", "string", "bytes", "bool", "dyn", "type", "timestamp",
    "duration", "matches", "sum", "addYears", "isDecimal", "has", "math.greatest", "math.least",
    "math.abs", "math.ceil", "math.round", "math.isNaN", "foo",
]  # fmt: skip
METHODS = [
    "size", "contains", "startsWith", "endsWith", "matches", "lowerAscii", "upperAscii", "trim",
    "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfYear", "getDayOfWeek",
    "getHours", "getMinutes", "getSeconds", "getMilliseconds", "addYears", "all", "exists",
    "exists_one", "map", "filter", "bar",
]  # fmt: skip
LEAVES = [
    "x", "x.a", "x.s", "x.l", "x.m", "x.n", "x.f", "x.t", "x.ts", "x.d", "x.zz", "now", "u",
    "params", "params.cutOff", "params.reports", "params.nested", "params.pattern", "int", "string",
    "1", "-1", "0", "2u", "1.5", "0.0", "'a'", "'^a'", "'1.5'", "'2026-01-01T00:00:00Z'", "'1h'",
    "b'b'", "true", "false", "null", "[]", "[1, 2]", "['a']", "{}", "{'a': 1}", "{1: 'b'}", "i",
    "'+05:00'", "9223372036854775807",
]  # fmt: skip
OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in", "&&", "||"]


@st.composite
def grammar_expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(LEAVES))
    sub = grammar_expressions(depth - 1)
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return f"({draw(sub)} {draw(st.sampled_from(OPERATORS))} {draw(sub)})"
    if kind == 1:
        return f"{draw(st.sampled_from(['!', '-']))}{draw(sub)}"
    if kind == 2:
        return f"({draw(sub)} ? {draw(sub)} : {draw(sub)})"
    if kind == 3:
        args = draw(st.lists(sub, max_size=3))
        return f"{draw(st.sampled_from(FUNCTIONS))}({', '.join(args)})"
    if kind == 4:
        args = draw(st.lists(sub, max_size=3))
        if args and draw(st.booleans()):
            args[0] = draw(st.sampled_from(["i", "v"]))
        return f"{draw(sub)}.{draw(st.sampled_from(METHODS))}({', '.join(args)})"
    if kind == 5:
        return f"{draw(sub)}[{draw(sub)}]"
    if kind == 6:
        return f"{draw(sub)}.{draw(st.sampled_from(['a', 's', 'k', 'cutOff', 'zz']))}"
    items = draw(st.lists(sub, max_size=3))
    if draw(st.booleans()):
        return "[" + ", ".join(items) + "]"
    return "{" + ", ".join(f"{k}: {k}" for k in items) + "}"


FUZZ_ACTIVATION = {
    "x": {
        "a": 1,
        "s": "s",
        "l": [1, "a", None],
        "m": {"k": [1]},
        "n": None,
        "f": 2.5,
        "t": True,
        "ts": "2026-01-01T00:00:00Z",
        "d": "1.5",
    },
    "now": __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC),
    "u": __import__("registry.packs.cel").packs.cel.CelUint(3),
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grammar_expressions())
def test_random_grammar_compiles_or_fails_cleanly(source: str) -> None:
    try:
        fn = compile_expression(source, ENV)
    except (CelSyntaxError, CelCompileError):
        return
    with contextlib.suppress(CelEvalError):
        fn(FUZZ_ACTIVATION)
