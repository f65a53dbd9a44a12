"""QR URLs and symbols: decoded back with zxing-cpp, versions and ECC level checked.

The SVG output is checked by reading its path back into a module matrix and comparing it
with segno's matrix (the same one the PNG is drawn from); the browser test additionally
screenshots an SVG label and decodes it.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from issuance.qr import (
    ALPHANUMERIC,
    QRCapacityError,
    label_url,
    make_qr,
    matrix,
    offline_url,
    render_qr,
    segments,
)
from registry.errors import InputError

BASE = "https://cl.example.org"
LABEL_ID = "MFRGGZDFMZTWQ2LK"  # 16 base32 characters, as issued
TOKEN = bytes(range(250))  # a typical signed token is 218-250 bytes


def decode_png(png: bytes) -> Any:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one QR code, zxing found {len(found)}"
    return found[0]


def svg_modules(svg: bytes) -> tuple[int, set[tuple[int, int]]]:
    """The quiet-zone-inclusive size and the dark modules of an SVG from ``render_qr``."""
    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert not root.findall(".//s:image", ns)
    size = int(root.get("viewBox").split()[2])
    dark: set[tuple[int, int]] = set()
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", root.find("s:path", ns).get("d")):
        dark.update((int(x) + i, int(y)) for i in range(int(w)))
    return size, dark


class TestLabelUrl:
    def test_uppercase_and_alphanumeric(self) -> None:
        url = label_url(BASE, LABEL_ID.lower())
        assert url == "HTTPS://CL.EXAMPLE.ORG/L/MFRGGZDFMZTWQ2LK"
        assert set(url) <= ALPHANUMERIC

    @pytest.mark.parametrize(
        ("base", "expected"),
        [
            ("HTTPS://CL.EXAMPLE.ORG/", "HTTPS://CL.EXAMPLE.ORG/L/AB12"),
            ("http://localhost:8000", "HTTP://LOCALHOST:8000/L/AB12"),
            ("https://example.org/pcf/", "HTTPS://EXAMPLE.ORG/PCF/L/AB12"),
        ],
    )
    def test_bases(self, base: str, expected: str) -> None:
        assert label_url(base, "ab12") == expected

    @pytest.mark.parametrize(
        ("base", "label_id", "pointer", "words"),
        [
            ("https://cl.example.org/my_labels", LABEL_ID, "/base_url", "'_' at position"),
            ("https://cl.exämple.org", LABEL_ID, "/base_url", "'ä' at position 13"),
            ("https://ſ.org", LABEL_ID, "/base_url", "'ſ' at position 8"),
            ("ftp://cl.example.org", LABEL_ID, "/base_url", "https://"),
            ("cl.example.org", LABEL_ID, "/base_url", "https://"),
            ("https://cl.example.org?x=1", LABEL_ID, "/base_url", "'?' at position 22"),
            ("https://user@cl.example.org", LABEL_ID, "/base_url", "'@' at position 12"),
            ("https://cl.example.org/a b", LABEL_ID, "/base_url", "spaces"),
            (BASE, "AB/CD", "/label_id", "letters and digits"),
            (BASE, "", "/label_id", "letters and digits"),
            (BASE, "ıd", "/label_id", "letters and digits"),
        ],
    )
    def test_refused_with_the_field_named(self, base: str, label_id: str, pointer: str, words: str) -> None:
        with pytest.raises(InputError) as err:
            label_url(base, label_id)
        assert err.value.location.pointer == pointer
        assert err.value.to_dict()["reason"] == "bad_" + pointer[1:]
        assert words in err.value.message

    @given(st.text(max_size=40), st.text(max_size=20))
    def test_only_input_errors_escape(self, base: str, label_id: str) -> None:
        try:
            url = label_url(base, label_id)
        except InputError:
            return
        assert set(url) <= ALPHANUMERIC
        assert url.endswith("/L/" + label_id.strip().upper())


class TestOfflineUrl:
    def test_token_bytes_become_a_base32_fragment(self) -> None:
        url = offline_url(BASE, LABEL_ID, TOKEN)
        head, fragment = url.split("#")
        assert head == label_url(BASE, LABEL_ID)
        assert fragment == fragment.upper() and "=" not in fragment
        assert base64.b32decode(fragment + "=" * (-len(fragment) % 8)) == TOKEN
        assert len(fragment) == 400

    def test_token_text_any_case_and_padding(self) -> None:
        text = base64.b32encode(b"token!").decode()
        assert text.endswith("=")
        assert offline_url(BASE, LABEL_ID, text.lower()) == offline_url(BASE, LABEL_ID, b"token!")

    @pytest.mark.parametrize("bad", ["NOT-BASE32", "ABC1", b"", "A"])
    def test_bad_token_refused(self, bad: bytes | str) -> None:
        with pytest.raises(InputError) as err:
            offline_url(BASE, LABEL_ID, bad)
        assert err.value.location.pointer == "/token"


class TestRenderPng:
    def test_url_round_trip_version_3_ecc_m(self) -> None:
        url = label_url(BASE, LABEL_ID)
        found = decode_png(render_qr(url, kind="url", fmt="png", scale=4, border=4))
        assert found.text == url
        # 41 alphanumeric characters: more than v2-M holds (38), within v3-M (61); not boosted to Q
        assert found.extra["Version"] == "3"
        assert found.ec_level == "M"

    def test_module_count_matches_the_version(self) -> None:
        url = label_url(BASE, LABEL_ID)
        png = Image.open(io.BytesIO(render_qr(url, fmt="png", scale=3, border=2)))
        assert png.size == ((17 + 4 * 3 + 2 * 2) * 3,) * 2

    def test_offline_round_trip_within_version_13(self) -> None:
        url = offline_url(BASE, LABEL_ID, TOKEN)
        assert len(url) == 442
        found = decode_png(render_qr(url, kind="offline", fmt="png", scale=2, border=4))
        assert found.text == url
        assert found.ec_level == "M"
        # 441 alphanumeric characters plus one byte: over v12-M (419), within v13-M (483)
        assert found.extra["Version"] == "13"

    def test_lowercase_digital_link_round_trip(self) -> None:
        url = "https://id.gs1.org/01/09506000134352/10/ABC123"
        found = decode_png(render_qr(url, kind="url", fmt="png"))
        assert found.text == url
        assert int(found.extra["Version"]) <= 4


class TestBudget:
    def test_url_over_version_4_refused(self) -> None:
        data = "HTTPS://CL.EXAMPLE.ORG/L/" + "A" * 75  # 100 alphanumeric: v4-M holds 90, v5-M 122
        with pytest.raises(QRCapacityError) as err:
            render_qr(data, kind="url", fmt="png")
        assert err.value.needed_version == 5
        assert err.value.to_dict()["code"] == "qr-capacity" and err.value.reason == "too_large"
        assert err.value.max_version == 4
        assert "needs version 5" in err.value.message and "limit is version 4" in err.value.message
        assert make_qr(data, kind="offline").version == 5

    def test_offline_over_version_13_refused(self) -> None:
        data = offline_url(BASE, LABEL_ID, bytes(300))  # 480 base32 characters + 42
        with pytest.raises(QRCapacityError) as err:
            render_qr(data, kind="offline", fmt="svg")
        assert err.value.needed_version is not None and err.value.needed_version > 13
        assert f"needs version {err.value.needed_version}" in err.value.message

    def test_beyond_version_40_refused(self) -> None:
        with pytest.raises(QRCapacityError) as err:
            make_qr("x" * 5000, kind="offline")
        assert err.value.needed_version is None

    @pytest.mark.parametrize(
        ("kwargs", "pointer"),
        [
            ({"fmt": "gif"}, "/fmt"),
            ({"scale": 0}, "/scale"),
            ({"border": -1}, "/border"),
            ({"kind": "huge"}, "/kind"),
        ],
    )
    def test_bad_options_refused(self, kwargs: dict[str, Any], pointer: str) -> None:
        with pytest.raises(InputError) as err:
            render_qr("HTTPS://X/L/A", **kwargs)
        assert err.value.location.pointer == pointer

    def test_empty_data_refused(self) -> None:
        with pytest.raises(InputError, match="empty"):
            render_qr("")


class TestSvg:
    @pytest.mark.parametrize("kind", ["url", "offline"])
    def test_svg_modules_equal_the_png_matrix(self, kind: str) -> None:
        data = label_url(BASE, LABEL_ID) if kind == "url" else offline_url(BASE, LABEL_ID, TOKEN)
        border = 4
        size, dark = svg_modules(render_qr(data, kind=kind, fmt="svg", scale=5, border=border))  # type: ignore[arg-type]
        modules = matrix(make_qr(data, kind=kind))  # type: ignore[arg-type]
        assert size == len(modules) + 2 * border
        expected = {(x + border, y + border) for y, row in enumerate(modules) for x, dark_ in enumerate(row) if dark_}
        assert dark == expected

    def test_segments_keep_the_token_alphanumeric(self) -> None:
        url = offline_url(BASE, LABEL_ID, TOKEN)
        parts = [text for text, _ in segments(url)]
        assert parts == [label_url(BASE, LABEL_ID), "#", url.split("#")[1]]

    @given(st.text(min_size=1, max_size=60))
    def test_segments_rejoin_to_the_data(self, data: str) -> None:
        assert "".join(text for text, _ in segments(data)) == data
