"""The security model: a rule pack's CEL cannot run code, read files or reach a network.

Generated code may only reference declared variables, ``_c_*`` helpers from GLOBALS,
literals emitted with repr(), and locals it binds itself. These tests attack that from the
CEL side and check the generated code independently of the compiler's own verifier.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from cel_support import same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cel_cases import CASES, ENV, C, S

from registry.packs.cel import (
    GLOBALS,
    CelCompileError,
    CelError,
    CelEvalError,
    CelSyntaxError,
    Env,
    compile_expression,
    compile_to_python,
)
from registry.packs.cel.compiler import verify

LOCAL = re.compile(r"_c_v_[A-Za-z0-9_]+|_c_t[0-9]+")
SAFE_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.BinOp,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE,
    ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.IfExp, ast.Call, ast.Name,
    ast.Load, ast.Store, ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.Set, ast.Lambda,
    ast.arguments, ast.arg, ast.ListComp, ast.GeneratorExp, ast.comprehension,
    ast.NamedExpr, ast.Starred,
)  # fmt: skip


def assert_safe(src: str, variables: frozenset[str]) -> None:
    """Independent check of generated code (does not trust registry.packs.cel's verifier)."""
    tree = ast.parse(src, mode="eval")
    for node in ast.walk(tree):
        assert isinstance(node, SAFE_NODES), f"{type(node).__name__} in {src}"
        if isinstance(node, ast.Name):
            assert not node.id.startswith("__"), src
            assert (
                node.id in variables or (node.id.startswith("_c_") and node.id in GLOBALS) or LOCAL.fullmatch(node.id)
            ), f"{node.id} in {src}"
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in GLOBALS, src
        if isinstance(node, ast.Constant):
            assert type(node.value) in (str, int, float, bool, type(None), bytes), src


def test_namespace_has_no_builtins() -> None:
    assert GLOBALS["__builtins__"] == {}
    assert all(k == "__builtins__" or k.startswith("_c_") for k in GLOBALS)
    for name in ("open", "__import__", "eval", "exec", "getattr", "type", "object"):
        with pytest.raises(NameError):
            eval(name, dict(GLOBALS))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x.__class__", "no such key: __class__"),
        ("x.s.__class__", "cannot select field '__class__'"),
        ("x.__dict__", "no such key"),
        ('x["__class__"]', "no such key"),
        ("x.b.__len__", "cannot select field"),
        ("has(x.s.__class__)", "has() cannot test"),
        ("x.m.__getitem__", "no such key"),
    ],
)
def test_member_selection_is_never_attribute_access(source: str, expected: str) -> None:
    src = compile_to_python(source, ENV)
    assert "__class__" not in src.replace("'__class__'", "") and "." not in _strip_strings(src)
    with pytest.raises(CelEvalError, match=re.escape(expected)):
        compile_expression(source, ENV)({"x": {"s": "str", "b": [1], "m": {}}})


def test_selecting_from_a_constant_string_fails_at_compile_time() -> None:
    with pytest.raises(CelCompileError, match="cannot select field '__class__'"):
        compile_to_python('"".__class__', ENV)
    with pytest.raises(CelCompileError, match="cannot select field '__class__'"):
        compile_to_python("params.cutOff.__class__", ENV)


def _strip_strings(src: str) -> str:
    """Source without string/bytes literals or float literals (to look for attribute dots)."""
    out = []
    for tok in __import__("tokenize").generate_tokens(iter([src]).__next__):
        if tok.type not in (3, 2):  # STRING, NUMBER
            out.append(tok.string)
    return " ".join(out)


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "__import__",
        "__builtins__",
        "x.__import__('os')",
        "open('/etc/passwd')",
        "eval('1')",
        "getattr(x, 'a')",
        "_c_sel(x, 'a')",
        "_c_INF",
        "_c_t0",
        "_c_v_x",
        "GLOBALS",
        "lambda",
        "x.a.__class__.__mro__()",
        "print(1)",
        "os.system('ls')",
        "math.__import__('os')",
        "timestamp(x).getHours('../../../etc/passwd')",
        "type(x).__subclasses__()",
        "google.protobuf.__class__",
    ],
)
def test_hostile_names_do_not_compile(source: str) -> None:
    with pytest.raises((CelCompileError, CelSyntaxError)):
        compile_to_python(source, ENV)


@pytest.mark.parametrize(
    "source",
    [
        "[1].map(__import__, __import__)",
        "[1].map(__builtins__, __builtins__ + 1)",
        "[1].map(_c_t0, _c_t0)",
        "[1].map(_c_sel, _c_sel)",
        "{'__class__': 1}.map(k, k)",
    ],
)
def test_macro_variables_are_renamed(source: str) -> None:
    src = compile_to_python(source, ENV)
    assert_safe(src, ENV.variables)
    compile_expression(source, ENV)({})


STRINGS = [
    '"""',
    "'''",
    "\\",
    "\\'\"",
    "a\nb\rc",
    '"; __import__("os").system("x"); "',
    "'); open('/etc/passwd'); ('",
    "\x00\x01\x7f",
    "{__class__}",
    "%s %(x)s {0}",
    "é😀\u2028\u2029",
    "\\u0041",
]


@pytest.mark.parametrize("text", STRINGS)
def test_strings_round_trip_as_data(text: str) -> None:
    literal = json.dumps(text)  # a valid CEL string literal for these texts
    for source in (literal, f"{literal} + ''", f"[{literal}][0]", f"{{{literal}: 1}}.map(k, k)[0]"):
        src = compile_to_python(source, ENV)
        assert_safe(src, ENV.variables)
        assert compile_expression(source, ENV)({}) == text
    if "\\u" not in literal:  # \u escapes are not allowed in bytes literals
        assert compile_expression("b" + literal, ENV)({}) == text.encode("utf-8")
    # as a map key and as a value from the activation
    fn = compile_expression(f"x[{literal}] == {literal}", ENV)
    assert fn({"x": {text: text}}) is True


def test_triple_quoted_and_raw_strings() -> None:
    cases = {
        "'''\"\"\"'''": '"""',
        'r"\\"': "\\",
        "r'''a\\nb'''": "a\\nb",
        '"""it\'s \\"quoted\\""""': 'it\'s "quoted"',
    }
    for source, expected in cases.items():
        assert compile_expression(source, ENV)({}) == expected, source


@given(st.text(max_size=40))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_string_literal_is_data(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates cannot be CEL strings
    literal = json.dumps(text, ensure_ascii=True)  # JSON escapes are CEL escapes
    src = compile_to_python(f"{literal} == x.s && size({literal}) >= 0", ENV)
    assert_safe(src, ENV.variables)
    assert compile_expression(literal, ENV)({}) == text


@given(st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=12).filter(str.isidentifier))
@settings(max_examples=150, deadline=None)
def test_any_identifier_is_contained(name: str) -> None:
    """Any identifier either fails to compile or compiles to safe code."""
    for source in (name, f"x.{name}", f"{name}(1)", f"x.{name}()", f"[1].map({name}, {name})", f"has(x.{name})"):
        try:
            src = compile_to_python(source, ENV)
        except (CelCompileError, CelSyntaxError):
            continue
        assert_safe(src, ENV.variables)


def _all_case_sources() -> list[str]:
    return [c[0] for c in CASES if not isinstance(c[1], S | C)]


def test_generated_code_of_every_case_is_safe() -> None:
    for source in _all_case_sources():
        assert_safe(compile_to_python(source, ENV), ENV.variables)


def _pack_expressions() -> list[str]:
    root = Path(__file__).resolve().parents[2] / "rulepacks"
    found: list[str] = []

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k in ("check", "when") and isinstance(v, str):
                    found.append(v)
                else:
                    walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    for path in sorted(root.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_shipped_pack_expressions_compile_to_safe_code() -> None:
    """Every check in the shipped packs compiles (given some pack/params), safely."""
    expressions = _pack_expressions()
    if not expressions:
        pytest.skip("no rule packs in this tree")
    env = Env(frozenset({"pf", "pcf", "ext", "now", "item", "pack", "params"}))
    compiled = 0
    for source in expressions:
        try:
            src = compile_to_python(source, env)
        except CelCompileError:
            continue  # e.g. an extension function a future pack format adds
        assert_safe(src, env.variables)
        compiled += 1
    assert compiled >= len(expressions) * 0.9


def test_verifier_rejects_unsafe_python() -> None:
    variables = frozenset({"x"})
    for bad in [
        "__import__('os')",
        "x.__class__",
        "x['a']",
        "open('f')",
        "_c_sel(x, 'a').keys()",
        "(lambda: 1)()",
        "f'{x}'",
        "[y for y in x]",
        "(y := 1)",
        "_c_sel(x, k='a')",
        "(lambda a=open: a)",
        "1j",
        "...",
        "__builtins__",
        "_c_sel(*x)",
        "{**x}",
    ]:
        with pytest.raises((CelCompileError, SyntaxError)):
            verify(bad, variables)
    verify("_c_sel(x, 'a')", variables)


@pytest.mark.parametrize(
    "source",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "!" * 5000 + "true",
        "-" * 5000 + "1",
        "x" + ".a" * 5000,
        " + ".join(["1"] * 5000),
        " || ".join(["x.t"] * 5000),
        "[" * 3000 + "]" * 3000,
        "{'a': " * 3000 + "1" + "}" * 3000,
        "x" + "[0]" * 5000,
        "f(" * 3000 + ")" * 3000,
        "[1]" + ".map(i, i)" * 3000,
    ],
)
def test_deep_nesting_is_a_compile_error_not_a_crash(source: str) -> None:
    try:
        src = compile_to_python(source, ENV)
    except (CelCompileError, CelSyntaxError):
        return
    assert_safe(src, ENV.variables)  # flat forms (|| chains) may compile


def _nest(n: int, wrap: Any, leaf: str = "x.a") -> str:
    source = leaf
    for i in range(n):
        source = wrap(source, i)
    return source


SPEC_NESTINGS = {
    "parentheses": lambda s, i: f"({s})",
    "logic": lambda s, i: f"(x.b{i} {'||' if i % 2 else '&&'} {s})",
    "conditional": lambda s, i: f"(x.c ? {s} : x.d)",
    "negated logic": lambda s, i: f"!({s} || x.e)",
    "macros": lambda s, i: f"[1].exists(v{i}, {s} == 1 || x.zz)",
    "arithmetic": lambda s, i: f"({s} + x.a)",
    "index": lambda s, i: f"{s}[0]",
    "calls": lambda s, i: f"size(string({s}))",
    "relations": lambda s, i: f"({s} == x.b)",
    "lists": lambda s, i: f"[{s}, x.a]",
    "maps": lambda s, i: f"{{'k': {s}}}",
    "selection": lambda s, i: f"{s}.f{i}",
}


@pytest.mark.parametrize("shape", sorted(SPEC_NESTINGS))
def test_spec_minimum_nesting_is_supported(shape: str) -> None:
    """CEL requires 32 levels of nesting and 32 repetitions of each operator."""
    src = compile_to_python(_nest(32, SPEC_NESTINGS[shape]), ENV)
    assert_safe(src, ENV.variables)
    compile_to_python(" && ".join(["x.t"] * 32), ENV)
    compile_to_python("[" + ", ".join(["x.a"] * 32) + "]", ENV)
    compile_to_python("math.greatest(" + ", ".join(["x.a"] * 32) + ")", ENV)
    assert compile_expression(" || ".join(["x.zz == 1"] * 32) + " || true", ENV)({"x": {}}) is True


def test_regex_is_linear_time() -> None:
    fn = compile_expression('x.s.matches("(a+)+$")', ENV)
    assert fn({"x": {"s": "a" * 5000 + "!"}}) is False  # catastrophic for backtracking engines


def test_evaluation_raises_only_cel_errors_on_hostile_data() -> None:
    class Evil:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("evil")

        __hash__ = object.__hash__

    sources = [
        "sum([x.a, 1.5])",
        "x.a == 1",
        "x.a < 1",
        "x.a + 1",
        "size(x.a)",
        "x.a in [1]",
        "string(x.a)",
        "x.a.b",
        "has(x.a.b)",
        "x.a[0]",
        "double(x.a)",
        "timestamp(x.a)",
        "x.a.all(i, true)",
        "x.a == 'a'",
    ]
    nested: Any = []
    for _ in range(5000):
        nested = [nested]
    for source in sources:
        fn = compile_expression(source, ENV)
        for value in (Evil(), object(), {1, 2}, nested, b"\xff", float("nan"), 2**80, -(2**80), 10**400):
            try:
                fn({"x": {"a": value}})
            except CelEvalError:
                continue
            except RuntimeError as e:  # only the host's own object may raise its own error
                assert str(e) == "evil"


def test_deeply_nested_data_equality_is_an_eval_error() -> None:
    a: Any = []
    b: Any = []
    for _ in range(10000):
        a, b = [a], [b]
    fn = compile_expression("x.a == x.b", ENV)
    with contextlib.suppress(CelEvalError):
        assert fn({"x": {"a": a, "b": b}}) is True


def test_compiled_code_does_not_leak_state_between_calls() -> None:
    fn = compile_expression("!has(x.a) || x.a > 0", ENV)
    assert fn({"x": {"a": 1}}) is True
    assert fn({"x": {}}) is True
    with pytest.raises(CelEvalError):
        fn({"x": 5})
    assert fn({"x": {"a": -1}}) is False
    assert not any(LOCAL.fullmatch(k) for k in GLOBALS)


def test_errors_have_a_common_root() -> None:
    for cls in (CelSyntaxError, CelCompileError, CelEvalError):
        assert issubclass(cls, CelError)
    e = CelCompileError("m", 2, 3)
    assert (e.message, e.line, e.column) == ("m", 2, 3)
    assert str(e) == "m (line 2, column 3)"
    assert same(CelEvalError("x").line, None)
