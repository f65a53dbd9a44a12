"""The input kernel: UTF-16 and UTF-32 text found by its byte order mark or first bytes (issue 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry import cli
from registry.errors import InputError
from registry.inputs import parse_json, wide_encoding, xml_as_utf8

DOC = '{"a": "Grüße", "b": [1, 2]}'
# (Python codec, what the error names): with a byte order mark, and without (found by the zero bytes)
WIDE = [
    ("utf-16", "UTF-16"),
    ("utf-16-le", "UTF-16"),
    ("utf-16-be", "UTF-16"),
    ("utf-32", "UTF-32"),
    ("utf-32-le", "UTF-32"),
    ("utf-32-be", "UTF-32"),
]


@pytest.mark.parametrize(("codec", "name"), WIDE)
def test_wide_json_is_refused_saying_what_it_is(codec: str, name: str) -> None:
    data = DOC.encode(codec)
    found = wide_encoding(data)
    assert found is not None and found.name == name
    with pytest.raises(InputError) as caught:
        parse_json(data, file="in.json")
    assert caught.value.message.startswith(f"the file is {name}") and "must be UTF-8" in caught.value.message
    assert caught.value.location.file == "in.json"


def test_utf8_is_not_wide() -> None:
    for data in (DOC.encode(), b"\xef\xbb\xbf" + DOC.encode(), b"1", b"", '"é"'.encode("latin-1")):
        assert wide_encoding(data) is None
    assert parse_json(DOC.encode()) == json.loads(DOC)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_xml_that_declares_its_encoding_is_read(codec: str) -> None:
    declared = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
    text = f'<?xml version="1.0" encoding="{declared}"?>\n<r a="Grüße">\n  <b/>\n</r>'
    utf8 = xml_as_utf8(text.encode(codec), file="in.xml")
    assert utf8 == text.replace(f'encoding="{declared}"', 'encoding="UTF-8"').encode()


def test_wide_xml_without_a_declaration_is_refused() -> None:
    for codec, name in (("utf-16", "UTF-16"), ("utf-32-le", "UTF-32")):
        with pytest.raises(InputError) as caught:
            xml_as_utf8('<r a="1"/>'.encode(codec), file="in.xml")
        assert caught.value.message.startswith(f"the file is {name}") and "must be UTF-8" in caught.value.message
    with pytest.raises(InputError, match="declares encoding UTF-8"):
        xml_as_utf8('<?xml version="1.0" encoding="UTF-8"?><r/>'.encode("utf-16"), file="in.xml")


def test_the_cli_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "declaration.json"
    path.write_bytes(DOC.encode("utf-16"))
    r = CliRunner().invoke(cli.main, ["validate", str(path)])
    assert r.exit_code == 2 and str(path) in r.stderr and "is UTF-16" in r.stderr and "must be UTF-8" in r.stderr
