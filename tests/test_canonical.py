"""The orjson fast path of canonical_json is byte-identical to the rfc8785 package."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.canonical import _fast_path_applies, canonical_json, canonical_json_reference
from registry.errors import InputError
from registry.packs.catalog import Catalog

keys = st.text(max_size=8) | st.sampled_from(["\ue000", "\uffff", "😀", "a😀", "\U0001f600b", "é", "Z", "_"])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6))


@settings(max_examples=3000, deadline=None)
@given(documents)
def test_fast_path_equals_rfc8785(value: Any) -> None:
    try:
        expected = canonical_json_reference(value)
    except InputError:
        with pytest.raises(InputError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


@pytest.mark.parametrize("value", [{"\ue000": 1, "😀": 2}, {"a": 2.0}, [1.5], {"k": {"x": [1e-7]}}])
def test_shapes_where_the_orders_or_numbers_differ_take_the_slow_path(value: Any) -> None:
    assert not _fast_path_applies(value)
    assert canonical_json(value) == canonical_json_reference(value)


@pytest.mark.parametrize("value", [{"a": 2**53}, {"a": -(2**53)}])
def test_integers_beyond_the_safe_range_are_refused_like_rfc8785(value: Any) -> None:
    assert not _fast_path_applies(value)
    with pytest.raises(InputError, match="safe integer"):
        canonical_json(value)


def test_every_shipped_example_takes_the_fast_path_and_agrees() -> None:
    catalog = Catalog.bundled()
    for pack in catalog.packs():
        example = catalog.resolve(pack.ref).example
        if example is None:
            continue
        assert _fast_path_applies(example), pack.ref
        assert canonical_json(example) == canonical_json_reference(example), pack.ref


def test_lone_surrogates_are_refused_clearly() -> None:
    with pytest.raises(InputError, match="RFC 8785"):
        canonical_json({"a": "\ud800"})
