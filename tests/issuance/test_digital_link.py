"""GS1 Digital Link URIs: the conformance table taken from GS1's sources, and building URIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from issuance.digital_link import (
    CSET82,
    DigitalLink,
    DigitalLinkError,
    digital_link_uri,
    encode_value,
    is_digital_link,
    parse_digital_link,
)
from issuance.errors import GtinError

TABLE = Path(__file__).parents[1] / "fixtures" / "third-party" / "gs1-digital-link" / "conformance.json"
CASES: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))["cases"]


def test_the_table_has_both_kinds_and_every_case_a_source() -> None:
    assert sum(c["valid"] for c in CASES) >= 15 and sum(not c["valid"] for c in CASES) >= 15
    assert all(c["source"] and c["expect"] for c in CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c["valid"]], ids=lambda c: c["uri"][:90])
def test_a_valid_uri_parses_to_what_it_says(case: dict[str, Any]) -> None:
    link = parse_digital_link(case["uri"])
    for name, expected in case["expect"].items():
        got = getattr(link, name)
        if name == "attributes":
            got = [list(pair) for pair in got]
        assert got == expected, name
    assert len(link.gtin) == 14


@pytest.mark.parametrize("case", [c for c in CASES if not c["valid"]], ids=lambda c: c["uri"][:90])
def test_an_invalid_uri_is_refused_naming_the_segment(case: dict[str, Any]) -> None:
    with pytest.raises(DigitalLinkError) as info:
        parse_digital_link(case["uri"])
    e = info.value
    assert (e.segment, e.reason) == (case["expect"]["segment"], case["expect"]["reason"])
    assert e.segment is not None
    assert e.message.startswith(e.segment) or e.segment in ("/01", "scheme")
    body = e.to_dict()
    assert body["segment"] == e.segment and body["reason"] == e.reason and body["code"] == "digital-link-error"


def test_the_character_set_has_82_characters() -> None:
    assert len(CSET82) == 82


def test_a_built_uri_percent_encodes_what_the_toolkit_encodes_and_parses_back() -> None:
    # gs1/GS1DigitalLinkToolkit.js README: 10 = "ABC&+123" is written ABC%26%2B123
    assert encode_value("ABC&+123") == "ABC%26%2B123"
    uri = digital_link_uri("https://id.gs1.org", "05412345000013", batch="ABC&+123")
    assert uri == "https://id.gs1.org/01/05412345000013/10/ABC%26%2B123"
    every = "".join(sorted(CSET82))
    for start in range(0, len(every), 20):
        batch = every[start : start + 20]
        link = parse_digital_link(digital_link_uri("https://x.example", "9780345418913", batch=batch, serial="S/1"))
        assert (link.gtin, link.batch, link.serial) == ("09780345418913", batch, "S/1")


def test_building_refuses_a_bad_gtin_batch_or_serial_naming_it() -> None:
    with pytest.raises(GtinError):
        digital_link_uri("https://x.example", "12345678")
    with pytest.raises(DigitalLinkError) as info:
        digital_link_uri("https://x.example", "12345670", batch="A#B")
    assert info.value.segment == "/10"
    with pytest.raises(DigitalLinkError) as info:
        digital_link_uri("https://x.example", "12345670", serial="X" * 21)
    assert (info.value.segment, info.value.reason) == ("/21", "too_long")


def test_the_canonical_form_normalises_the_gtin_and_names_qualifiers_by_number() -> None:
    link = parse_digital_link("https://Example.COM/prefix/gtin/012345678905/lot/B%2F7/ser/9?17=261231")
    assert link == DigitalLink(
        stem="https://example.com/prefix",
        gtin="00012345678905",
        batch="B/7",
        serial="9",
        attributes=(("17", "261231"),),
    )
    assert link.uri == "https://example.com/prefix/01/00012345678905/10/B%2F7/21/9"


def test_a_raw_character_no_uri_carries_is_refused() -> None:
    with pytest.raises(DigitalLinkError) as info:
        parse_digital_link('https://x.example/01/12345670/10/A"B')
    assert (info.value.segment, info.value.reason) == ("/10", "bad_character")


def test_is_digital_link_tells_the_shape_only() -> None:
    assert is_digital_link("https://x.example/01/12345678")  # shape, though the check digit is wrong
    assert not is_digital_link("https://x.example/L/ABCDEF")
    assert not is_digital_link("not a uri")


def test_the_qr_form_is_upper_case_where_case_does_not_matter_and_parses_back() -> None:
    from issuance import digital_link_url
    from issuance.qr import ALPHANUMERIC, QRError, make_qr

    uri = digital_link_url("https://pcf.example.org", "9506000134352", batch="LOT-7/26")
    assert uri == "HTTPS://PCF.EXAMPLE.ORG/01/09506000134352/10/LOT-7%2F26"
    assert set(uri) <= ALPHANUMERIC  # one alphanumeric segment: 5.5 bits a character
    assert int(make_qr(uri, kind="digital-link").version) <= 4
    link = parse_digital_link(uri)
    assert (link.gtin, link.batch, link.stem) == ("09506000134352", "LOT-7/26", "https://pcf.example.org")
    mixed = digital_link_url("https://pcf.example.org", "9506000134352", batch="lot7b")
    assert mixed.endswith("/10/lot7b")  # a batch's case is part of it: never upper-cased
    with pytest.raises(QRError) as info:
        digital_link_url("https://pcf.example.org", "9506000134352", batch="LOT#7")
    assert info.value.location.pointer == "/batch" and "character set 82" in info.value.message
