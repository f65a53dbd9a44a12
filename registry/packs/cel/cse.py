"""Common subexpressions across a compiled pack's rules, computed once per declaration.

Many rules read the same decimal (``double(pcf.fossilGhgEmissions)`` appears in the sign
rule, both aggregation formulas and a plausibility check). The compiled function is
rewritten so that each such repeated, pure subexpression is evaluated at most once per
call, lazily: ``(_mN if _mN is not _U else (_mN := <expr>))``. If ``<expr>`` raises, the
variable stays unset and the next use raises again, so each rule still sees exactly the
error CEL semantics give it. Only calls of pure runtime helpers on the runtime variables
and constants qualify; nothing inside a lambda or comprehension is touched.

``_c_idx(x, 'k')`` and ``_c_sel(x, 'k')`` (a constant string key) share one variable:
both succeed exactly when ``x`` is a map holding ``'k'``, with the same value, so whichever
runs first may provide the value for the other; each still raises its own error.

Finally, map access by a string key is inlined (:func:`inline_map_access`): the dict fast
path runs in the function itself and only any other case calls the helper.
"""

from __future__ import annotations

import ast
import copy
from collections import Counter
from typing import Any

from registry.packs.cel.runtime import double_memo, exists_eq

PURE_HELPERS = frozenset(
    {"_c_double", "_c_sel", "_c_sel_s", "_c_idx", "_c_int", "_c_timestamp", "_c_size", "_c_has_s", "_c_in"}
)
RUNTIME_NAMES = frozenset({"pf", "pcf", "ext", "now"})
SENTINEL = "_c_UNSET"
# Names the inlined fast paths use; the function's globals must bind them (see GLOBALS).
GLOBALS: dict[str, Any] = {
    "_x_type": type,
    "_x_dict": dict,
    "_x_str": str,
    "_x_double": double_memo,
    "_x_exists_eq": exists_eq,
}
MEMO = "_x_memo"
_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.FunctionDef)


def _is_pure(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in RUNTIME_NAMES
    if isinstance(node, ast.Call):
        return (
            isinstance(node.func, ast.Name)
            and node.func.id in PURE_HELPERS
            and not node.keywords
            and all(_is_pure(a) for a in node.args)
        )
    return False


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is str


class _Canonical(ast.NodeTransformer):
    """``_c_idx(x, 'k')`` spelled as ``_c_sel(x, 'k')``: same value whenever either succeeds."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id == "_c_idx" and len(node.args) == 2 and _is_str(node.args[1]):
            node.func = ast.Name("_c_sel", ast.Load())
        return node


def _key(node: ast.expr) -> str:
    return ast.dump(_Canonical().visit(copy.deepcopy(node)))


def _candidates(tree: ast.AST) -> Counter[str]:
    seen: Counter[str] = Counter()

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES) and not top:
                continue
            if isinstance(child, ast.Call) and _is_pure(child) and child.args:
                seen[_key(child)] += 1
            visit(child, False if isinstance(child, _SCOPES) else top)

    fn = tree.body[0] if isinstance(tree, ast.Module) else tree
    for stmt in getattr(fn, "body", []):
        visit(stmt, False)
    return seen


class _Rewrite(ast.NodeTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node

    def visit_ListComp(self, node: ast.ListComp) -> ast.AST:
        return node

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.AST:
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        name = self.names.get(_key(node))
        if name is None:
            return self.generic_visit(node)
        inner = self.generic_visit(node)
        assert isinstance(inner, ast.expr)
        return ast.IfExp(
            test=ast.Compare(ast.Name(name, ast.Load()), [ast.IsNot()], [ast.Name(SENTINEL, ast.Load())]),
            body=ast.Name(name, ast.Load()),
            orelse=ast.NamedExpr(ast.Name(name, ast.Store()), inner),
        )


def share_subexpressions(source: str) -> str:
    """Rewrite the source of one ``def`` so repeated pure subexpressions are computed once."""
    tree = ast.parse(source)
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    counts = _candidates(tree)
    names = {key: f"_m{i}" for i, (key, n) in enumerate(sorted(counts.items())) if n > 1}
    if names:
        fn.body = [_Rewrite(names).visit(stmt) for stmt in fn.body]
        init = [ast.parse(f"{n} = {SENTINEL}").body[0] for n in names.values()]
        fn.body = init + fn.body
    inline_map_access(fn)
    return ast.unparse(ast.fix_missing_locations(tree))


# Helpers with a map fast path: name -> (kind, position of the map argument).
_MAP_HELPERS = {
    "_c_sel": ("get", 0),
    "_c_sel_s": ("get", 0),
    "_c_idx": ("get", 0),
    "_c_has": ("has", 0),
    "_c_has_s": ("has", 0),
    "_c_in": ("has", 1),
}


def _name(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _is_type(value: ast.expr, type_name: str) -> ast.Compare:
    return ast.Compare(ast.Call(_name("_x_type"), [value], []), [ast.Is()], [_name(type_name)])


class _Inline(ast.NodeTransformer):
    """``_c_sel(m, 'k')`` -> ``(m['k'] if type(m) is dict and 'k' in m else _c_sel(m, 'k'))``.

    For a plain dict and a string key every helper above does exactly that (a lookup or a
    membership test; strings never meet the bool/number key rules); anything else takes
    the helper, with the map operand evaluated once, as before. The key must be a constant
    string or a name (then checked to be a str); the map a name, or, for a constant key
    outside lambdas and comprehensions, any expression, bound to a temporary.
    """

    def __init__(self) -> None:
        self.depth = 0
        self.temps = 0
        self.memo = False  # whether a double() conversion uses the evaluation's memo
        self.params: set[str] = set()  # parameters whose dict test is made once, up front

    def _scope(self, node: ast.AST) -> ast.AST:
        self.depth += 1
        try:
            return self.generic_visit(node)
        finally:
            self.depth -= 1

    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _scope

    def visit_Call(self, node: ast.Call) -> ast.AST:
        compared = _exists_eq(node)
        if compared is not None:  # r.exists(x, x.key == 'value'): no call per element
            node = ast.Call(_name("_x_exists_eq"), [node.args[0], *compared], [])
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id == "_c_double" and len(node.args) == 1 and not node.keywords:
            self.memo = True
            return ast.Call(_name("_x_double"), [_name(MEMO), node.args[0]], [])
        if not isinstance(func, ast.Name) or func.id not in _MAP_HELPERS or len(node.args) != 2 or node.keywords:
            return node
        kind, at = _MAP_HELPERS[func.id]
        m, k = node.args[at], node.args[1 - at]
        if not (_is_str(k) or isinstance(k, ast.Name)):
            return node
        if isinstance(m, ast.Name):
            first: ast.expr = m
        elif self.depth == 0 and _is_str(k):
            temp = f"_x_t{self.temps}"
            self.temps += 1
            first, m = ast.NamedExpr(ast.Name(temp, ast.Store()), m), _name(temp)
        else:
            return node
        if isinstance(first, ast.Name) and first.id in RUNTIME_NAMES:
            # a parameter is never rebound (generated code assigns only its own locals)
            self.params.add(first.id)
            tests: list[ast.expr] = [_name(f"_x_dict_{first.id}")]
        else:
            tests = [_is_type(first, "_x_dict")]
        if not _is_str(k):
            tests.append(_is_type(k, "_x_str"))
        member = ast.Compare(k, [ast.In()], [m])
        if kind == "get":
            tests.append(member)
            body: ast.expr = ast.Subscript(m, k, ast.Load())
        else:
            body = member
        args = [m, k] if at == 0 else [k, m]
        slow = ast.Call(_name(func.id), args, [])
        test = tests[0] if len(tests) == 1 else ast.BoolOp(ast.And(), tests)
        return ast.IfExp(test, body, slow)


def _exists_eq(node: ast.Call) -> list[ast.expr] | None:
    """``[key, value]`` for ``_c_exists(r, lambda x: 'value' == _c_sel(x, 'key'))``."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "_c_exists" and len(node.args) == 2):
        return None
    fn = node.args[1]
    if not isinstance(fn, ast.Lambda) or len(fn.args.args) != 1:
        return None
    var, body = fn.args.args[0].arg, fn.body
    if not (isinstance(body, ast.Compare) and len(body.ops) == 1 and isinstance(body.ops[0], ast.Eq)):
        return None
    value, sel = body.left, body.comparators[0]
    if not (_is_str(value) and isinstance(sel, ast.Call) and isinstance(sel.func, ast.Name)):
        return None
    if sel.func.id != "_c_sel" or len(sel.args) != 2 or sel.keywords:
        return None
    item, key = sel.args
    if not (isinstance(item, ast.Name) and item.id == var and _is_str(key)):
        return None
    return [key, value]


def inline_map_access(fn: ast.FunctionDef) -> None:
    """Inline the dict fast path of map access by a string key into ``fn`` (in place), and
    let every ``double()`` of the call share one memo of converted strings."""
    inline = _Inline()
    fn.body = [inline.visit(stmt) for stmt in fn.body]
    init = [f"_x_dict_{p} = _x_type({p}) is _x_dict" for p in sorted(inline.params)]
    if inline.memo:
        init.append(f"{MEMO} = {{}}")
    fn.body = [ast.parse(line).body[0] for line in init] + fn.body
