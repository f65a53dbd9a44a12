"""The version sort key orders like SemVer 2.0.0 precedence (checked against a direct implementation)."""

from __future__ import annotations

import contextlib
import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.errors import InputError
from registry.storage.semver import version_sort_key


def _cmp_ident(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        return (int(a) > int(b)) - (int(a) < int(b))
    if a.isdigit() != b.isdigit():
        return -1 if a.isdigit() else 1
    return (a > b) - (a < b)


def reference_cmp(a: str, b: str) -> int:
    """SemVer 2.0.0 section 11, written out."""
    core_a, _, pre_a = a.partition("-")
    core_b, _, pre_b = b.partition("-")
    ka, kb = [int(x) for x in core_a.split(".")], [int(x) for x in core_b.split(".")]
    if ka != kb:
        return -1 if ka < kb else 1
    has_a, has_b = "-" in a, "-" in b
    if has_a != has_b:
        return -1 if has_a else 1
    ia, ib = pre_a.split("."), pre_b.split(".")
    for x, y in zip(ia, ib, strict=False):
        c = _cmp_ident(x, y)
        if c:
            return c
    return (len(ia) > len(ib)) - (len(ia) < len(ib))


number = st.integers(min_value=0, max_value=10**25).map(str)
ident = st.one_of(number, st.text(alphabet="abcxyzABZ019-", min_size=1, max_size=6).filter(lambda s: not s.isdigit()))
version = st.builds(
    lambda m, n, p, pre: f"{m}.{n}.{p}" + (("-" + ".".join(pre)) if pre else ""),
    number,
    number,
    number,
    st.lists(ident, max_size=4),
)


@given(version, version)
def test_key_order_is_semver_precedence(a: str, b: str) -> None:
    ka, kb = version_sort_key(a), version_sort_key(b)
    assert ((ka > kb) - (ka < kb)) == reference_cmp(a, b)


def test_spec_example_order() -> None:
    spec = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11"]
    spec += ["1.0.0-rc.1", "1.0.0", "1.9.0", "1.10.0", "2.0.0", "10.0.0"]
    shuffled = sorted(spec, key=lambda v: v[::-1])
    assert sorted(shuffled, key=version_sort_key) == spec
    assert sorted(spec, key=functools.cmp_to_key(reference_cmp)) == spec


@pytest.mark.parametrize("bad", ["1.0", "01.0.0", "1.0.0+build", "v1.0.0", "1.0.0-é", "1.0.0\n", "", "1.0.0-"])
def test_not_a_version(bad: str) -> None:
    with pytest.raises(InputError):
        version_sort_key(bad)


@given(st.text(max_size=30))
def test_only_input_errors_escape(text: str) -> None:
    with contextlib.suppress(InputError):
        version_sort_key(text)
