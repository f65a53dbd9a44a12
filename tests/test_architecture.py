"""The layout promises of docs/architecture.md, checked on the source.

* no import circles between modules of ``registry`` and ``issuance`` (imports inside functions count);
* code outside a domain package imports that package's face (its ``__init__``), not its modules;
* imports go down the layers: api and cli -> service -> domain packages and storage -> kernels, and
  the API and the CLI do not import each other.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("registry", "issuance")
# Packages whose ``__init__`` is their public face; tests and benches may reach inside.
FACED = (
    "registry.packs",
    "registry.declarations",
    "registry.crosswalk",
    "registry.convert",
    "registry.factors",
    "registry.supervision",
    "registry.accreditation",
    "issuance",
)
# The layers of docs/architecture.md, top first: a module may import its own layer and those below.
LAYERS = (
    ("registry.api", "registry.cli"),
    ("registry.service",),
    (*FACED, "registry.storage"),
)
# Known exceptions, each with the work that removes it. Nothing else may cross a layer upwards.
KNOWN_CROSSINGS: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache  # the files do not change during a test run; each test reads the same graph
def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


@functools.cache
def _bound_names(path: Path) -> frozenset[str]:
    """Names a module binds at its top level (what ``from it import name`` finds before any submodule),
    including those a lazy face declares under ``if TYPE_CHECKING:`` (its ``__getattr__`` binds them)."""
    names: set[str] = set()
    body = ast.parse(path.read_text(encoding="utf-8")).body
    for node in list(body):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            body += node.body
    for node in body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of ours that ``path`` imports: ``from a.b import c`` is ``a.b.c`` when ``c`` is a submodule
    that ``a/b/__init__`` does not shadow with a name of its own."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module in modules:
            bound = _bound_names(modules[node.module])
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in modules and alias.name not in bound else node.module)
    return out


@functools.cache
def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", FACED)
def test_outside_code_imports_the_face(package: str) -> None:
    modules = _modules()
    offenders = []
    for name, imports in _graph().items():
        if name == package or name.startswith(package + "."):
            continue
        for imported in imports:
            if imported.startswith(package + ".") and modules[imported].name != "__init__.py":
                offenders.append(f"{name} -> {imported}")
    assert offenders == []


def _layer(module: str) -> tuple[int, str] | None:
    for rank, layer in enumerate(LAYERS):
        for top in layer:
            if module == top or module.startswith(top + "."):
                return rank, top
    return None


def _crossings(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    found = set()
    for module, imported in graph.items():
        mine = _layer(module)
        for target in imported:
            theirs = _layer(target)
            if mine is None or theirs is None or mine[1] == theirs[1]:
                continue
            if theirs[0] < mine[0] or (theirs[0] == mine[0] == 0):
                found.add((module, target))
    return found


def test_imports_go_down_the_layers() -> None:
    assert _crossings(_graph()) - KNOWN_CROSSINGS == set()


def test_known_crossings_still_exist() -> None:
    """An exception that no longer happens is removed from the list, so the list stays honest."""
    assert _crossings(_graph()) >= KNOWN_CROSSINGS


def test_the_layer_check_finds_an_upward_import() -> None:
    graph = {"registry.service.x": {"registry.api.y"}, "registry.api.y": {"registry.cli.z"}, "registry.packs.a": set()}
    assert _crossings(graph) == {("registry.service.x", "registry.api.y"), ("registry.api.y", "registry.cli.z")}
