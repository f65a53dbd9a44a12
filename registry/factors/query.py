"""Finding factors in sets held in memory: by activity (or a dotted prefix), region, classification, text.

The same filters as the registry's stored search (``GET /v1/factorsets/search``), for the command
line over bundled and local sets. A classification is ``scheme:code-prefix`` (``hs:7601``); dots
and spaces in codes are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from registry.errors import InputError
from registry.factors.model import FactorRecord, FactorSet


@dataclass(frozen=True)
class Query:
    activity: str | None = None
    region: str | None = None
    classification: str | None = None
    text: str | None = None


def _code(text: str) -> tuple[str, str]:
    scheme, sep, code = text.partition(":")
    if not sep or not scheme or not code:
        raise InputError(f"classification {text!r} is not scheme:code (cpc:41, hs:7601, gb-t-4754:C31, naics:331)")
    return scheme.strip().lower(), code.replace(".", "").replace(" ", "")


def _activity_matches(record: FactorRecord, activity: str) -> bool:
    return record.activity == activity or record.activity.startswith(activity.rstrip(".") + ".")


def _code_matches(record: FactorRecord, scheme: str, prefix: str) -> bool:
    codes = (record.classifications or {}).get(scheme, ())
    return any(c.replace(".", "").startswith(prefix) for c in codes)


def _text_matches(record: FactorRecord, text: str) -> bool:
    fields = (record.id, record.activity, record.name.en, record.name.zh)
    return any(text in f.casefold() for f in fields)


def matches(record: FactorRecord, query: Query) -> bool:
    if query.activity and not _activity_matches(record, query.activity):
        return False
    if query.region and record.region != query.region:
        return False
    if query.classification and not _code_matches(record, *_code(query.classification)):
        return False
    return not (query.text and not _text_matches(record, query.text.casefold()))


def search(sets: Iterable[FactorSet], query: Query) -> Iterator[tuple[FactorSet, FactorRecord]]:
    """Every record of ``sets`` that matches ``query``, set by set, in document order."""
    if query.classification:
        _code(query.classification)  # a malformed classification is an error even when nothing would match
    for factor_set in sets:
        for record in factor_set.records:
            if matches(record, query):
                yield factor_set, record
