"""A set of rule packs: lookup by reference, selection for a declaration, compile cache."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from registry.declarations import classification_codes, rule_refs, spec_version_major
from registry.errors import InputError, Location, PackError, PackSelectionError
from registry.findings import Finding, Severity
from registry.packs.cache import PackCache, content_key
from registry.packs.engine import CompiledPack
from registry.packs.rulepack import ResolvedPack, RulePack, load_pack_file, resolve
from registry.packs.summaries import pack_files
from registry.resources import rulepacks_dir
from registry.semver import Precedence, precedence

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
    """Packs by reference; immutable once built, so its sorted views and selection index are built once."""

    def __init__(self, packs: Iterable[RulePack], *, cache: PackCache | None = None) -> None:
        self._packs: dict[str, RulePack] = {}
        for pack in packs:
            if pack.ref in self._packs:
                other = self._packs[pack.ref].source
                raise PackError(f"{pack.ref} is defined twice (also in {other})", Location(pack.source))
            self._packs[pack.ref] = pack
        self._compiled: dict[str, CompiledPack] = {}
        self.cache = cache
        self._sorted = sorted(self._packs.values(), key=lambda p: (p.id, semver_key(p.version)))
        self._versions: dict[str, list[RulePack]] = {}
        self._short: dict[str, list[str]] = {}
        for pack in self._sorted:
            if pack.id not in self._versions:
                self._short.setdefault(pack.id.split("/", 1)[-1], []).append(pack.id)
            self._versions.setdefault(pack.id, []).append(pack)
        self._index: _CodeIndex | None = None

    @classmethod
    def from_directory(cls, root: Path, *, cache: PackCache | None = None) -> Catalog:
        return cls((load_pack_file(p, cache) for p in pack_files(root)), cache=cache)

    @classmethod
    def bundled(cls, *, cache: PackCache | None = None) -> Catalog:
        return cls.from_directory(rulepacks_dir(), cache=cache)

    def status_of(self, ref: str) -> str:
        """A pack version's status: its own ``status`` here; a registry overrides it from storage."""
        return self._packs[ref].status

    def packs(self) -> list[RulePack]:
        return list(self._sorted)

    def get(self, ref: str, *, on: date | None = None) -> RulePack:
        """``id@version``, ``id`` (newest non-draft version), or an unambiguous short name.

        With ``on``, an unpinned ``id`` means the newest version in effect on that date
        (``effective.from`` <= on <= ``effective.until``, the latter when set).
        """
        name, version = split_ref(ref)
        if name not in self._versions:
            matches = sorted(self._short.get(name, ()))
            if len(matches) == 1:
                name = matches[0]
            elif len(matches) > 1:
                raise PackSelectionError(f"pack name {name!r} is ambiguous", candidates=matches)
            else:
                raise InputError(f"unknown rule pack {ref!r}")
        if version is not None:
            pack = self._packs.get(f"{name}@{version}")
            if pack is None:
                known = [p.version for p in self._versions[name]]
                raise InputError(f"unknown version {version!r} of {name} (known: {', '.join(known)})")
            return pack
        versions = self._versions[name]
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
            cached = self._compiled[pack.ref] = self._compile(resolve(pack, self._lookup_exact))
        return cached

    def _compile(self, resolved: ResolvedPack) -> CompiledPack:
        return compile_cached(resolved, self._lookup_exact, self.cache)

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
        if self._index is None:
            self._index = _CodeIndex(p for p in self._sorted if not p.abstract and self.status_of(p.ref) == "published")
        found = self._index.candidates(hs, cpc)
        best: dict[str, RulePack] = {}
        today = now.date().isoformat()
        for pack in sorted(found, key=lambda p: (p.id, semver_key(p.version))):
            if _in_effect(pack, today):
                best[pack.id] = pack  # version-ordered: keeps the newest
        return list(best.values())


class _CodeIndex:
    """Published product packs by the HS and CPC prefixes of their scope: selection looks up the
    prefixes of a declaration's codes instead of scanning every pack."""

    def __init__(self, packs: Iterable[RulePack]) -> None:
        self._hs: dict[str, list[RulePack]] = {}
        self._cpc: dict[str, list[RulePack]] = {}
        for pack in packs:
            scope = pack.data.get("scope", {})
            for code in scope.get("hs", []):
                self._hs.setdefault(_norm(code), []).append(pack)
            for code in scope.get("cpc", []):
                self._cpc.setdefault(_norm(code), []).append(pack)

    def candidates(self, hs: list[str], cpc: list[str]) -> list[RulePack]:
        """Every pack with a scope code that is a prefix of one of the (normalised) codes given."""
        found: dict[str, RulePack] = {}
        for table, codes in ((self._hs, hs), (self._cpc, cpc)):
            for code in codes:
                c = _norm(code)
                for end in range(len(c) + 1):
                    for pack in table.get(c[:end], ()):
                        found[pack.ref] = pack
        return list(found.values())


def compile_cached(resolved: ResolvedPack, lookup: Callable[[str], RulePack], cache: PackCache | None) -> CompiledPack:
    """Compile ``resolved``, or load the plan kept for exactly its packs (``lookup`` gives each of its chain)."""
    if cache is None:
        return CompiledPack(resolved)
    key = content_key(*(lookup(ref).digest for ref in resolved.chain))
    kept = cache.load("compiled", key)
    compiled = CompiledPack(resolved, kept, cache=cache)
    if compiled.plan is not kept:
        cache.store("compiled", key, compiled.plan)
    return compiled


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
