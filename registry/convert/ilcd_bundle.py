"""ZIP bundles of ILCD data sets (soda4LCA / ILCD exports): ``processes/*.xml`` and
``flows/*.xml``, at any depth (``ILCD/processes/...``).

Read in memory, never extracted. Refused cleanly: archives that are not ZIP, members
with unsafe names (absolute, ``..``, drive letters) or encryption, too many members,
and members or totals that inflate beyond the limits (zip bombs). Sizes are checked twice: as the
central directory declares them, before any member is read (a stored 1 GiB member is refused
without reading it), and on the bytes actually read (an archive may lie about its sizes).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Final

from registry.convert import xmlsafe
from registry.convert.conversion import MAX_INPUT_BYTES
from registry.convert.ilcd_tables import COMMON, FLOW
from registry.errors import InputError, Location

__all__ = ["Bundle", "read_bundle"]

MAX_ZIP_BYTES: Final = MAX_INPUT_BYTES
MAX_MEMBERS: Final = 10_000
MAX_MEMBER_BYTES: Final = xmlsafe.MAX_BYTES
MAX_TOTAL_BYTES: Final = 128 * 1024 * 1024
_UNSAFE: Final = re.compile(r"(^[/\\])|(^[A-Za-z]:)|((^|[/\\])\.\.([/\\]|$))")
_UUID_IN_NAME: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass
class Bundle:
    """The process and flow members of a bundle, read lazily with limits."""

    source: str
    archive: zipfile.ZipFile
    processes: list[zipfile.ZipInfo] = field(default_factory=list)
    flows: list[zipfile.ZipInfo] = field(default_factory=list)
    read_total: int = 0

    def name(self, info: zipfile.ZipInfo) -> str:
        return f"{self.source}!{info.filename}"

    def read(self, info: zipfile.ZipInfo) -> bytes:
        where = Location(self.name(info))
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(f"member is {info.file_size} bytes unpacked, over the limit of {MAX_MEMBER_BYTES}", where)
        try:
            with self.archive.open(info) as stream:
                data = stream.read(MAX_MEMBER_BYTES + 1)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            RuntimeError,
            OSError,
            EOFError,
            zlib.error,
        ) as e:
            raise InputError(f"cannot read member: {e}", where) from e
        if len(data) > MAX_MEMBER_BYTES:
            raise InputError(f"member unpacks to more than {MAX_MEMBER_BYTES} bytes", where)
        self.read_total += len(data)
        if self.read_total > MAX_TOTAL_BYTES:
            raise InputError(f"bundle unpacks to more than {MAX_TOTAL_BYTES} bytes", Location(self.source))
        return data

    def process(self) -> tuple[str, bytes]:
        """The bundle's only process data set: (member name, bytes)."""
        if len(self.processes) != 1:
            names = ", ".join(i.filename for i in self.processes[:5]) + (", ..." if len(self.processes) > 5 else "")
            found = f"{len(self.processes)} ({names})" if self.processes else "none"
            raise InputError(
                f"a bundle must hold exactly one process data set (processes/*.xml); found {found}",
                Location(self.source),
            )
        info = self.processes[0]
        return self.name(info), self.read(info)

    def flow(self, flow_uuid: str) -> tuple[str, bytes] | None:
        """The flow data set with this UUID: members named after it first, then the others."""
        wanted = flow_uuid.lower()
        named = [i for i in self.flows if wanted in {u.lower() for u in _UUID_IN_NAME.findall(i.filename)}]
        others = [i for i in self.flows if i not in named]
        for info in named + others:
            data = self.read(info)
            if _flow_uuid(data, self.name(info), strict=info in named) == wanted:
                return self.name(info), data
        return None


def read_bundle(data: bytes, *, source: str) -> Bundle:
    if len(data) > MAX_ZIP_BYTES:
        raise InputError(f"archive is {len(data)} bytes, over the limit of {MAX_ZIP_BYTES}", Location(source))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError, EOFError) as e:
        raise InputError(f"not a readable ZIP archive: {e}", Location(source)) from e
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"archive has {len(infos)} members, over the limit of {MAX_MEMBERS}", Location(source))
    bundle = Bundle(source, archive)
    for info in infos:
        _check_member(info, source)
        folder = _folder(info.filename)
        if info.is_dir() or not info.filename.lower().endswith(".xml"):
            continue
        if folder == "processes":
            bundle.processes.append(info)
        elif folder == "flows":
            bundle.flows.append(info)
    _check_declared_sizes([*bundle.processes, *bundle.flows], source)  # what may be read; other members never are
    return bundle


def _check_declared_sizes(infos: list[zipfile.ZipInfo], source: str) -> None:
    """Refuse members the central directory declares too big, before a byte of any of them is read."""
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            message = f"member declares {info.file_size} bytes unpacked, over the limit of {MAX_MEMBER_BYTES}"
            raise InputError(message, Location(f"{source}!{info.filename}"))
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        message = f"bundle unpacks to more than {MAX_TOTAL_BYTES} bytes: its members declare {total} bytes"
        raise InputError(message, Location(source))


def _check_member(info: zipfile.ZipInfo, source: str) -> None:
    where = Location(f"{source}!{info.filename}")
    if _UNSAFE.search(info.filename) or "\x00" in info.filename:
        raise InputError("unsafe member name (absolute path, drive letter or '..')", where)
    if info.flag_bits & 0x1:
        raise InputError("encrypted members are not supported", where)


def _folder(name: str) -> str:
    parts = [p for p in re.split(r"[/\\]", name) if p]
    return parts[-2].lower() if len(parts) >= 2 else ""


def _flow_uuid(data: bytes, name: str, *, strict: bool) -> str | None:
    """The UUID of a flow data set; a member that fails to parse is an error only when named for the UUID."""
    try:
        root = xmlsafe.parse(data, source=name, expected_root=(xmlsafe.clark(FLOW, "flowDataSet"),))
    except InputError:
        if strict:
            raise
        return None
    found = root.find(
        "/".join(
            xmlsafe.clark(ns, local)
            for ns, local in ((FLOW, "flowInformation"), (FLOW, "dataSetInformation"), (COMMON, "UUID"))
        )
    )
    return (found.text or "").strip().lower() if found is not None else None
