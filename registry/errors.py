"""One exception root, split by who is at fault.

* :class:`InputError` - the caller gave us something unusable (a file that cannot
  be read, invalid JSON, an unknown pack). Carries where: file, line, column, key.
* :class:`PackError` - a rule pack is broken (schema violation, bad expression,
  an ``extends`` cycle). Also a caller's fault when the caller is the pack author.
* :class:`InternalError` - our bug. Never expected; reported without a traceback.

The CLI maps these to exit codes once; the HTTP API maps them to problem+json once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where a problem is: any of file, line (1-based), column (1-based), key/pointer."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.pointer is not None:
            parts.append(f"key {self.pointer or '/'}")
        return ", ".join(parts)


@dataclass
class RegistryError(Exception):
    """Root of every error this package raises on purpose."""

    message: str
    location: Location = field(default_factory=Location)
    code: str = "error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message}
        loc = {k: v for k, v in vars(self.location).items() if v is not None}
        if loc:
            out["location"] = loc
        return out


@dataclass
class InputError(RegistryError):
    """Unusable input from the caller: unreadable file, invalid JSON, unknown pack."""

    code: str = "input-error"


@dataclass
class InputProblems(InputError):
    """Unusable input with one error per violation in ``problems``, each with its own location
    (a factor set, an inventory); subclasses name their ``code``."""

    problems: list[RegistryError] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.problems:
            return super().__str__()
        return "\n".join([super().__str__()] + ["  - " + str(p) for p in self.problems])

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.problems:
            out["problems"] = [p.to_dict() for p in self.problems]
        return out


@dataclass
class PackError(RegistryError):
    """A rule pack is invalid: schema, expression, extends resolution."""

    code: str = "pack-error"
    problems: list[RegistryError] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.problems:
            return super().__str__()
        lines = [super().__str__()] + ["  - " + str(p) for p in self.problems]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        if self.problems:
            out["problems"] = [p.to_dict() for p in self.problems]
        return out


@dataclass
class PackSelectionError(InputError):
    """No pack, or several, fit a declaration; ``candidates`` lists them."""

    code: str = "pack-selection"
    candidates: list[str] = field(default_factory=list)


@dataclass
class NotAFootprint(InputError):
    """The document is not a PACT v2 or v3 ProductFootprint: one error in place of every missing property."""

    code: str = "not-a-pact-footprint"
    rule_id: str = "declaration.not-pact"

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["rule_id"] = self.rule_id
        return out


@dataclass
class NotPermitted(RegistryError):
    """The caller is known but may not do this to that record (another certifier's label)."""

    code: str = "forbidden"


@dataclass
class NotPrintable(RegistryError):
    """The label is not valid now (suspended, revoked, expired, its key withdrawn): no artwork for it."""

    code: str = "label-not-printable"


@dataclass
class IllustrativeRefused(InputError):
    """A registry in production refuses a grade from a rule pack's illustrative bands (issue 13): grades there
    come from an authority's grading catalogue only."""

    code: str = "illustrative-grade-refused"


@dataclass
class NotConformant(InputError):
    """The declaration did not pass its rule pack; ``findings`` are the validation's errors."""

    code: str = "not-conformant"
    findings: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        out = super().to_dict()
        out["findings"] = self.findings
        return out


@dataclass
class InternalError(RegistryError):
    """A bug in pcf-registry itself."""

    code: str = "internal-error"
