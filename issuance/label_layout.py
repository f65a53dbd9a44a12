"""The layout of a label's claims set: the CWT claims a label uses, the keys of its ``label`` claim, the code
tables and the patterns of its texts (docs/adr/0009-label-token.md)."""

from __future__ import annotations

import re

from issuance.cose import CLAIM_CTI, CLAIM_EXP, CLAIM_IAT, CLAIM_ISS
from issuance.model import Boundary

TYP_LABEL = 65000  # CoAP Content-Format, experimental range [unchecked]; see ADR 0009
CLAIM_LABEL = -65537  # private use (RFC 8392 section 9.1.1: keys below -65536)
MAX_TIME = 253402300799  # 9999-12-31T23:59:59Z, the last second a datetime can hold
GTIN, BATCH, GRADE, VALUE, UNIT, BOUNDARY = 1, 2, 3, 4, 5, 6
PACK, PACK_DIGEST, SCHEME, DECLARATION, AUDIT, STATUS = 7, 8, 9, 10, 11, 12
CATALOGUE = 13  # the grading catalogue "id@version" that set the grade (issue 13); absent: the pack's own bands
LABEL_KEYS = frozenset(range(1, 14))
REQUIRED_LABEL_KEYS = frozenset(LABEL_KEYS - {BATCH, GRADE, AUDIT, CATALOGUE})
# Label format 1 (before issue 13) always had a grade, from the pack's bands: those tokens are still
# exactly a valid encoding. A grade may now be absent (an ungraded label), or come with its catalogue.
_GRADINGS = (frozenset({GRADE}), frozenset[int](), frozenset({GRADE, CATALOGUE}))
_OPTIONAL_SETS = tuple(
    grading | extra
    for grading in _GRADINGS
    for extra in (frozenset[int](), frozenset({BATCH}), frozenset({AUDIT}), frozenset({BATCH, AUDIT}))
)
LABEL_KEY_ORDERS = frozenset(tuple(sorted(REQUIRED_LABEL_KEYS | extra)) for extra in _OPTIONAL_SETS)  # in CBOR order
TOP_ORDER = [CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_CTI, CLAIM_LABEL]  # deterministic order: 1, 4, 6, 7, -65537
TOP_KEYS = frozenset(TOP_ORDER)
DIGEST_BYTES = 8
LABEL_ID_BYTES = 10

BOUNDARY_CODES: dict[Boundary, int] = {
    Boundary.CRADLE_TO_GATE: 0,
    Boundary.CRADLE_TO_GRAVE: 1,
    Boundary.GATE_TO_GATE: 2,
}
BOUNDARY_BY_CODE = {code: boundary for boundary, code in BOUNDARY_CODES.items()}
UNIT_CODES: dict[str, int] = {  # PACT v3 declaredUnitOfMeasurement values
    "liter": 1,
    "kilogram": 2,
    "cubic meter": 3,
    "kilowatt hour": 4,
    "megajoule": 5,
    "ton kilometer": 6,
    "square meter": 7,
    "piece": 8,
    "hour": 9,
    "megabit second": 10,
}
UNIT_BY_CODE = {code: unit for unit, code in UNIT_CODES.items()}

DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?")
AMOUNT = re.compile(r"(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?")
INTEGER = re.compile(r"0|-?[1-9][0-9]{0,17}")  # decimal text that travels as a CBOR integer
ISSUER = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?")
SCHEME_RE = re.compile(r"[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?")
PACK_REF = re.compile(r"[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?/[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?@[0-9A-Za-z.+-]{1,64}")
GRADE_RE = re.compile(r"[A-Za-z0-9+-]{1,8}")
BATCH_TEXT = re.compile(r"[!-~]{1,20}")  # GS1 AI (10) is at most 20 characters [unchecked: character set]
TEXT_CHECKS = (
    (ISSUER, "/1"),
    (PACK_REF, "/-65537/7"),
    (SCHEME_RE, "/-65537/9"),
)
TEXTS = re.compile("\n".join(f"(?:{pattern.pattern})" for pattern, _ in TEXT_CHECKS))  # one call, not four
HEX16 = re.compile(r"[0-9a-f]{16}")
BASE32 = re.compile(r"[A-Z2-7]*")
LIST_NUMBER = re.compile(r"0|[1-9][0-9]{0,8}")
STATUS_BASE = re.compile(r"https?://[!-~]{1,200}")
