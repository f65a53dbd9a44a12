"""A set of rule packs: lookup by reference, selection for a declaration, compile cache."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from registry.declarations import classification_codes, rule_refs, spec_version_major
from registry.errors import InputError, Location, PackError, PackSelectionError
from registry.findings import Finding, Severity
from registry.packs.engine import CompiledPack
from registry.packs.rulepack import ResolvedPack, RulePack, load_pack_file, resolve
from registry.resources import rulepacks_dir
from registry.semver import Precedence, precedence

PACK_SUFFIXES = (".yaml", ".yml", ".json")
BASE_PACK_RULE = "declaration.pack.base"  # no product pack fits: validated against the base pack


def semver_key(version: str) -> Precedence:
    """SemVer 2.0.0 precedence (``1.10.0`` after ``1.9.0``, ``rc.10`` after ``rc.2``)."""
    return precedence(version)


def split_ref(ref: str) -> tuple[str, str | None]:
    name, sep, version = ref.partition("@")
    return name, (version if sep else None)


def _norm(code: str) -> str:
    return code.replace(".", "").replace(" ", "")


class Catalog:
    def __init__(self, packs: Iterable[RulePack]) -> None:
        self._packs: dict[str, RulePack] = {}
        for pack in packs:
            if pack.ref in self._packs:
                other = self._packs[pack.ref].source
                raise PackError(f"{pack.ref} is defined twice (also in {other})", Location(pack.source))
            self._packs[pack.ref] = pack
        self._compiled: dict[str, CompiledPack] = {}

    @classmethod
    def from_directory(cls, root: Path) -> Catalog:
        files = sorted(p for p in root.rglob("*") if p.suffix in PACK_SUFFIXES and p.is_file())
        return cls(load_pack_file(p) for p in files)

    @classmethod
    def bundled(cls) -> Catalog:
        return cls.from_directory(rulepacks_dir())

    def status_of(self, ref: str) -> str:
        """A pack version's status: its own ``status`` here; a registry overrides it from storage."""
        return self._packs[ref].status

    def packs(self) -> list[RulePack]:
        return sorted(self._packs.values(), key=lambda p: (p.id, semver_key(p.version)))

    def get(self, ref: str, *, on: date | None = None) -> RulePack:
        """``id@version``, ``id`` (newest non-draft version), or an unambiguous short name.

        With ``on``, an unpinned ``id`` means the newest version in effect on that date
        (``effective.from`` <= on <= ``effective.until``, the latter when set).
        """
        name, version = split_ref(ref)
        ids = {p.id for p in self._packs.values()}
        if name not in ids:
            matches = sorted(i for i in ids if i.split("/", 1)[1] == name)
            if len(matches) == 1:
                name = matches[0]
            elif len(matches) > 1:
                raise PackSelectionError(f"pack name {name!r} is ambiguous", candidates=matches)
            else:
                raise InputError(f"unknown rule pack {ref!r}")
        if version is not None:
            pack = self._packs.get(f"{name}@{version}")
            if pack is None:
                known = [p.version for p in self.packs() if p.id == name]
                raise InputError(f"unknown version {version!r} of {name} (known: {', '.join(known)})")
            return pack
        versions = [p for p in self.packs() if p.id == name]
        usable = [p for p in versions if self.status_of(p.ref) in ("published", "deprecated")]
        if not usable:
            usable = [p for p in versions if self.status_of(p.ref) != "withdrawn"]
        if not usable:
            raise InputError(f"every version of {name} is withdrawn")
        if on is not None:
            day = on.isoformat()
            in_effect = [p for p in usable if _in_effect(p, day)]
            if not in_effect:
                listed = ", ".join(f"{p.version} (from {p.data['effective']['from']})" for p in usable)
                raise InputError(f"no version of {name} was in effect on {day}; versions: {listed}")
            usable = in_effect
        return usable[-1]

    def resolve(self, ref: str) -> ResolvedPack:
        return resolve(self.get(ref), self._lookup_exact)

    def _lookup_exact(self, ref: str) -> RulePack:
        pack = self._packs.get(ref)
        if pack is None:
            raise InputError(f"unknown rule pack {ref!r}")
        return pack

    def compiled(self, ref: str, *, on: date | None = None) -> CompiledPack:
        pack = self.get(ref, on=on)
        cached = self._compiled.get(pack.ref)
        if cached is None:
            cached = self._compiled[pack.ref] = CompiledPack(resolve(pack, self._lookup_exact))
        return cached

    def select(self, document: Any, *, now: datetime) -> RulePack:
        """The pack a declaration names, else the one its classification codes fall under."""
        pack = self._product_pack(document, now)
        if pack is None:
            raise PackSelectionError(_no_fit(document) + "; choose one with --pack", candidates=self._hint())
        return pack

    def choose(self, document: Any, *, now: datetime) -> tuple[RulePack, Finding | None]:
        """:meth:`select`, falling back to the base pack of the declaration's format when no product pack fits.

        The base pack is ``pact-v3`` for a PACT v3 declaration and ``core`` for any other;
        the finding says that the declaration was checked against it and why. Without
        that base pack in the catalog, the error of :meth:`select`.
        """
        pack = self._product_pack(document, now)
        if pack is not None:
            return pack, None
        name, standard = _base_of(document)
        try:
            base = self.get(name, on=now.date())
        except InputError:
            return self.select(document, now=now), None  # raises: no pack fits
        return base, Finding(
            rule_id=BASE_PACK_RULE,
            severity=Severity.WARNING,
            path="",
            message=f"{_no_fit(document)}; validated against the base pack {base.ref} for {standard} "
            "declarations, so no product rules were checked (name a product pack with --pack)",
        )

    def _product_pack(self, document: Any, now: datetime) -> RulePack | None:
        """The pack a declaration names, else the one its codes fall under; None when none fits."""
        named = rule_refs(document)
        if named:
            found: list[RulePack] = []
            for ref in named:
                try:
                    found.append(self.get(ref, on=now.date()))
                except InputError:
                    continue
            refs = sorted({p.ref for p in found})
            if len(refs) == 1:
                return found[0]
            if not refs:
                raise PackSelectionError(
                    "the declaration names rule packs that are not known here: " + ", ".join(named),
                    candidates=sorted(named),
                )
            raise PackSelectionError("the declaration names several rule packs", candidates=refs)
        hs, cpc = classification_codes(document)
        candidates = self._by_codes(hs, cpc, now)
        if len(candidates) > 1:
            raise PackSelectionError(
                "several rule packs fit this declaration; choose one with --pack",
                candidates=[p.ref for p in candidates],
            )
        return candidates[0] if candidates else None

    def _hint(self) -> list[str]:
        """Every product pack, then every base pack (newest versions in effect are chosen by date)."""
        packs = self.packs()
        return [p.ref for p in packs if not p.abstract] + [f"{p.ref} (base pack)" for p in packs if p.abstract]

    def _by_codes(self, hs: list[str], cpc: list[str], now: datetime) -> list[RulePack]:
        hs_n = [_norm(c) for c in hs]
        cpc_n = [_norm(c) for c in cpc]
        best: dict[str, RulePack] = {}
        today = now.date().isoformat()
        for pack in self.packs():
            if pack.abstract or self.status_of(pack.ref) != "published":
                continue
            if not _in_effect(pack, today):
                continue
            scope = pack.data.get("scope", {})
            hit = any(c.startswith(_norm(s)) for s in scope.get("hs", []) for c in hs_n) or any(
                c.startswith(_norm(s)) for s in scope.get("cpc", []) for c in cpc_n
            )
            if hit:
                best[pack.id] = pack  # packs() is version-ordered: keeps the newest
        return list(best.values())


def _no_fit(document: Any) -> str:
    hs, cpc = classification_codes(document)
    return (
        "no rule pack fits this declaration: it names none in pcf.productOrSectorSpecificRules and "
        f"its classification codes (hs {hs or '-'}, cpc {cpc or '-'}) match no pack"
    )


def _base_of(document: Any) -> tuple[str, str]:
    """(base pack name, the standard in words) for a declaration as given: PACT v3 -> pact-v3, else core."""
    if isinstance(document, dict) and spec_version_major(document) == 3:
        return "pact-v3", "PACT v3"
    return "core", "all"


def _in_effect(pack: RulePack, day: str) -> bool:
    """Whether ``pack`` applies on ``day`` (ISO date text): from <= day <= until (both inclusive, as stored)."""
    eff = pack.data["effective"]
    return bool(eff["from"] <= day and ("until" not in eff or day <= eff["until"]))
