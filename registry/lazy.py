"""Package faces whose heavier members load on first use (PEP 562 module ``__getattr__``).

A command that never converts an ILCD file should not pay for importing lxml. A package lists
its lazily loaded names with the submodule that defines each; type checkers see the same names
through ``if TYPE_CHECKING:`` imports in the package's ``__init__``.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


class _Face(types.ModuleType):
    """A package face one of whose lazy members has the name of the submodule defining it (``verify`` in
    ``issuance.verify``): importing that submodule, from anywhere, would set the package's attribute to the
    submodule; the face keeps the member (the submodule stays in ``sys.modules``)."""

    _shadowed: frozenset[str] = frozenset()

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._shadowed and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


def lazy_face(package: str, members: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``members`` maps a name to its submodule."""
    shadowed = frozenset(name for name, module in members.items() if name == module)
    if shadowed:
        face = sys.modules[package]
        face.__class__ = type("Face", (_Face,), {"_shadowed": shadowed})

    def __getattr__(name: str) -> Any:
        module = members.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(members))

    return __getattr__, __dir__
