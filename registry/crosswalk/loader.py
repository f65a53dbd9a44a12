"""Loading crosswalk files: schema first, then what a schema cannot say; every problem located.

``crosswalks/requirements.yaml`` holds the vocabulary, ``crosswalks/schemes/<id>.yaml`` one scheme
each. Problems are collected and raised together as one :class:`CrosswalkError`, each naming the
file, line, column and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from registry.crosswalk.kinds import BadValue, CodesKind, Kind, LevelKind, NumberKind, PresenceKind, SetKind
from registry.crosswalk.model import Crosswalks, Entry, EntryStatus, Remedy, Requirement, Scheme, Source
from registry.crosswalk.plan import build_plans
from registry.crosswalk.schemas import REQUIREMENTS_SCHEMA_ID, SCHEME_SCHEMA_ID, schema_errors
from registry.errors import InputError, Location, RegistryError
from registry.resources import crosswalks_dir
from registry.yamlpos import Positions, load_with_positions, position_of


@dataclass
class CrosswalkError(RegistryError):
    """The bundled or given crosswalk files are invalid; ``problems`` lists each, located."""

    code: str = "crosswalk-error"
    problems: list[RegistryError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join([super().__str__()] + ["  - " + str(p) for p in self.problems])

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["problems"] = [p.to_dict() for p in self.problems]
        return out


@dataclass
class _File:
    path: str
    data: Any
    positions: Positions
    problems: list[RegistryError]

    def problem(self, message: str, pointer: str) -> None:
        line, column = position_of(self.positions, pointer)
        self.problems.append(InputError(message, Location(self.path, line, column, pointer)))


def _read(path: Path, schema_id: str, problems: list[RegistryError]) -> _File | None:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(InputError(f"cannot read crosswalk file: {e}", Location(str(path))))
        return None
    try:
        data, positions = _parsed(raw, text, str(path))
    except InputError as e:
        problems.append(e)
        return None
    file = _File(str(path), data, positions, problems)
    errors = schema_errors(schema_id, data)
    for err in errors:
        file.problem(err.message, err.pointer)
    return None if errors else file


def _parsed(raw: bytes, text: str, path: str) -> tuple[Any, Positions]:
    """A YAML file's data and positions, kept in the pack cache by the digest of its bytes (and of the
    parser's code): parsing the eleven bundled files with positions took about a tenth of the CPU a
    ``pcfreg label issue`` spends before its first label."""
    from registry.packs import PackCache, content_key

    cache = PackCache.default()
    key = content_key(b"crosswalk-yaml", raw)
    entry = cache.load(_YAML_KIND, key) if cache is not None else None
    if isinstance(entry, dict) and isinstance(entry.get("positions"), dict) and "data" in entry:
        try:
            return entry["data"], {
                pointer: (int(line), int(col)) for pointer, (line, col) in entry["positions"].items()
            }
        except (TypeError, ValueError):
            pass  # a damaged entry: parse again
    data, positions = load_with_positions(text, file=path)
    if cache is not None:
        cache.store(_YAML_KIND, key, {"data": data, "positions": {k: list(v) for k, v in positions.items()}})
    return data, positions


_YAML_KIND = "crosswalk-yaml"


def _kind(raw: dict[str, Any]) -> Kind:
    name = raw["kind"]
    if name == "set":
        return SetKind(
            raw.get("options"),
            match=raw["match"],
            allow_empty=raw.get("allowEmpty", False),
            refines=raw.get("refines"),
            universal=raw.get("universal", ()),
        )
    if name == "number":
        return NumberKind(raw["direction"], raw["unit"])
    if name == "level":
        return LevelKind(raw["levels"])
    if name == "presence":
        return PresenceKind()
    return CodesKind()


def _check_options(file: _File, raw: dict[str, Any], at: str) -> None:
    options = raw.get("options")
    if options is None:
        return
    for child, parent in raw.get("refines", {}).items():
        for name, where in ((child, f"{at}/refines"), (parent, f"{at}/refines/{child}")):
            if name not in options:
                file.problem(f"refines names {name!r}, which is not an option", where)
    for i, name in enumerate(raw.get("universal", [])):
        if name not in options:
            file.problem(f"universal option {name!r} is not an option", f"{at}/universal/{i}")


def _requirement(file: _File, raw: dict[str, Any], at: str, rank: int) -> Requirement:
    _check_options(file, raw, at)
    kind = _kind(raw)
    rules: list[tuple[str, Any]] = []
    for j, rule in enumerate(raw.get("rules", [])):
        try:
            kind.fact(rule["value"])
            rules.append((rule["rule"], rule["value"]))
        except BadValue as e:
            file.problem(str(e), f"{at}/rules/{j}/value")
    return Requirement(
        id=raw["id"],
        topic=raw["topic"],
        title=raw["title"],
        description=raw["description"],
        kind=kind,
        declaration=tuple(raw["declaration"]),
        unmet=Remedy(raw["unmet"]),
        undetermined=Remedy(raw["undetermined"]),
        hint=raw.get("hint"),
        rules=tuple(rules),
        rank=rank,
        checked_by=frozenset(raw.get("checkedBy", ())),
    )


def _requirements(file: _File) -> tuple[Requirement, ...]:
    out: list[Requirement] = []
    seen: dict[str, int] = {}
    rules: dict[str, str] = {}
    for i, raw in enumerate(file.data["requirements"]):
        at = f"/requirements/{i}"
        if raw["id"] in seen:
            file.problem(
                f"duplicate requirement id {raw['id']!r} (first at /requirements/{seen[raw['id']]})", f"{at}/id"
            )
            continue
        seen[raw["id"]] = i
        requirement = _requirement(file, raw, at, len(out))
        for j, (rule, _) in enumerate(requirement.rules):
            if rule in rules:
                file.problem(f"rule {rule!r} already states {rules[rule]!r}", f"{at}/rules/{j}/rule")
            rules[rule] = requirement.id
        out.append(requirement)
    return tuple(out)


def _entry(file: _File, raw: dict[str, Any], requirement: Requirement | None, at: str) -> Entry | None:
    common = {"clause": raw["clause"], "checked": raw["checked"], "note": raw.get("note")}
    if "status" in raw:
        return Entry(EntryStatus(raw["status"]), **common)
    if requirement is None:
        return None
    try:
        value = requirement.kind.value(raw["value"])
    except BadValue as e:
        file.problem(f"{requirement.id} ({requirement.kind.name}): {e}", f"{at}/value")
        return None
    return Entry(EntryStatus.VALUE, value=value, raw=raw["value"], **common)


def _scheme(file: _File, vocabulary: dict[str, Requirement]) -> Scheme:
    data = file.data
    stem = Path(file.path).stem
    if data["id"] != stem:
        file.problem(f"scheme id {data['id']!r} differs from the file name {stem!r}", "/id")
    entries: dict[str, Entry] = {}
    for key, raw in data["requirements"].items():
        at = "/requirements/" + key
        if key not in vocabulary:
            file.problem(f"{key!r} is not a requirement of the vocabulary", at)
        entry = _entry(file, raw, vocabulary.get(key), at)
        if entry is not None and key in vocabulary:
            entries[key] = entry
    default = _entry(file, data["default"], None, "/default") if "default" in data else None
    missing = [r for r in vocabulary if r not in data["requirements"]]
    if missing and default is None:
        file.problem(f"requirements not addressed and no default: {', '.join(missing)}", "/requirements")
    for r in missing:
        if default is not None:
            entries[r] = default
    return Scheme(
        id=data["id"],
        short=data["short"],
        title=data["title"],
        version=data["version"],
        publisher=data["publisher"],
        packs=tuple(data["packs"]),
        entries={r: entries[r] for r in vocabulary if r in entries},
        sources=tuple(Source(s["title"], s["checked"], s.get("url")) for s in data.get("sources", [])),
        url=data.get("url"),
        file=file.path,
        accreditation_policy=data.get("accreditation_policy"),
    )


def _check_packs(schemes: list[tuple[_File, Scheme]]) -> None:
    owner: dict[str, str] = {}
    for file, scheme in schemes:
        for i, pack in enumerate(scheme.packs):
            if pack in owner:
                file.problem(f"pack {pack!r} already certifies under {owner[pack]!r}", f"/packs/{i}")
            owner.setdefault(pack, scheme.id)


def load_crosswalks_from(root: Path) -> Crosswalks:
    """Load ``root/requirements.yaml`` and ``root/schemes/*.yaml``; raise one located error for all problems."""
    problems: list[RegistryError] = []
    vocab_file = _read(root / "requirements.yaml", REQUIREMENTS_SCHEMA_ID, problems)
    requirements = _requirements(vocab_file) if vocab_file is not None else ()
    vocabulary = {r.id: r for r in requirements}
    loaded: list[tuple[_File, Scheme]] = []
    for path in sorted((root / "schemes").glob("*.yaml")):
        file = _read(path, SCHEME_SCHEMA_ID, problems)
        if file is not None and vocab_file is not None:
            loaded.append((file, _scheme(file, vocabulary)))
    _check_packs(loaded)
    if not loaded and not problems:
        problems.append(InputError("no scheme files", Location(str(root / "schemes"))))
    if problems:
        raise CrosswalkError(
            f"crosswalk files are invalid ({len(problems)} problem(s))", Location(str(root)), problems=problems
        )
    crosswalks = Crosswalks(requirements, {s.id: s for _, s in loaded})
    build_plans(crosswalks)
    return crosswalks


@cache
def load_crosswalks() -> Crosswalks:
    """The bundled crosswalks, loaded and precomputed once per process."""
    return load_crosswalks_from(crosswalks_dir())
