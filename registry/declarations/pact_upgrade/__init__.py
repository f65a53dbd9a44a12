"""Upgrade a PACT v2.x ProductFootprint (2.0 to 2.3) to a PACT v3.0 ProductFootprint.

A declaration in this project is a PACT Technical Specifications v3.0 ProductFootprint.
PACT v2 footprints are accepted by mapping them field by field onto v3; the mapping is
documented in ``docs/pact-v2-to-v3-mapping.md`` (keep the two in step).

The contract:

* every v2 field either appears in the v3 result with exactly the same value (a pure
  rename, or a JSON number written as the decimal string of the same value), or an
  ``info`` :class:`~registry.findings.Finding` names it (``source_path``) and says what
  happened to it. Nothing is dropped silently.
* nothing is invented silently: a value that v3 requires and v2 did not carry is only
  filled in when it follows from the v2 data by a definition of the specifications, and
  then with a finding; otherwise it is left absent, so that v3 schema validation reports it.
* malformed values are left in place (under their v3 name) so that v3 schema validation
  reports them; only input that cannot be upgraded at all raises
  :class:`~registry.errors.InputError`.

Pure functions, no I/O; the input is never mutated and the result shares no mutable
objects with it.

Layout: ``tables`` (rule ids, citations, the field tables), ``root`` (ProductFootprint and
the entry points), ``footprint`` (CarbonFootprint, a table of steps), ``per_unit``,
``standards`` and ``nested`` (the steps), ``extras`` (properties that are not v2 fields),
``values`` (JSON helpers) and ``state`` (the findings collected on the way).
"""

from __future__ import annotations

from registry.declarations.pact_upgrade.root import spec_major, upgrade_v2_to_v3
from registry.declarations.pact_upgrade.tables import (
    RULE_IDS,
    V3_DQI_FIELDS,
    V3_PCF_FIELDS,
    V3_ROOT_FIELDS,
    V3_SPEC_VERSION,
    V3_VERIFICATION_FIELDS,
)

__all__ = [
    "RULE_IDS",
    "V3_DQI_FIELDS",
    "V3_PCF_FIELDS",
    "V3_ROOT_FIELDS",
    "V3_SPEC_VERSION",
    "V3_VERIFICATION_FIELDS",
    "spec_major",
    "upgrade_v2_to_v3",
]
