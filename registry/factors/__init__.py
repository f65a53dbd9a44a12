"""Factor sets: emission factors and GWP tables as versioned, cited, effective-dated artifacts.

* :class:`FactorSet`, :class:`FactorRecord` - a set in memory (``model.py``);
* :func:`parse_factor_set`, :func:`load_factor_set_file`, :func:`factor_set_from_data` - reading one,
  every schema violation with its JSON pointer (``load.py``);
* :func:`check_factor_set` - the meta check before publication: units, sums against the GWP
  table, regions, duplicates, sources, licence (``check.py``);
* :class:`FactorLibrary` - sets by id and version; :meth:`FactorLibrary.resolve` turns
  ``set@version#factor-id`` (or ``set#factor-id`` as of a date) into a :class:`Resolved`, never
  falling back (``library.py``, ``refs.py``).

See docs/factorsets.md.
"""

from __future__ import annotations

from registry.factors.check import check_factor_set
from registry.factors.errors import FactorRefError, FactorSetError
from registry.factors.library import FactorLibrary, Resolved
from registry.factors.load import FORMAT, SCHEMA_ID, factor_set_from_data, load_factor_set_file, parse_factor_set
from registry.factors.model import FactorRecord, FactorSet, Text, decimal_text
from registry.factors.refs import FactorRef, parse_ref

__all__ = [
    "FORMAT",
    "SCHEMA_ID",
    "FactorLibrary",
    "FactorRecord",
    "FactorRef",
    "FactorRefError",
    "FactorSet",
    "FactorSetError",
    "Resolved",
    "Text",
    "check_factor_set",
    "decimal_text",
    "factor_set_from_data",
    "load_factor_set_file",
    "parse_factor_set",
    "parse_ref",
]
