"""Declarations: a PACT v3 ProductFootprint plus the pcf-registry extension.

* :func:`prepare` - a document ready for the rule engine (v2 upgraded, extension split out);
* :func:`upgrade_v2_to_v3` - PACT v2.x to v3.0, every change reported as a finding;
* :func:`unwrap`, :func:`check_pact` - the footprints a file holds (bare, in a PACT API or
  CloudEvent envelope, in an array), and one error for a document that is not PACT v2 or v3;
* :func:`classification_codes`, :func:`rule_refs`, :func:`extension_entries` - what pack
  selection and the converters read from a declaration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.declarations.declaration import (
    PRODUCT_MASS_PARAMETER,
    PRODUCT_MASS_POINTER,
    UPGRADE_MISSING,
    Prepared,
    classification_codes,
    extension_entries,
    instead_of_upgrade_notes,
    prepare,
    rule_refs,
)
from registry.declarations.envelope import (
    ENVELOPE_CLAUSE,
    Item,
    Unwrapped,
    check_pact,
    spec_version_major,
    unwrap,
)
from registry.lazy import lazy_face

if TYPE_CHECKING:
    from registry.declarations.pact_upgrade import (
        V3_DQI_FIELDS,
        V3_PCF_FIELDS,
        V3_ROOT_FIELDS,
        V3_SPEC_VERSION,
        V3_VERIFICATION_FIELDS,
        spec_major,
        upgrade_v2_to_v3,
    )

# The v2 -> v3 upgrade loads when a v2 footprint (or a caller) first needs it, not for every v3 one.
__getattr__, __dir__ = lazy_face(
    __name__,
    dict.fromkeys(
        [
            "V3_DQI_FIELDS",
            "V3_PCF_FIELDS",
            "V3_ROOT_FIELDS",
            "V3_SPEC_VERSION",
            "V3_VERIFICATION_FIELDS",
            "spec_major",
            "upgrade_v2_to_v3",
        ],
        "pact_upgrade",
    ),
)

__all__ = [
    "ENVELOPE_CLAUSE",
    "PRODUCT_MASS_PARAMETER",
    "PRODUCT_MASS_POINTER",
    "UPGRADE_MISSING",
    "V3_DQI_FIELDS",
    "V3_PCF_FIELDS",
    "V3_ROOT_FIELDS",
    "V3_SPEC_VERSION",
    "V3_VERIFICATION_FIELDS",
    "Item",
    "Prepared",
    "Unwrapped",
    "check_pact",
    "classification_codes",
    "extension_entries",
    "instead_of_upgrade_notes",
    "prepare",
    "rule_refs",
    "spec_major",
    "spec_version_major",
    "unwrap",
    "upgrade_v2_to_v3",
]
