"""Reproducible random samples of labels, and what re-verifying a sampled label found.

The population is a set of label ids (which ones is the caller's query: the regulator's jurisdiction,
the filters and the cut-off time, all recorded with the sample). Drawing ranks every id by
``SHA-256(seed || 0x00 || id)`` (UTF-8) and takes the ``size`` lowest: the result depends on the seed
and on the set of ids only, never on their order, the database or the Python version, so anyone with
the seed and the list of ids can redo the draw.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from registry.errors import InputError, Location
from registry.findings import Finding

_SEED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_SAMPLE = 1000


class Population(BaseModel):
    """Which labels a sample is drawn from, besides the regulator's jurisdiction (recorded as given)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    certifier: str | None = Field(default=None, max_length=64)
    scheme: str | None = Field(default=None, max_length=100)
    pack_id: str | None = Field(default=None, max_length=200)
    issued_from: datetime | None = None
    cut_off: datetime = Field(description="labels issued at or before this time (the draw's cut-off)")


def new_seed() -> str:
    """A fresh seed: 128 random bits, hex."""
    return secrets.token_hex(16)


def check_seed(seed: str) -> str:
    if not _SEED.match(seed):
        raise InputError(
            "a seed is 1 to 128 characters of letters, digits, '.', '_', ':' and '-'", Location(pointer="/seed")
        )
    return seed


def draw_sample(population: Iterable[str], size: int, seed: str) -> list[str]:
    """``size`` ids of ``population`` (all of them if it is smaller), in draw order."""
    if not 1 <= size <= MAX_SAMPLE:
        raise InputError(f"a sample holds 1 to {MAX_SAMPLE} labels", Location(pointer="/size"))
    check_seed(seed)
    prefix = hashlib.sha256(seed.encode() + b"\x00")

    def rank(label_id: str) -> bytes:
        h = prefix.copy()
        h.update(label_id.encode())
        return h.digest()

    return heapq.nsmallest(size, set(population), key=rank)


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    DISCREPANCY = "discrepancy"
    NOT_VERIFIABLE = "not_verifiable"


def check_outcome(outcome: Outcome, findings: list[Finding], note: str | None) -> None:
    """A discrepancy names what differs (findings); a label that could not be verified says why (note)."""
    if outcome is Outcome.DISCREPANCY and not findings:
        raise InputError("a discrepancy needs at least one finding", Location(pointer="/findings"))
    if outcome is Outcome.CONFIRMED and findings:
        raise InputError("a confirmed label has no findings", Location(pointer="/findings"))
    if outcome is Outcome.NOT_VERIFIABLE and not (note and note.strip()):
        raise InputError("say why the label could not be verified", Location(pointer="/note"))
