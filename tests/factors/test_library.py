"""Resolving references: pinned, as of a date, and every way one can fail (never a fallback)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from registry.factors import FactorLibrary, FactorRefError, FactorSet, parse_ref

DESNZ = "pcf-registry/uk-desnz-ghg-conversion-factors"


def test_pinned_reference(library: FactorLibrary) -> None:
    r = library.resolve("pcf-registry/ipcc-ar6-gwp100@1.0.0#N2O", on=date(2026, 1, 1))
    assert (r.set_ref, r.record.id, str(r.record.value)) == ("pcf-registry/ipcc-ar6-gwp100@1.0.0", "N2O", "273")
    assert r.pinned == "pcf-registry/ipcc-ar6-gwp100@1.0.0#N2O"


def test_unpinned_reference_takes_the_version_in_effect(make_set: Callable[..., FactorSet]) -> None:
    def v2(d: dict[str, Any]) -> None:
        d["version"] = "2.0.0"
        d["effective"] = {"from": "2026-01-01"}
        d["records"][1]["value"] = "0.55"

    lib = FactorLibrary([make_set(), make_set(v2)])
    assert lib.resolve("test-body/fuels#grid-north", on=date(2025, 6, 1)).set_ref == "test-body/fuels@1.0.0"
    later = lib.resolve("test-body/fuels#grid-north", on=date(2026, 6, 1))
    assert (later.set_ref, str(later.record.value)) == ("test-body/fuels@2.0.0", "0.55")


@pytest.mark.parametrize(
    ("ref", "on", "reason"),
    [
        ("not a ref", date(2026, 1, 1), "malformed"),
        ("pcf-registry/ipcc-ar6-gwp100@1.0#N2O", date(2026, 1, 1), "malformed"),
        ("pcf-registry/nothing@1.0.0#x", date(2026, 1, 1), "unknown-set"),
        ("pcf-registry/ipcc-ar6-gwp100@9.0.0#N2O", date(2026, 1, 1), "unknown-version"),
        ("pcf-registry/ipcc-ar6-gwp100@1.0.0#H2O", date(2026, 1, 1), "unknown-factor"),
        ("pcf-registry/ipcc-ar6-gwp100@1.0.0#N2O", date(2000, 1, 1), "not-in-effect"),
        ("pcf-registry/ipcc-ar6-gwp100#N2O", date(2000, 1, 1), "not-in-effect"),
    ],
)
def test_failures_have_a_stable_reason(library: FactorLibrary, ref: str, on: date, reason: str) -> None:
    with pytest.raises(FactorRefError) as e:
        library.resolve(ref, on=on)
    assert (e.value.reason, e.value.ref) == (reason, ref)


def test_withdrawn_version_does_not_resolve(make_set: Callable[..., FactorSet]) -> None:
    lib = FactorLibrary([make_set(lambda d: d.update(status="withdrawn"))])
    with pytest.raises(FactorRefError) as e:
        lib.resolve("test-body/fuels@1.0.0#grid-north", on=date(2025, 6, 1))
    assert e.value.reason == "withdrawn"
    with pytest.raises(FactorRefError) as e:
        lib.resolve("test-body/fuels#grid-north", on=date(2025, 6, 1))
    assert e.value.reason == "not-in-effect"


def test_deprecated_version_resolves_and_says_so(make_set: Callable[..., FactorSet]) -> None:
    lib = FactorLibrary([make_set(lambda d: d.update(status="deprecated"))])
    assert lib.resolve("test-body/fuels@1.0.0#grid-north", on=date(2025, 6, 1)).deprecated


def test_parse_ref_round_trips() -> None:
    for text in (f"{DESNZ}@2025.0.0#1_101_1013_8_1", f"{DESNZ}#1_101_1013_8_1"):
        assert str(parse_ref(text)) == text
