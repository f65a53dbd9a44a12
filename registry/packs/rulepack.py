"""Rule packs: the authored document, loaded and checked, and its resolution.

A pack is data (YAML or JSON) validated against ``schemas/rulepack-1.0.json``.
Errors name the file, line and key. ``extends`` is resolved into a flat
:class:`ResolvedPack` (bases first, the extending pack as an overlay: its
parameters override by name, its rules add to or, marked ``override``, replace
inherited ones, ``ruleOverrides`` re-grade or disable them). Cycles are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.canonical import sha256_digest
from registry.declarations import PRODUCT_MASS_PARAMETER
from registry.errors import InputError, Location, PackError
from registry.findings import PackRef, Severity
from registry.packs.cache import PackCache, content_key
from registry.resources import RULEPACK_SCHEMA_ID
from registry.schemas import iter_schema_errors
from registry.yamlpos import Positions, load_with_positions, position_of

STAGES = ("raw-material-acquisition", "production", "distribution", "use", "end-of-life")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    kind: str
    clauses: tuple[str, ...]
    path: str
    check: str | None
    when: str | None
    message: str | None
    stage: str | None
    for_each: tuple[str, ...] | None
    override: bool
    origin: str  # "id@version" of the pack that defined it
    pointer: str  # where in that pack's file, e.g. /rules/3

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: str, pointer: str) -> Rule:
        fe = data.get("forEach")
        return cls(
            id=data["id"],
            title=data["title"],
            severity=Severity(data["severity"]),
            kind=data.get("kind", "check"),
            clauses=tuple(data["clauses"]),
            path=data.get("path", ""),
            check=data.get("check"),
            when=data.get("when"),
            message=data.get("message"),
            stage=data.get("stage"),
            for_each=tuple(fe) if fe is not None else None,
            override=bool(data.get("override", False)),
            origin=origin,
            pointer=pointer,
        )


@dataclass(frozen=True)
class GradingBand:
    grade: str
    max: str | None


@dataclass(frozen=True)
class Grading:
    metric: str
    unit: str | None
    bands: tuple[GradingBand, ...]


@dataclass
class RulePack:
    """One authored pack version, schema-valid, not yet resolved."""

    data: dict[str, Any]
    source: str | None = None
    positions: Positions = field(default_factory=dict)
    # Where the positions come from when they are first needed (a pack loaded from the cache).
    positions_loader: Callable[[], Positions] | None = field(default=None, repr=False, compare=False)
    known_digest: str | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def digest(self) -> str:
        """The SHA-256 of the pack's canonical JSON (RFC 8785), computed once (a pack's data is not changed
        once it is loaded), or kept with a pack loaded from the cache."""
        if self.known_digest is None:
            self.known_digest = sha256_digest(self.data)
        return self.known_digest

    @property
    def pack_ref(self) -> PackRef:
        return PackRef(id=self.id, version=self.version, digest=self.digest)

    @property
    def extends(self) -> tuple[str, ...]:
        return tuple(self.data.get("extends", ()))

    @property
    def abstract(self) -> bool:
        return bool(self.data.get("abstract", False))

    @property
    def status(self) -> str:
        return str(self.data["status"])

    def all_positions(self) -> Positions:
        """JSON pointer -> (line, column) of the pack's file; loaded on first use for a cached pack."""
        if self.positions_loader is not None:
            self.positions, self.positions_loader = self.positions_loader(), None
        return self.positions

    def location(self, pointer: str) -> Location:
        line, column = position_of(self.all_positions(), pointer)
        return Location(self.source, line, column, pointer)

    def summary(self) -> dict[str, Any]:
        scope = self.data.get("scope", {})
        return {
            "id": self.id,
            "version": self.version,
            "title": self.data["title"],
            "status": self.status,
            "hs": list(scope.get("hs", [])),
            "cpc": list(scope.get("cpc", [])),
            "extends": list(self.extends),
            "abstract": self.abstract,
        }


def parse_pack(text: str, *, source: str | None = None) -> RulePack:
    """Parse and schema-check one pack; every problem names file, line and key."""
    data, positions = load_with_positions(text, file=source)
    return pack_from_data(data, source=source, positions=positions)


def pack_from_data(data: Any, *, source: str | None = None, positions: Positions | None = None) -> RulePack:
    """Schema-check pack data already parsed (e.g. from an uploaded envelope); errors name the key."""
    if not isinstance(data, dict):
        raise PackError("a rule pack must be a mapping (YAML) or an object (JSON)", Location(source, 1, 1))
    pack = RulePack(data=data, source=source, positions=positions or {})
    problems: list[InputError] = []
    for err in iter_schema_errors(RULEPACK_SCHEMA_ID, data):
        problems.append(InputError(f"{err.message} ({err.keyword})", pack.location(err.pointer)))
    if problems:
        raise PackError(
            f"rule pack does not match the rule pack schema ({len(problems)} problem(s))",
            Location(source),
            problems=list(problems),
        )
    _check_local_consistency(pack)
    return pack


def load_pack_file(path: Path, cache: PackCache | None = None) -> RulePack:
    """One pack file, parsed and checked; with ``cache``, as stored for these exact bytes when it was."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read rule pack: {e}", Location(str(path))) from e
    if cache is None:
        return parse_pack(text, source=str(path))
    key = content_key(raw)
    entry = cache.load("pack", key)
    data = entry.get("data") if isinstance(entry, dict) else None
    digest = entry.get("digest") if isinstance(entry, dict) else None
    if (
        isinstance(data, dict)
        and isinstance(data.get("id"), str)
        and isinstance(data.get("version"), str)
        and isinstance(digest, str)
        and digest.startswith("sha256:")
    ):
        return RulePack(
            data=data,
            source=str(path),
            positions_loader=lambda: _cached_positions(cache, key, path),
            known_digest=digest,  # with 500 packs, computing every digest again took about half a CPU-second
        )
    pack = parse_pack(text, source=str(path))
    cache.store("positions", key, {pointer: list(where) for pointer, where in pack.positions.items()})
    cache.store("pack", key, {"data": pack.data, "digest": pack.digest})
    return pack


def _cached_positions(cache: PackCache, key: str, path: Path) -> Positions:
    """The positions kept for a pack file's bytes; else parsed again from the file, if it still has those bytes."""
    stored = cache.load("positions", key)
    if isinstance(stored, dict):
        try:
            return {pointer: (int(line), int(column)) for pointer, (line, column) in stored.items()}
        except (TypeError, ValueError):
            pass
    try:
        raw = path.read_bytes()
        if content_key(raw) == key:
            return load_with_positions(raw.decode("utf-8"), file=str(path))[1]
    except (OSError, UnicodeDecodeError, InputError):
        pass
    return {}


def _check_local_consistency(pack: RulePack) -> None:
    """What the schema cannot say: unique rule ids, ordered grading bands, publisher namespace."""
    problems: list[InputError] = []
    namespace = pack.id.split("/", 1)[0]
    if pack.data["publisher"]["id"] != namespace:
        problems.append(
            InputError(
                f"pack id namespace {namespace!r} differs from publisher id {pack.data['publisher']['id']!r}",
                pack.location("/publisher/id"),
            )
        )
    mass = pack.data.get("parameters", {}).get(PRODUCT_MASS_PARAMETER)
    if mass is not None and not isinstance(_param_value(mass), bool):
        problems.append(
            InputError(
                f"parameter {PRODUCT_MASS_PARAMETER} is read by the engine and must be true or false",
                pack.location(f"/parameters/{PRODUCT_MASS_PARAMETER}"),
            )
        )
    seen: dict[str, int] = {}
    for i, rule in enumerate(pack.data.get("rules", [])):
        if rule["id"] in seen:
            problems.append(
                InputError(
                    f"duplicate rule id {rule['id']!r} (first at /rules/{seen[rule['id']]})",
                    pack.location(f"/rules/{i}/id"),
                )
            )
        seen.setdefault(rule["id"], i)
    bands = pack.data.get("grading", {}).get("bands", [])
    last: float | None = None
    for i, band in enumerate(bands):
        upper = band.get("max")
        if upper is None and i != len(bands) - 1:
            problems.append(InputError("only the last grading band may omit max", pack.location(f"/grading/bands/{i}")))
        elif upper is not None:
            value = float(upper)
            if last is not None and value <= last:
                problems.append(
                    InputError(
                        "grading bands must have strictly increasing max values",
                        pack.location(f"/grading/bands/{i}/max"),
                    )
                )
            last = value
    grades = [b["grade"] for b in bands]
    if len(set(grades)) != len(grades):
        problems.append(InputError("grading band grades must be unique", pack.location("/grading/bands")))
    if problems:
        raise PackError(f"rule pack {pack.ref} is inconsistent", Location(pack.source), problems=list(problems))


@dataclass(frozen=True)
class ResolvedPack:
    """A pack with its bases folded in: what the engine compiles."""

    pack: RulePack
    chain: tuple[str, ...]  # refs, bases first, this pack last
    parameters: dict[str, Any]
    rules: tuple[Rule, ...]
    declared_unit: dict[str, Any] | None
    system_boundary: str | None
    required_stages: tuple[str, ...]
    required_modules: tuple[str, ...]
    grading: Grading | None
    example: dict[str, Any] | None = None
    example_inventory: dict[str, Any] | None = None
    recalculation: dict[str, Any] | None = None

    @property
    def ref(self) -> str:
        return self.pack.ref


def _param_value(raw: Any) -> Any:
    return raw["value"] if isinstance(raw, dict) else raw


def resolve(pack: RulePack, lookup: Callable[[str], RulePack]) -> ResolvedPack:
    """Fold ``extends`` in, bases first (depth-first, each base once). Refuses cycles."""
    order: list[RulePack] = []
    _visit(pack, lookup, stack=[], done=set(), order=order)
    params: dict[str, Any] = {}
    rules: dict[str, Rule] = {}
    unit = boundary = grading_raw = example = example_inventory = recalculation = None
    stages: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    for p in order:
        d = p.data
        for name, raw in d.get("parameters", {}).items():
            params[name] = _param_value(raw)
        for i, rd in enumerate(d.get("rules", [])):
            rule = Rule.from_json(rd, p.ref, f"/rules/{i}")
            if rule.id in rules and not rule.override:
                raise PackError(
                    f"rule {rule.id!r} is already defined by {rules[rule.id].origin}; set override: true to replace it",
                    p.location(f"/rules/{i}/id"),
                )
            if rule.override and rule.id not in rules:
                raise PackError(
                    f"rule {rule.id!r} is marked override but no base pack defines it",
                    p.location(f"/rules/{i}/override"),
                )
            rules[rule.id] = rule
        for i, ov in enumerate(d.get("ruleOverrides", [])):
            _apply_override(rules, ov, p, i)
        unit = d.get("declaredUnit", unit)
        boundary = d.get("systemBoundary", boundary)
        stages = tuple(d.get("requiredStages", stages))
        modules = tuple(d.get("requiredModules", modules))
        grading_raw = d.get("grading", grading_raw)
        example = d.get("example", example)
        example_inventory = d.get("exampleInventory", example_inventory)
        recalculation = d.get("recalculation", recalculation)
    grading = None
    if grading_raw is not None:
        grading = Grading(
            metric=grading_raw["metric"],
            unit=grading_raw.get("unit"),
            bands=tuple(GradingBand(b["grade"], b.get("max")) for b in grading_raw["bands"]),
        )
    return ResolvedPack(
        pack=pack,
        chain=tuple(p.ref for p in order),
        parameters=params,
        rules=tuple(rules.values()),
        declared_unit=unit,
        system_boundary=boundary,
        required_stages=stages,
        required_modules=modules,
        grading=grading,
        example=example,
        example_inventory=example_inventory,
        recalculation=recalculation,
    )


def _apply_override(rules: dict[str, Rule], ov: Mapping[str, Any], p: RulePack, i: int) -> None:
    rid = ov["id"]
    if rid not in rules:
        raise PackError(f"ruleOverrides names unknown rule {rid!r}", p.location(f"/ruleOverrides/{i}/id"))
    if ov.get("disabled"):
        del rules[rid]
        return
    if "severity" in ov:
        old = rules[rid]
        rules[rid] = Rule(**{**vars(old), "severity": Severity(ov["severity"])})


def _visit(
    pack: RulePack,
    lookup: Callable[[str], RulePack],
    stack: list[str],
    done: set[str],
    order: list[RulePack],
) -> None:
    if pack.ref in stack:
        cycle = " -> ".join([*stack[stack.index(pack.ref) :], pack.ref])
        raise PackError(f"extends cycle: {cycle}", pack.location("/extends"))
    if pack.ref in done:
        return
    stack.append(pack.ref)
    for i, base_ref in enumerate(pack.extends):
        try:
            base = lookup(base_ref)
        except InputError as e:
            raise PackError(f"extends {base_ref!r}: {e.message}", pack.location(f"/extends/{i}")) from e
        _visit(base, lookup, stack, done, order)
    stack.pop()
    done.add(pack.ref)
    order.append(pack)
