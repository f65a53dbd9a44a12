"""PACT v3 criteria, validity periods, cursors and event checks: the pure parts of the PACT host (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from registry.errors import InputError
from registry.service.pact_events import backoff, check_event, source_matches
from registry.service.pact_query import CursorCodec, criteria_from_request, footprint_keys, parse_criteria

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_criteria_names_are_case_insensitive_and_values_or_within() -> None:
    c = parse_criteria([("productId", "URN:A"), ("productid", "urn:b"), ("STATUS", "Active"), ("x-acme-y", "1")])
    assert c.keys == {"product": ("urn:a", "urn:b")} and c.status == ("active",)
    assert not c.matches_nothing()
    assert parse_criteria([("status", "Bogus")]).matches_nothing()
    with pytest.raises(InputError, match="validOn"):
        parse_criteria([("validOn", "yesterday")])
    with pytest.raises(InputError, match="once"):
        parse_criteria([("validOn", "2026-01-01T00:00:00Z"), ("validon", "2026-01-02T00:00:00Z")])


def test_request_data_criteria_refuse_non_strings() -> None:
    assert criteria_from_request({"productId": ["urn:x"], "validOn": "2026-01-01T00:00:00Z"}).keys == {
        "product": ("urn:x",)
    }
    with pytest.raises(InputError, match="productId"):
        criteria_from_request({"productId": [3]})


def test_footprint_keys_cover_ids_classifications_and_geography() -> None:
    pf = {
        "productIds": ["urn:gtin:1"],
        "companyIds": ["urn:lei:X"],
        "productClassifications": ["urn:cpc:0151"],
        "pcf": {"geographyCountrySubdivision": "FR-75"},
    }
    assert footprint_keys(pf) == {
        ("product", "urn:gtin:1"),
        ("company", "urn:lei:x"),
        ("class", "urn:cpc:0151"),
        ("geo", "fr-75"),
    }


def test_cursor_round_trip_and_refusals() -> None:
    codec = CursorCodec(b"k" * 32)
    crit = parse_criteria([("status", "Active")])
    cursor = codec.make("pf-9", "client-a", crit, NOW)
    assert codec.read(cursor, "client-a", crit, NOW + timedelta(seconds=180)) == "pf-9"
    with pytest.raises(InputError, match="another client"):
        codec.read(cursor, "client-b", crit, NOW)
    with pytest.raises(InputError, match="other filters"):
        codec.read(cursor, "client-a", parse_criteria([]), NOW)
    with pytest.raises(InputError, match="expired"):
        codec.read(cursor, "client-a", crit, NOW + timedelta(hours=1))
    with pytest.raises(InputError, match="not one this host made"):
        CursorCodec(b"j" * 32).read(cursor, "client-a", crit, NOW)
    with pytest.raises(InputError, match="malformed"):
        codec.read("!!!", "client-a", crit, NOW)


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff(30) == timedelta(hours=1)


def test_source_must_name_the_partner_host() -> None:
    assert source_matches("//api.buyer.example/3/events", "https://api.buyer.example")
    assert source_matches("https://api.buyer.example/3/events", "https://api.buyer.example/pact")
    assert not source_matches("//evil.example/3/events", "https://api.buyer.example")
    assert not source_matches("/3/events", "https://api.buyer.example")


def test_check_event_names_what_is_wrong() -> None:
    base = {"specversion": "1.0", "id": "e1", "source": "//x/3/events", "time": "2026-01-01T00:00:00Z"}
    published = {**base, "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"}
    assert check_event({**published, "data": {"pfIds": ["7b4e1d2c-3a5f-4c6e-8d9a-0b1c2d3e4f51"]}})
    with pytest.raises(InputError, match=r"pfIds\[0\] must be a UUID"):
        check_event({**published, "data": {"pfIds": ["urn:gtin:4712345060507"]}})
    with pytest.raises(InputError, match="'time'"):
        check_event({**published, "time": "", "data": {"pfIds": []}})
    with pytest.raises(InputError, match="time must be an RFC 3339"):
        check_event({**published, "time": "soon", "data": {"pfIds": []}})


def test_partner_secret_is_sealed_and_bound_to_its_client() -> None:
    from registry.service.pact_events import open_secret, seal_secret

    master = bytes(range(32))
    blob = seal_secret("test_client_secret", master, "cli_a")
    assert b"test_client_secret" not in blob
    assert open_secret(blob, master, "cli_a") == "test_client_secret"
    with pytest.raises(InputError, match="cannot open"):
        open_secret(blob, master, "cli_b")
    with pytest.raises(InputError, match="cannot open"):
        open_secret(blob, bytes(32), "cli_a")
    with pytest.raises(InputError, match="not a sealed secret"):
        open_secret(b"plain", master, "cli_a")
