"""Typed requirement values: each kind parses values and facts, relates two values, tests a fact.

A *value* is what a scheme requires (accepted options, a threshold, a minimum level, a modality);
a *fact* is what a study did (the option used, a number, a level, yes/no). ``compare(a, b)`` says
how value ``b`` stands to value ``a`` ("b is stricter than a": every study meeting b meets a, not
the reverse) and whether any study can meet both. The algebra is the same for every pair of
schemes, so relations are computed, never typed by hand.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Relation(StrEnum):
    """How scheme B's requirement stands to scheme A's."""

    EQUIVALENT = "equivalent"
    STRICTER = "stricter"
    LOOSER = "looser"
    NOT_ADDRESSED = "not-addressed"
    CONFLICTING = "conflicting"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Compared:
    """``relation`` of b to a; ``compatible``: some study meets both."""

    relation: Relation
    compatible: bool = True


class BadValue(Exception):
    """A value or fact does not fit its kind; the loader turns it into a located InputError."""


FACT_MEMO_LIMIT = 4096


class Kind(ABC):
    """One value kind, configured per requirement."""

    name: str = ""

    def __init__(self) -> None:
        self._facts: dict[tuple[type, Any], Any] = {}

    def fact_of(self, raw: Any) -> Any:
        """:meth:`fact`, memoised for repeated raw values (AR6, kilogram, true ...)."""
        key = (type(raw), tuple(raw) if type(raw) is list else raw)
        try:
            return self._facts[key]
        except KeyError:
            pass
        except TypeError:  # unhashable (e.g. a list of objects): not memoised
            return self.fact(raw)
        value = self.fact(raw)
        if len(self._facts) >= FACT_MEMO_LIMIT:
            self._facts.clear()
        self._facts[key] = value
        return value

    @abstractmethod
    def value(self, raw: Any) -> Any:
        """A scheme's value from its JSON form; raises :class:`BadValue`."""

    @abstractmethod
    def fact(self, raw: Any) -> Any:
        """A study's fact from its JSON form; raises :class:`BadValue`."""

    @abstractmethod
    def compare(self, a: Any, b: Any) -> Compared:
        """How value ``b`` stands to value ``a``."""

    @abstractmethod
    def satisfies(self, value: Any, fact: Any) -> bool:
        """Whether a study with ``fact`` meets ``value``."""

    def trivial(self, value: Any) -> bool:
        """Whether every study meets ``value`` (nothing to recognise)."""
        return False

    def decides(self, value: Any, fact: Any) -> bool | None:
        """True: the fact meets the value; False: it does not; None: it is too general to tell."""
        return self.satisfies(value, fact)

    @abstractmethod
    def show(self, value: Any) -> str:
        """A value as a short phrase ("at most 3 %")."""

    @abstractmethod
    def show_fact(self, fact: Any) -> str:
        """A fact as a short phrase."""


def _strings(raw: Any, what: str) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return list(raw)
    raise BadValue(f"{what} must be a string or a list of strings, not {raw!r}")


def _order(a_in_b: bool, b_in_a: bool, compatible: bool) -> Compared:
    if a_in_b and b_in_a:
        return Compared(Relation.EQUIVALENT)
    if b_in_a:
        return Compared(Relation.STRICTER)
    if a_in_b:
        return Compared(Relation.LOOSER)
    return Compared(Relation.CONFLICTING, compatible)


class SetKind(Kind):
    """Accepted options, with refinements (a child meets its parent) and universal options."""

    name = "set"

    def __init__(
        self,
        options: Iterable[str] | None,
        *,
        match: str,
        allow_empty: bool = False,
        refines: Mapping[str, str] | None = None,
        universal: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.options = tuple(options) if options is not None else None
        self.match = match
        self.allow_empty = allow_empty
        self.universal = frozenset(universal)
        self._up: dict[str, frozenset[str]] = {}
        parents = dict(refines or {})
        for option in self.options or ():
            chain, seen = [option], {option}
            while chain[-1] in parents and parents[chain[-1]] not in seen:
                seen.add(parents[chain[-1]])
                chain.append(parents[chain[-1]])
            self._up[option] = frozenset(chain)

    def up(self, option: str) -> frozenset[str]:
        """The option and every option it refines."""
        return self._up.get(option) or frozenset((option,))

    def _options(self, raw: Any, what: str) -> frozenset[str]:
        items = _strings(raw, what)
        if self.options is not None:
            unknown = [x for x in items if x not in self.options]
            if unknown:
                raise BadValue(f"{what} {unknown} not among the options {list(self.options)}")
        return frozenset(items)

    def value(self, raw: Any) -> frozenset[str]:
        if not isinstance(raw, list):
            raise BadValue(f"a set value is a list of options, not {raw!r}")
        chosen = self._options(raw, "option(s)")
        if not chosen and not self.allow_empty:
            raise BadValue("a set value must list at least one option")
        return chosen

    def fact(self, raw: Any) -> frozenset[str]:
        if self.match == "one" and not isinstance(raw, str):
            raise BadValue(f"this fact is one option, not {raw!r}")
        used = self._options(raw, "fact option(s)")
        if not used and not self.allow_empty:
            raise BadValue("the fact names no option")
        return used

    def covered(self, option: str, accepted: frozenset[str]) -> bool:
        return option in self.universal or not self.up(option).isdisjoint(accepted)

    def compare(self, a: frozenset[str], b: frozenset[str]) -> Compared:
        b_in_a = all(self.covered(x, a) for x in b)
        a_in_b = all(self.covered(x, b) for x in a)
        return _order(a_in_b, b_in_a, self._compatible(a, b))

    def _compatible(self, a: frozenset[str], b: frozenset[str]) -> bool:
        if self.universal or self.match == "any" or (self.match == "all" and self.allow_empty):
            return True  # a universal option, several reported options, or none at all meets both
        return any(x in self.up(y) or y in self.up(x) for x in a for y in b)

    def satisfies(self, value: frozenset[str], fact: frozenset[str]) -> bool:
        if self.match == "any":
            return any(self.covered(x, value) for x in fact)
        return all(self.covered(x, value) for x in fact)

    def _vague(self, option: str, value: frozenset[str]) -> bool:
        """The option is more general than an accepted one: a study following it may follow that one."""
        return any(option in self.up(t) for t in value)

    def decides(self, value: frozenset[str], fact: frozenset[str]) -> bool | None:
        if self.satisfies(value, fact):
            return True
        if self.match == "any":
            return None if any(self._vague(x, value) for x in fact) else False
        uncovered = [x for x in fact if not self.covered(x, value)]
        return None if all(self._vague(x, value) for x in uncovered) else False

    def show(self, value: frozenset[str]) -> str:
        if not value:
            return "none accepted"
        items = ", ".join(sorted(value))
        return f"only {items}" if len(value) == 1 else f"one of {items}" if self.match == "one" else f"within {items}"

    def show_fact(self, fact: frozenset[str]) -> str:
        return ", ".join(sorted(fact)) if fact else "none"


class NumberKind(Kind):
    """A threshold: ``max`` (a fact at most the value) or ``min`` (at least)."""

    name = "number"

    def __init__(self, direction: str, unit: str) -> None:
        super().__init__()
        self.direction = direction
        self.unit = unit

    def value(self, raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            raise BadValue(f"a number value must be a finite number, not {raw!r}")
        return float(raw)

    def fact(self, raw: Any) -> float:
        if isinstance(raw, str):
            try:
                raw = float(raw)
            except ValueError:
                raise BadValue(f"not a number: {raw!r}") from None
        return self.value(raw)

    def compare(self, a: float, b: float) -> Compared:
        if a == b:
            return Compared(Relation.EQUIVALENT)
        tighter = b < a if self.direction == "max" else b > a
        return Compared(Relation.STRICTER if tighter else Relation.LOOSER)

    def satisfies(self, value: float, fact: float) -> bool:
        return fact <= value if self.direction == "max" else fact >= value

    def show(self, value: float) -> str:
        return f"{'at most' if self.direction == 'max' else 'at least'} {value:g} {self.unit}"

    def show_fact(self, fact: float) -> str:
        return f"{fact:.3g} {self.unit}"


class LevelKind(Kind):
    """An ordered scale, weakest first; a value is the minimum level accepted."""

    name = "level"

    def __init__(self, levels: Iterable[str]) -> None:
        super().__init__()
        self.levels = tuple(levels)
        self._index = {name: i for i, name in enumerate(self.levels)}

    def value(self, raw: Any) -> int:
        if not isinstance(raw, str) or raw not in self._index:
            raise BadValue(f"{raw!r} is not one of the levels {list(self.levels)}")
        return self._index[raw]

    def fact(self, raw: Any) -> int:
        return self.value(raw)

    def compare(self, a: int, b: int) -> Compared:
        if a == b:
            return Compared(Relation.EQUIVALENT)
        return Compared(Relation.STRICTER if b > a else Relation.LOOSER)

    def satisfies(self, value: int, fact: int) -> bool:
        return fact >= value

    def trivial(self, value: int) -> bool:
        return value == 0

    def show(self, value: int) -> str:
        return f"at least {self.levels[value]}" if value else "any (none required)"

    def show_fact(self, fact: int) -> str:
        return self.levels[fact]


_MODALITIES: dict[str, frozenset[bool]] = {
    "required": frozenset({True}),
    "recommended": frozenset({True, False}),
    "optional": frozenset({True, False}),
    "excluded": frozenset({False}),
}


class PresenceKind(Kind):
    """required | recommended | optional | excluded over a yes/no fact."""

    name = "presence"

    def value(self, raw: Any) -> str:
        if not isinstance(raw, str) or raw not in _MODALITIES:
            raise BadValue(f"{raw!r} is not one of {list(_MODALITIES)}")
        return raw

    def fact(self, raw: Any) -> bool:
        if not isinstance(raw, bool):
            raise BadValue(f"this fact is true or false, not {raw!r}")
        return raw

    def compare(self, a: str, b: str) -> Compared:
        sa, sb = _MODALITIES[a], _MODALITIES[b]
        if a == b:
            return Compared(Relation.EQUIVALENT)
        if sa == sb:  # optional and recommended accept the same studies; recommended asks more
            return Compared(Relation.STRICTER if b == "recommended" else Relation.LOOSER)
        return _order(sa <= sb, sb <= sa, not sa.isdisjoint(sb))

    def satisfies(self, value: str, fact: bool) -> bool:
        return fact in _MODALITIES[value]

    def trivial(self, value: str) -> bool:
        return len(_MODALITIES[value]) == 2

    def show(self, value: str) -> str:
        return value

    def show_fact(self, fact: bool) -> str:
        return "yes" if fact else "no"


def _code(raw: str) -> str:
    return raw.replace(".", "").replace(" ", "")


class CodesKind(Kind):
    """Product classification code prefixes (HS) a scheme applies to."""

    name = "codes"

    def value(self, raw: Any) -> frozenset[str]:
        codes = frozenset(_code(c) for c in _strings(raw, "codes"))
        if not codes or not all(c.isdigit() for c in codes):
            raise BadValue(f"codes must be non-empty digit strings, not {raw!r}")
        return codes

    def fact(self, raw: Any) -> frozenset[str]:
        return frozenset(_code(c) for c in _strings(raw, "codes"))

    @staticmethod
    def _covered(code: str, prefixes: frozenset[str]) -> bool:
        return any(code.startswith(p) for p in prefixes)

    def compare(self, a: frozenset[str], b: frozenset[str]) -> Compared:
        b_in_a = all(self._covered(x, a) for x in b)
        a_in_b = all(self._covered(x, b) for x in a)
        return _order(a_in_b, b_in_a, True)  # a product may carry codes under both

    def satisfies(self, value: frozenset[str], fact: frozenset[str]) -> bool:
        return any(self._covered(c, value) for c in fact)

    def show(self, value: frozenset[str]) -> str:
        return "HS " + ", ".join(sorted(value))

    def show_fact(self, fact: frozenset[str]) -> str:
        return "HS " + ", ".join(sorted(fact)) if fact else "no HS code"
