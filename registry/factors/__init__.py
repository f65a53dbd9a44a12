"""Factor sets: emission factors and GWP tables as versioned, cited, effective-dated artifacts.

* :class:`FactorSet`, :class:`FactorRecord` - a set in memory (``model.py``);
* :func:`parse_factor_set`, :func:`load_factor_set_file`, :func:`factor_set_from_data` - reading one,
  every schema violation with its JSON pointer (``load.py``);
* :func:`check_factor_set` - the meta check before publication: units, sums against the GWP
  table, regions, duplicates, sources, licence (``check.py``);
* :class:`FactorLibrary` - sets by id and version; :meth:`FactorLibrary.resolve` turns
  ``set@version#factor-id`` (or ``set#factor-id`` as of a date) into a :class:`Resolved`, never
  falling back (``library.py``, ``refs.py``);
* :func:`search` - records by activity, region, classification and text (``query.py``);
* :func:`diff_sets` - factors added, removed and changed, with the relative change (``diff.py``);
* :func:`sign_factor_set`, :func:`verify_signed_set` - the rule packs' Ed25519 envelope around a
  set (``signing.py``);
* :func:`import_csv`, :func:`import_ilcd` with :func:`read_mapping` - sets from CSV with a column
  mapping, and from ILCD LCIA method data sets through the hardened XML reader (``importing.py``).

See docs/factorsets.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from registry.lazy import lazy_face

if TYPE_CHECKING:
    from registry.factors.check import check_factor_set
    from registry.factors.diff import FactorChange, FactorSetDiff, diff_sets, render_text
    from registry.factors.errors import FactorRefError, FactorSetError, MetaCheckFailed
    from registry.factors.importing import ImportMapping, import_csv, import_ilcd, read_mapping
    from registry.factors.library import FactorLibrary, Resolved
    from registry.factors.load import FORMAT, SCHEMA_ID, factor_set_from_data, load_factor_set_file, parse_factor_set
    from registry.factors.model import FactorRecord, FactorSet, Text, decimal_text
    from registry.factors.query import Query, search
    from registry.factors.refs import FactorRef, parse_ref
    from registry.factors.signing import KIND as ENVELOPE_KIND
    from registry.factors.signing import VerifiedSet, sign_factor_set, verify_signed_set
    from registry.factors.signing import sign_file as sign_set_file
    from registry.factors.signing import verify_file as verify_set_file

# Members load on first use, so that a command that never touches factor sets (``pcfreg validate``)
# does not import pint or the signing stack through the CLI's ``factors`` group.
_LAZY = {
    "check_factor_set": "check",
    "FactorChange": "diff",
    "FactorSetDiff": "diff",
    "diff_sets": "diff",
    "render_text": "diff",
    "FactorRefError": "errors",
    "FactorSetError": "errors",
    "MetaCheckFailed": "errors",
    "ImportMapping": "importing",
    "import_csv": "importing",
    "import_ilcd": "importing",
    "read_mapping": "importing",
    "FactorLibrary": "library",
    "Resolved": "library",
    "FORMAT": "load",
    "SCHEMA_ID": "load",
    "factor_set_from_data": "load",
    "load_factor_set_file": "load",
    "parse_factor_set": "load",
    "FactorRecord": "model",
    "FactorSet": "model",
    "Text": "model",
    "decimal_text": "model",
    "Query": "query",
    "search": "query",
    "FactorRef": "refs",
    "parse_ref": "refs",
    "VerifiedSet": "signing",
    "sign_factor_set": "signing",
    "verify_signed_set": "signing",
}
_ALIASES = {"ENVELOPE_KIND": "KIND", "sign_set_file": "sign_file", "verify_set_file": "verify_file"}
_member, __dir__ = lazy_face(__name__, _LAZY)


def __getattr__(name: str) -> Any:
    if name in _ALIASES:
        return getattr(importlib.import_module(f"{__name__}.signing"), _ALIASES[name])
    return _member(name)


__all__ = [
    "ENVELOPE_KIND",
    "FORMAT",
    "SCHEMA_ID",
    "FactorChange",
    "FactorLibrary",
    "FactorRecord",
    "FactorRef",
    "FactorRefError",
    "FactorSet",
    "FactorSetDiff",
    "FactorSetError",
    "ImportMapping",
    "MetaCheckFailed",
    "Query",
    "Resolved",
    "Text",
    "VerifiedSet",
    "check_factor_set",
    "decimal_text",
    "diff_sets",
    "factor_set_from_data",
    "import_csv",
    "import_ilcd",
    "load_factor_set_file",
    "parse_factor_set",
    "parse_ref",
    "read_mapping",
    "render_text",
    "search",
    "sign_factor_set",
    "sign_set_file",
    "verify_set_file",
    "verify_signed_set",
]
