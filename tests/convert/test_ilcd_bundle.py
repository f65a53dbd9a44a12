"""ZIP bundles of ILCD data sets: the layout of exports, and archives that must be refused."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from registry.convert import ilcd_bundle
from registry.convert.ilcd import ilcd_bundle_to_declaration, ilcd_to_declaration
from registry.errors import InputError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ilcd"
OFFICIAL = FIXTURES / "official" / "EPDv1.3_example_57a4ae65-d305-421e-b21f-a3f0c35b8abe.xml"
OFFICIAL_FLOW = FIXTURES / "official" / "a7432abd-0881-4977-a817-f8aaf627fb91.xml"
V12 = FIXTURES / "v1.2" / "process.xml"
NOW = datetime(2026, 6, 30, tzinfo=UTC)


def archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, (2025, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def mark_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag (bit 0) in every local header and central directory entry."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start != -1:
            out[start + offset] |= 0x1
            start = out.find(signature, start + 4)
    return bytes(out)


def bundle(data: bytes, **kwargs: object) -> object:
    return ilcd_bundle_to_declaration(data, source="b.zip", now=NOW, **kwargs)  # type: ignore[arg-type]


def refused(data: bytes, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        bundle(data, **kwargs)
    return info.value


def test_official_bundle_converts_like_the_two_files() -> None:
    conversion = ilcd_bundle_to_declaration(
        (FIXTURES / "bundles" / "official.zip").read_bytes(), source="official.zip", now=NOW
    )
    direct = ilcd_to_declaration(OFFICIAL.read_bytes(), flow=OFFICIAL_FLOW.read_bytes(), source="x", now=NOW)
    assert conversion.document == direct.document
    assert [(f.rule_id, f.path, f.source_path) for f in conversion.findings] == [
        (f.rule_id, f.path, f.source_path) for f in direct.findings
    ]


def test_flow_found_by_its_uuid_when_not_named_after_it() -> None:
    conversion = ilcd_bundle_to_declaration(
        (FIXTURES / "bundles" / "v1.2-flow-not-named-by-uuid.zip").read_bytes(), source="b.zip", now=NOW
    )
    assert conversion.document["pcf"]["declaredUnitOfMeasurement"] == "square meter"


def test_bundle_without_the_flow_needs_a_declared_unit() -> None:
    data = archive({"ILCD/processes/p.xml": OFFICIAL.read_bytes()})
    error = refused(data)
    assert "a7432abd-0881-4977-a817-f8aaf627fb91" in error.message and "declared" in error.message
    assert bundle(data, declared_unit="kilogram") is not None


def test_errors_name_the_member() -> None:
    data = archive({"ILCD/processes/p.xml": b"<processDataSet/>"})
    error = refused(data)
    assert error.location.file == "b.zip!ILCD/processes/p.xml"


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({}, "found none"),
        ({"flows/f.xml": b"<x/>"}, "found none"),
        ({"processes/a.xml": b"<x/>", "processes/b.xml": b"<x/>"}, "found 2"),
    ],
)
def test_exactly_one_process(members: dict[str, bytes], words: str) -> None:
    assert words in refused(archive(members)).message


@pytest.mark.parametrize("name", ["../processes/p.xml", "/etc/processes/p.xml", "C:/processes/p.xml", "a/../../p.xml"])
def test_unsafe_member_names_are_refused(name: str) -> None:
    error = refused(archive({name: OFFICIAL.read_bytes()}))
    assert "unsafe member name" in error.message and name in (error.location.file or "")


def test_encrypted_member_is_refused() -> None:
    data = mark_encrypted(archive({"processes/p.xml": b"<x/>"}))
    assert "encrypted" in refused(data).message


def test_zip_bomb_member_is_refused() -> None:
    data = archive({"processes/p.xml": b"<" + b" " * (ilcd_bundle.MAX_MEMBER_BYTES + 10)})
    assert len(data) < 100_000  # small archive, huge member
    assert "over the limit" in refused(data).message


def test_sizes_are_enforced_on_the_bytes_read_not_the_header() -> None:
    member = b"<r>" + b" " * 5000 + b"</r>"
    data = bytearray(archive({"processes/p.xml": member}))
    size = len(member).to_bytes(4, "little")
    lie = (10).to_bytes(4, "little")
    data = bytearray(bytes(data).replace(size, lie))  # local header and central directory claim 10 bytes
    error = refused(bytes(data))
    assert error.location.file is not None and error.location.file.startswith("b.zip")


def test_total_unpacked_size_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ilcd_bundle, "MAX_TOTAL_BYTES", 100_000)
    flows = {f"flows/f{i}.xml": OFFICIAL_FLOW.read_bytes() for i in range(30)}  # none is the reference flow
    data = archive({"processes/p.xml": V12.read_bytes(), **flows})
    assert "bundle unpacks to more than 100000 bytes" in refused(data).message


def test_too_many_members(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ilcd_bundle, "MAX_MEMBERS", 3)
    data = archive({f"sources/s{i}.xml": b"<x/>" for i in range(4)})
    assert "4 members, over the limit of 3" in refused(data).message


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 broken", b"not a zip at all", b"PK\x05\x06" + b"\x00" * 18])
def test_not_a_zip(data: bytes) -> None:
    error = refused(data)
    assert error.location.file == "b.zip" and ("ZIP" in error.message or "found none" in error.message)


def test_broken_flow_named_after_the_reference_flow_is_an_error() -> None:
    data = archive(
        {
            "processes/p.xml": OFFICIAL.read_bytes(),
            "flows/a7432abd-0881-4977-a817-f8aaf627fb91.xml": b"<f:flowDataSet",
        }
    )
    error = refused(data)
    assert error.location.file == "b.zip!flows/a7432abd-0881-4977-a817-f8aaf627fb91.xml"


def test_broken_unrelated_flow_is_skipped() -> None:
    data = archive(
        {
            "processes/p.xml": OFFICIAL.read_bytes(),
            "flows/other.xml": b"<<<",
            "flows/product.xml": OFFICIAL_FLOW.read_bytes(),
        }
    )
    assert bundle(data) is not None


# --- issue 11: several processes (a data-stock export), flat ZIPs ------------------------------------
OFFICIAL_UUID = "57a4ae65-d305-421e-b21f-a3f0c35b8abe"
V12_UUID = "0e4b5a9c-1d2e-4f3a-8b7c-6d5e4f3a2b1c"
V12_FLOW = FIXTURES / "v1.2" / "flow.xml"


def _stock() -> bytes:
    return archive(
        {
            "ILCD/processes/first.xml": OFFICIAL.read_bytes(),
            "ILCD/processes/second.xml": V12.read_bytes(),
            "ILCD/flows/a7432abd-0881-4977-a817-f8aaf627fb91.xml": OFFICIAL_FLOW.read_bytes(),
            "ILCD/flows/other.xml": V12_FLOW.read_bytes(),
        }
    )


def test_several_processes_error_lists_them_and_names_the_option() -> None:
    error = refused(_stock())
    assert "found 2" in error.message and "--process" in error.message
    assert OFFICIAL_UUID in error.message and V12_UUID in error.message
    assert "Wood panel" in error.message


@pytest.mark.parametrize(("uuid", "name"), [(OFFICIAL_UUID, "Wood panel"), (V12_UUID.upper(), "Gypsum plasterboard")])
def test_process_option_picks_one(uuid: str, name: str) -> None:
    conversion = bundle(_stock(), process=uuid)
    assert conversion.document["id"].lower() == uuid.lower()  # type: ignore[attr-defined]
    assert conversion.document["productNameCompany"].startswith(name)  # type: ignore[attr-defined]


def test_process_option_naming_no_process_lists_the_ones_there() -> None:
    error = refused(_stock(), process="00000000-0000-4000-8000-000000000000")
    assert "00000000-0000-4000-8000-000000000000" in error.message and OFFICIAL_UUID in error.message


def test_flat_zip_is_read_by_root_element() -> None:
    flat = archive({"epd.xml": OFFICIAL.read_bytes(), "product.xml": OFFICIAL_FLOW.read_bytes(), "x.xml": b"<x/>"})
    direct = ilcd_to_declaration(OFFICIAL.read_bytes(), flow=OFFICIAL_FLOW.read_bytes(), source="x", now=NOW)
    assert bundle(flat).document == direct.document  # type: ignore[attr-defined]


def declare_size(data: bytes, size: int) -> bytes:
    """The archive with every central directory entry declaring ``size`` bytes unpacked (the local headers and
    the data unchanged): what a stored 1 GiB member looks like to a reader that starts from the directory."""
    out = bytearray(data)
    start = out.find(b"PK\x01\x02")
    while start != -1:
        out[start + 24 : start + 28] = size.to_bytes(4, "little")  # uncompressed size (APPNOTE 4.3.12)
        start = out.find(b"PK\x01\x02", start + 4)
    return bytes(out)


def test_declared_sizes_are_checked_before_any_member_is_read() -> None:
    """Issue 10: a stored 1 GiB member was opened and read before being refused."""
    data = declare_size(archive({"processes/p.xml": V12.read_bytes()}), 2**30)
    with pytest.raises(InputError) as caught:
        ilcd_bundle.read_bundle(data, source="b.zip")  # at opening: no member read yet
    assert caught.value.location.file == "b.zip!processes/p.xml"
    assert "declares 1073741824 bytes unpacked" in caught.value.message


def test_declared_total_is_checked_before_any_member_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ilcd_bundle, "MAX_TOTAL_BYTES", 100_000)
    flows = {f"flows/f{i}.xml": b"<x/>" for i in range(30)}
    data = declare_size(archive({"processes/p.xml": b"<x/>", **flows}), 5_000)
    with pytest.raises(InputError) as caught:
        ilcd_bundle.read_bundle(data, source="b.zip")
    assert "bundle unpacks to more than 100000 bytes" in caught.value.message and "155000" in caught.value.message


def test_flat_zip_declared_sizes_are_checked_before_any_member_is_read() -> None:
    data = declare_size(archive({"epd.xml": V12.read_bytes(), "flow.xml": OFFICIAL_FLOW.read_bytes()}), 2**30)
    with pytest.raises(InputError) as caught:
        ilcd_bundle.read_bundle(data, source="b.zip")
    assert "declares 1073741824 bytes unpacked" in caught.value.message
