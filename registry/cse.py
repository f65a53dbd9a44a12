"""Common subexpressions across a compiled pack's rules, computed once per declaration.

Many rules read the same decimal (``double(pcf.fossilGhgEmissions)`` appears in the sign
rule, both aggregation formulas and a plausibility check). The compiled function is
rewritten so that each such repeated, pure subexpression is evaluated at most once per
call, lazily: ``(_mN if _mN is not _U else (_mN := <expr>))``. If ``<expr>`` raises, the
variable stays unset and the next use raises again, so each rule still sees exactly the
error CEL semantics give it. Only calls of pure runtime helpers on the runtime variables
and constants qualify; nothing inside a lambda or comprehension is touched.
"""

from __future__ import annotations

import ast
from collections import Counter

PURE_HELPERS = frozenset(
    {"_c_double", "_c_sel", "_c_sel_s", "_c_idx", "_c_int", "_c_timestamp", "_c_size", "_c_has_s", "_c_in"}
)
RUNTIME_NAMES = frozenset({"pf", "pcf", "ext", "now"})
SENTINEL = "_c_UNSET"
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


def _candidates(tree: ast.AST) -> Counter[str]:
    seen: Counter[str] = Counter()

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES) and not top:
                continue
            if isinstance(child, ast.Call) and _is_pure(child) and child.args:
                seen[ast.dump(child)] += 1
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
        key = ast.dump(node)
        name = self.names.get(key)
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
    if not names:
        return source
    fn.body = [_Rewrite(names).visit(stmt) for stmt in fn.body]
    init = [ast.parse(f"{n} = {SENTINEL}").body[0] for n in names.values()]
    fn.body = init + fn.body
    return ast.unparse(ast.fix_missing_locations(tree))
