"""ZIP bundles of ILCD data sets (soda4LCA / ILCD exports): ``processes/*.xml`` and
``flows/*.xml``, at any depth (``ILCD/processes/...``). A ZIP without a ``processes/``
folder (a flat ZIP of data sets) is read by each XML member's root element. A bundle with
several processes (a data-stock export) needs the UUID of the one to convert.

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

from lxml import etree

from registry.convert import xmlsafe
from registry.convert.conversion import MAX_INPUT_BYTES
from registry.convert.ilcd_tables import COMMON, FLOW, PROCESS
from registry.errors import InputError, Location

__all__ = ["Bundle", "read_bundle"]

MAX_ZIP_BYTES: Final = MAX_INPUT_BYTES
MAX_MEMBERS: Final = 10_000
MAX_MEMBER_BYTES: Final = xmlsafe.MAX_BYTES
MAX_TOTAL_BYTES: Final = 128 * 1024 * 1024
_UNSAFE: Final = re.compile(r"(^[/\\])|(^[A-Za-z]:)|((^|[/\\])\.\.([/\\]|$))")
_UUID_IN_NAME: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_LISTED: Final = 20  # processes named in an error message
_PROCESS_ROOT: Final = xmlsafe.clark(PROCESS, "processDataSet")
_FLOW_ROOT: Final = xmlsafe.clark(FLOW, "flowDataSet")


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

    def process(self, uuid: str | None = None) -> tuple[str, bytes]:
        """The process data set to convert: the only one, or the one with this UUID (member name, bytes)."""
        if uuid is None:
            if len(self.processes) == 1:
                return self.name(self.processes[0]), self.read(self.processes[0])
            found = f"{len(self.processes)}: {self._listing()}" if self.processes else "none"
            choose = "; choose one with --process UUID (process=...)" if self.processes else ""
            raise InputError(
                f"a bundle must hold exactly one process data set (processes/*.xml) unless one is chosen; "
                f"found {found}{choose}",
                Location(self.source),
            )
        wanted = uuid.strip().lower()
        for info in self._named_first(self.processes, wanted):
            data = self.read(info)
            if _data_set_uuid(data, self.name(info), PROCESS, strict=False) == wanted:
                return self.name(info), data
        raise InputError(
            f"the bundle holds no process data set {uuid}; it holds {len(self.processes)}: {self._listing()}",
            Location(self.source),
        )

    def _listing(self) -> str:
        """``UUID (name) [member]`` for the first processes."""
        shown = [self._describe(info) for info in self.processes[:_LISTED]]
        more = f", ... ({len(self.processes) - _LISTED} more)" if len(self.processes) > _LISTED else ""
        return ", ".join(shown) + more

    def _describe(self, info: zipfile.ZipInfo) -> str:
        try:
            root = xmlsafe.parse(self.read(info), source=self.name(info), expected_root=(_PROCESS_ROOT,))
        except InputError:
            return f"[{info.filename}: not a readable process data set]"
        uuid_ = _text(root, (PROCESS, "processInformation"), (PROCESS, "dataSetInformation"), (COMMON, "UUID"))
        name = _text(
            root, (PROCESS, "processInformation"), (PROCESS, "dataSetInformation"), (PROCESS, "name"),
            (PROCESS, "baseName"),
        )  # fmt: skip
        return f"{uuid_ or '?'} ({name or 'unnamed'}) [{info.filename}]"

    @staticmethod
    def _named_first(infos: list[zipfile.ZipInfo], wanted: str) -> list[zipfile.ZipInfo]:
        named = [i for i in infos if wanted in {u.lower() for u in _UUID_IN_NAME.findall(i.filename)}]
        return named + [i for i in infos if i not in named]

    def flow(self, flow_uuid: str) -> tuple[str, bytes] | None:
        """The flow data set with this UUID: members named after it first, then the others."""
        wanted = flow_uuid.lower()
        named = self._named_first(self.flows, wanted)
        for info in named:
            data = self.read(info)
            strict = wanted in {u.lower() for u in _UUID_IN_NAME.findall(info.filename)}
            if _data_set_uuid(data, self.name(info), FLOW, strict=strict) == wanted:
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
    if bundle.processes:
        _check_declared_sizes([*bundle.processes, *bundle.flows], source)  # what may be read; others never are
    else:  # a flat ZIP: every XML member is read to see its root element
        xml = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(".xml")]
        _check_declared_sizes(xml, source)
        _by_root_element(bundle, xml)
    return bundle


def _by_root_element(bundle: Bundle, xml: list[zipfile.ZipInfo]) -> None:
    """A flat ZIP (no processes/ folder): sort the XML members by their root element."""
    bundle.flows.clear()
    for info in xml:
        try:
            root = xmlsafe.parse(bundle.read(info), source=bundle.name(info))
        except InputError:
            continue  # not a data set we can read; an unreadable reference flow is reported when missed
        if root.tag == _PROCESS_ROOT:
            bundle.processes.append(info)
        elif root.tag == _FLOW_ROOT:
            bundle.flows.append(info)


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


def _data_set_uuid(data: bytes, name: str, namespace: str, *, strict: bool) -> str | None:
    """The UUID of a process or flow data set; a member that fails to parse is an error only when ``strict``."""
    local = "processDataSet" if namespace == PROCESS else "flowDataSet"
    info = "processInformation" if namespace == PROCESS else "flowInformation"
    try:
        root = xmlsafe.parse(data, source=name, expected_root=(xmlsafe.clark(namespace, local),))
    except InputError:
        if strict:
            raise
        return None
    found = _text(root, (namespace, info), (namespace, "dataSetInformation"), (COMMON, "UUID"))
    return found.lower() if found is not None else None


def _text(root: etree._Element, *steps: tuple[str, str]) -> str | None:
    found = root.find("/".join(xmlsafe.clark(ns, local) for ns, local in steps))
    return (found.text or "").strip() if found is not None else None
