"""Factor references: ``set@version#factor-id`` (pinned) or ``set#factor-id`` (the version in effect).

``pcf-registry/uk-desnz-ghg-conversion-factors@2025.0.0#1_101_1013_8_1`` names one record of one
version; without ``@version`` the reference means the version of the set in effect on the date
it is resolved for, and the resolution records which version that was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from registry.errors import Location
from registry.factors.errors import FactorRefError

_REF = re.compile(
    r"(?P<set>[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?/[a-z0-9](?:[a-z0-9.-]{0,126}[a-z0-9])?)"
    r"(?:@(?P<version>(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z.-]+)?))?"
    r"#(?P<factor>[A-Za-z0-9][A-Za-z0-9._-]{0,127})"
)


@dataclass(frozen=True, slots=True)
class FactorRef:
    set_id: str
    version: str | None
    factor_id: str

    def __str__(self) -> str:
        version = f"@{self.version}" if self.version else ""
        return f"{self.set_id}{version}#{self.factor_id}"


@lru_cache(maxsize=65536)
def parse_ref(text: str) -> FactorRef:
    """Parse a reference; :class:`FactorRefError` (reason ``malformed``) says what shape it should have."""
    m = _REF.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise FactorRefError(
            f"{text!r} is not a factor reference; write set-id@version#factor-id "
            "(for example pcf-registry/ipcc-ar6-gwp100@1.0.0#CH4) or set-id#factor-id",
            Location(),
            reason="malformed",
            ref=str(text),
        )
    return FactorRef(m["set"], m["version"], m["factor"])
