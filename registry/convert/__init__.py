"""Converters between declaration formats: ILCD+EPD XML in; PACT v3, PACT v2.3 and the
EU Battery Regulation carbon footprint declaration out.

Every converter returns a :class:`Conversion`: the converted document plus findings,
one per thing that did not carry over exactly (each names the source element or
field, so nothing is lost silently).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.convert.conversion import MAX_INPUT_BYTES, Conversion
from registry.lazy import lazy_face

if TYPE_CHECKING:
    from registry.convert.battery import to_battery_cf
    from registry.convert.ilcd import ilcd_bundle_to_declaration, ilcd_to_declaration
    from registry.convert.pact_out import to_pact_v2, to_pact_v3

__getattr__, __dir__ = lazy_face(
    __name__,
    {
        "to_battery_cf": "battery",
        "ilcd_bundle_to_declaration": "ilcd",
        "ilcd_to_declaration": "ilcd",
        "to_pact_v2": "pact_out",
        "to_pact_v3": "pact_out",
    },
)

__all__ = [
    "MAX_INPUT_BYTES",
    "Conversion",
    "ilcd_bundle_to_declaration",
    "ilcd_to_declaration",
    "to_battery_cf",
    "to_pact_v2",
    "to_pact_v3",
]
