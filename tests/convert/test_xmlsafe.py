"""The hardened XML parser: every hostile or broken input is an InputError naming where."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from registry.convert import xmlsafe
from registry.errors import InputError

PROCESS_ROOT = xmlsafe.clark("http://lca.jrc.it/ILCD/Process", "processDataSet")


def refused(data: bytes, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        xmlsafe.parse(data, source="in.xml", **kwargs)  # type: ignore[arg-type]
    assert info.value.location.file == "in.xml"
    return info.value


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT")
    return path


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording requests: no parse may reach it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'<!ENTITY leak "LEAKED">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_plain_document_parses() -> None:
    root = xmlsafe.parse(b'<?xml version="1.0"?>\n<a xmlns="urn:x"><b>1</b></a>', source="in.xml")
    assert root.tag == "{urn:x}a" and root[0].text == "1"


def test_xxe_file_entity_is_refused_and_not_read(secret: Path) -> None:
    data = f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>\n<r>&x;</r>'.encode()
    error = refused(data)
    assert "DOCTYPE" in error.message
    assert (error.location.line, error.location.column) == (2, 1)
    assert "TOP-SECRET" not in str(error)


def test_xxe_http_entity_is_refused_without_a_request(server: tuple[str, list[str]]) -> None:
    url, hits = server
    data = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}/x">]><r>&x;</r>'.encode()
    assert "DOCTYPE" in refused(data).message
    assert hits == []


def test_external_dtd_is_refused_without_a_request(server: tuple[str, list[str]]) -> None:
    url, hits = server
    assert "DOCTYPE" in refused(f'<!DOCTYPE r SYSTEM "{url}/r.dtd"><r/>'.encode()).message
    assert hits == []


def test_parameter_entities_are_refused_without_a_request(server: tuple[str, list[str]], secret: Path) -> None:
    url, hits = server
    data = f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p; <!ENTITY % f SYSTEM "file://{secret}">]><r/>'
    assert "DOCTYPE" in refused(data.encode()).message
    assert hits == []


def test_billion_laughs_is_refused() -> None:
    lol = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    data = f"<!DOCTYPE r [{''.join(lol)}]><r>&l9;</r>".encode()
    assert "DOCTYPE" in refused(data).message


def test_doctype_without_entities_is_refused_too() -> None:
    assert "DOCTYPE" in refused(b"<!DOCTYPE r><r/>").message


def test_doctype_in_utf16_is_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r><r/>'.encode("utf-16")
    assert "DOCTYPE" in refused(data).message


def test_doctype_the_prolog_check_cannot_read_is_refused_after_parsing() -> None:
    data = '<?xml version="1.0" encoding="UTF-16LE"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode("utf-16-le")
    assert "DOCTYPE" in refused(data).message


def test_doctype_text_after_the_root_starts_is_not_a_doctype() -> None:
    root = xmlsafe.parse(b"<r><![CDATA[<!DOCTYPE r>]]></r>", source="in.xml")
    assert root.text == "<!DOCTYPE r>"


def test_undeclared_entity_is_a_syntax_error_with_position() -> None:
    error = refused(b"<r>\n  &x;</r>")
    assert error.message.startswith("not well-formed XML")
    assert error.location.line == 2 and error.location.column is not None


def test_too_deep() -> None:
    data = b"<a>" * 10 + b"</a>" * 10
    assert xmlsafe.parse(data, source="in.xml", max_depth=10) is not None
    error = refused(data, max_depth=9)
    assert "nested more than 9 deep" in error.message and error.location.line == 1


def test_libxml2_depth_limit_is_an_input_error_too() -> None:
    data = b"<a>" * 300 + b"</a>" * 300
    assert refused(data, max_depth=1000).message.startswith("not well-formed XML")


def test_too_big() -> None:
    data = b"<r>" + b" " * 100 + b"</r>"
    error = refused(data, max_bytes=50)
    assert "more than the limit of 50 bytes" in error.message


@pytest.mark.parametrize(
    "data",
    [b"", b"not xml", b"<r>", b"<r></s>", b"<r/><r/>", b"\xff\xfe\x00", b'<?xml version="1.0" encoding="bogus"?><r/>'],
)
def test_not_xml(data: bytes) -> None:
    error = refused(data)
    assert error.message.startswith(("not well-formed XML", "cannot parse XML"))


def test_wrong_root_element() -> None:
    data = b'<f:flowDataSet xmlns:f="http://lca.jrc.it/ILCD/Flow"/>'
    error = refused(data, expected_root=(PROCESS_ROOT,))
    assert "<flowDataSet> in namespace http://lca.jrc.it/ILCD/Flow" in error.message
    assert "expected <processDataSet> in namespace http://lca.jrc.it/ILCD/Process" in error.message


def test_right_root_in_no_namespace_is_still_wrong() -> None:
    assert "<processDataSet> in no namespace" in refused(b"<processDataSet/>", expected_root=(PROCESS_ROOT,)).message


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = xmlsafe.parse(b"<r><!-- c --><?pi x?><a/></r>", source="in.xml")
    assert [child.tag for child in root] == ["a"]


def test_readable_path_uses_prefixes_and_positions() -> None:
    root = xmlsafe.parse(
        b'<p xmlns="urn:p" xmlns:c="urn:c"><c:x/><c:x><y/></c:x><z xmlns="urn:other"/></p>', source="in.xml"
    )
    prefixes = {"urn:p": "", "urn:c": "common"}
    assert xmlsafe.readable_path(root[1][0], prefixes) == "/p/common:x[2]/y"
    assert xmlsafe.readable_path(root[2], prefixes) == "/p/{urn:other}z"
    path = xmlsafe.readable_path(root[1][0], prefixes).replace("/p/", "/p:p/").replace("/y", "/p:y")
    assert root.getroottree().xpath(path, namespaces={"p": "urn:p", "common": "urn:c"}) == [root[1][0]]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_tree_or_an_input_error(data: bytes) -> None:
    try:
        root = xmlsafe.parse(data, source="fuzz.xml", max_depth=20)
    except InputError as e:
        assert e.location.file == "fuzz.xml"
    else:
        assert isinstance(root, etree._Element)


xml_texts = st.recursive(
    st.sampled_from(["<a/>", "<b>t</b>", "&amp;", "&x;", "<!DOCTYPE a>", "<?pi?>", "<![CDATA[x]]>", "<", ">"]),
    lambda inner: st.builds(lambda a, b: f"<a>{a}{b}</a>", inner, inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(xml_texts, st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_xml_like_text_gives_a_tree_or_an_input_error(text: str, encoding: str) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?>{text}'.encode(encoding)
    try:
        xmlsafe.parse(data, source="fuzz.xml", max_depth=6)
    except InputError as e:
        assert e.location.file == "fuzz.xml"
        if "<!DOCTYPE" in text and "DOCTYPE" in e.message:
            assert "refused" in e.message


def test_utf16_and_utf32_that_declare_their_encoding_parse_with_lines() -> None:
    """Issue 10: UTF-32 could not be read, and UTF-16 without a declaration was taken on trust."""
    text = '<?xml version="1.0" encoding="{}"?>\n<a xmlns="urn:x">\n  <b>Grüße</b>\n</a>'
    for codec, declared in (("utf-16", "UTF-16"), ("utf-32", "UTF-32"), ("utf-16-be", "UTF-16BE")):
        root = xmlsafe.parse(text.format(declared).encode(codec), source="in.xml")
        assert root[0].text == "Grüße" and root[0].sourceline == 3
    assert refused('<a xmlns="urn:x"/>'.encode("utf-16")).message.startswith("the file is UTF-16")
