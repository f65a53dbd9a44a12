"""Export a declaration as a PACT v3.0 ProductFootprint, or as PACT v2.3 for partners not yet on v3.

``to_pact_v3`` keeps the PACT part as it is and removes our extension on request.
``to_pact_v2`` is the inverse of :mod:`registry.declarations.pact_upgrade`: every v3 field either
reappears in the v2.3 result with the same value (a pure rename, or a decimal string
written as the JSON number of the same value), or an ``info`` finding names it
(``path``: pointer into the v3 declaration; ``source_path``: pointer into the v2
result). Values v2.3 requires that v3 lacks are filled in only by a definition
(``defaulted``/``derived`` findings) or left absent (``missing``), and the result is
checked against the PACT v2.3 schema: each violation is an ``error`` finding.
The mapping is documented in ``docs/convert.md``. Pure functions, no I/O; the input is
never mutated.

Layout: ``v3`` (the v3 export), ``v2`` (the v2.3 export and its root object), ``footprint`` and
``quantities`` (its CarbonFootprint, a table of steps), ``downgrade`` (what the v2.3 export
collects, and findings its steps share), ``tables`` (rule ids, citations, the field tables).
"""

from __future__ import annotations

from registry.convert.pact_out.tables import V2_RULE_IDS, V2_SPEC_VERSION, V3_EXTENSION_DROPPED
from registry.convert.pact_out.v2 import to_pact_v2
from registry.convert.pact_out.v3 import to_pact_v3

__all__ = [
    "V2_RULE_IDS",
    "V2_SPEC_VERSION",
    "V3_EXTENSION_DROPPED",
    "to_pact_v2",
    "to_pact_v3",
]
