"""The rule engine: a resolved pack compiled once into one Python function.

Every rule's ``when`` and ``check`` (CEL) are compiled to Python expressions by
:mod:`registry.packs.cel` and stitched into a single function, so evaluating a
declaration parses nothing and calls no interpreter. Pack parameters and pack
facts are compile-time constants (``params.*``, ``pack.*``), folded in.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from registry.accounting.inventory import embedded_inventory
from registry.accounting.policy import RecalcPolicy
from registry.declarations import (
    PRODUCT_MASS_PARAMETER,
    PRODUCT_MASS_POINTER,
    UPGRADE_MISSING,
    Prepared,
    prepare,
)
from registry.errors import InternalError, Location, PackError
from registry.findings import Finding, PackRef, Severity, ValidationResult
from registry.packs import cel
from registry.packs.cache import PackCache, code_key
from registry.packs.cel.cse import GLOBALS as CSE_GLOBALS
from registry.packs.cel.cse import SENTINEL, share_subexpressions
from registry.packs.rulepack import ResolvedPack, Rule
from registry.yamlpos import escape_pointer_token

if TYPE_CHECKING:
    from registry.accounting import Inventory, Recalculation, SupplierFacts
    from registry.factors import FactorLibrary

RUNTIME_VARIABLES = frozenset({"pf", "pcf", "ext", "now", "recalc"})
_SEGMENT = re.compile(r"\$\{")

MessageFn = Callable[..., str]


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    path: str
    message: MessageFn
    item: Any = None  # the forEach item this expansion is for

    def pointer(self, ext_pointer: str | None) -> str:
        """The finding's JSON pointer; with no extension, paths into it point at /extensions."""
        if "{ext}" not in self.path:
            return self.path
        return self.path.replace("{ext}", ext_pointer) if ext_pointer else "/extensions"


def _constants(resolved: ResolvedPack) -> dict[str, Any]:
    return {
        "params": resolved.parameters,
        "pack": {
            "id": resolved.pack.id,
            "version": resolved.pack.version,
            "declaredUnit": resolved.declared_unit or {"unit": None, "amount": None},
            "systemBoundary": resolved.system_boundary or "",
            "requiredStages": list(resolved.required_stages),
            "requiredModules": list(resolved.required_modules),
        },
    }


def _compile_expr(source: str, env: cel.Env, resolved: ResolvedPack, rule: Rule, key: str) -> str:
    try:
        return cel.compile_to_python(source, env)
    except cel.CelError as e:
        origin_pointer = f"{rule.pointer}/{key}"
        where = f" (line {e.line}, column {e.column} of the expression)" if e.line else ""
        raise PackError(
            f"rule {rule.id!r} ({rule.origin}): {key} does not compile: {e.message}{where}",
            _locate(resolved, rule, origin_pointer),
        ) from e


def _locate(resolved: ResolvedPack, rule: Rule, pointer: str) -> Location:
    pack = resolved.pack
    if rule.origin == pack.ref:
        return pack.location(pointer)
    return Location(None, None, None, f"{rule.origin}#{pointer}")


def _split_template(template: str) -> list[tuple[bool, str]]:
    """Split ``text ${expr} text`` into (is_expr, text) parts; braces inside expr may nest."""
    parts: list[tuple[bool, str]] = []
    i = 0
    while True:
        m = _SEGMENT.search(template, i)
        if not m:
            parts.append((False, template[i:]))
            return parts
        parts.append((False, template[i : m.start()]))
        depth, j = 1, m.end()
        while j < len(template) and depth:
            depth += {"{": 1, "}": -1}.get(template[j], 0)
            j += 1
        if depth:
            raise ValueError("unclosed ${ in message")
        parts.append((True, template[m.end() : j - 1]))
        i = j


def _message_parts(template: str, env: cel.Env, resolved: ResolvedPack, rule: Rule) -> list[tuple[bool, str]]:
    """A message template as (is_python_expression, text or code) parts."""
    try:
        parts = _split_template(template)
    except ValueError as e:
        raise PackError(
            f"rule {rule.id!r}: message template: {e}", _locate(resolved, rule, f"{rule.pointer}/message")
        ) from e
    out: list[tuple[bool, str]] = []
    for is_expr, text in parts:
        if is_expr:
            out.append((True, _compile_expr(text, env, resolved, rule, "message")))
        elif text:
            out.append((False, text))
    return out


def _message_module(plan_rules: list[dict[str, Any]]) -> tuple[str, list[list[str | None]]]:
    """The message templates' expressions as module-level lambdas (compiled with the rule function, at
    once); per compiled rule, per part, the lambda's name (None for a text part)."""
    lines: list[str] = []
    names: list[list[str | None]] = []
    for i, planned in enumerate(plan_rules):
        row: list[str | None] = []
        for j, (is_expr, text) in enumerate(planned["message"]):
            if not is_expr:
                row.append(None)
                continue
            name = f"_m_{i}_{j}"
            lines.append(f"{name} = lambda pf, pcf, ext, now, recalc: ({text})")
            row.append(name)
        names.append(row)
    return "\n".join(lines), names


def _render_fn(parts: list[tuple[bool, str]], fns: list[Callable[..., Any] | None]) -> MessageFn:
    """The message function of compiled template parts (``fns``: the compiled expression of each part)."""
    pieces: list[str | Callable[..., Any]] = []
    for (is_expr, text), fn in zip(parts, fns, strict=True):
        if not is_expr:
            pieces.append(text)
        else:
            assert fn is not None
            pieces.append(fn)
    fmt = cel.GLOBALS["_c_format"]

    def render(pf: Any, pcf: Any, ext: Any, now: Any, recalc: Any = None) -> str:
        out: list[str] = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            try:
                out.append(fmt(piece(pf, pcf, ext, now, recalc)))
            except cel.CelEvalError:
                out.append("(not available)")
        return "".join(out)

    return render


def _never_applies(when_py: str) -> bool:
    """True when ``when`` folds to false on the pack's constants alone.

    A base pack has no declared unit, so a rule guarded by ``pack.declaredUnit.unit != null``
    is skipped rather than compiled against a null constant.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            value = eval(when_py, dict(cel.GLOBALS), {})
    except (NameError, cel.CelEvalError):
        return False  # depends on the declaration
    return value is False


def _mass_not_needed(finding: Finding, pack: str) -> Finding:
    """An upgrade's "could not derive productMassPerDeclaredUnit", as a warning under a pack that does not need it."""
    if finding.rule_id != UPGRADE_MISSING or finding.path != PRODUCT_MASS_POINTER:
        return finding
    message = f"{finding.message} (a warning only: {pack} sets {PRODUCT_MASS_PARAMETER} to false)"
    return replace(finding, severity=Severity.WARNING, message=message)


def _expand(rule: Rule) -> list[tuple[Rule, Any]]:
    if rule.for_each is None:
        return [(rule, None)]
    return [(rule, item) for item in rule.for_each]


def compile_plan(resolved: ResolvedPack) -> dict[str, Any]:
    """Compile every rule's CEL: the Python source of the pack's rule function and, per compiled
    rule, which rule (index in ``resolved.rules``), forEach item, finding path and message parts.

    JSON data, so that it can be kept (see :mod:`registry.packs.cache`); :class:`CompiledPack`
    turns it into functions without parsing any CEL.
    """
    base_constants = _constants(resolved)
    planned: list[dict[str, Any]] = []
    body: list[str] = ["def _evaluate(pf, pcf, ext, now, recalc=None):", "    _f = []"]
    for rule_index, rule in enumerate(resolved.rules):
        for _, item in _expand(rule):
            constants = dict(base_constants)
            if item is not None:
                constants["item"] = item
            env = cel.Env(variables=RUNTIME_VARIABLES, constants=constants)
            check, message, path = rule.check, rule.message, rule.path
            if rule.kind == "attestation":
                check = f"has(ext.attestations) && ext.attestations.exists(a, a.ruleId == {rule.id!r})"
                message = message or f"no attestation by the certifier for: {rule.title}"
                path = path or "{ext}/attestations"
            assert check is not None and message is not None
            when_py = _compile_expr(rule.when, env, resolved, rule, "when") if rule.when else "True"
            if _never_applies(when_py):
                continue  # the pack's own constants rule it out: nothing to compile or run
            check_py = _compile_expr(check, env, resolved, rule, "check")
            if item is not None:
                path = path.replace("{item}", escape_pointer_token(str(item)))
            parts = _message_parts(message, env, resolved, rule)
            body += _rule_body(len(planned), when_py, check_py)
            planned.append({"rule": rule_index, "item": item, "path": path, "message": parts})
    body.append("    return _f")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            source = share_subexpressions("\n".join(body))
    except (SyntaxError, RecursionError, MemoryError) as e:
        raise InternalError(f"compiled pack {resolved.ref} is not valid Python: {e}") from e
    return {"source": source, "rules": planned}


def _rule_body(index: int, when_py: str, check_py: str) -> list[str]:
    """The lines of the rule function that evaluate one compiled rule and record its failure."""
    if when_py == "True":  # no condition: the check alone
        return [
            "    try:",
            f"        _r = {check_py}",
            "        if _r is not True:",
            f"            _f.append(({index}, _r))",
            "    except _c_CelEvalError as _e:",
            f"        _f.append(({index}, _e))",
        ]
    return [
        "    try:",
        f"        _w = {when_py}",
        "        if _w is True:",
        f"            _r = {check_py}",
        "            if _r is not True:",
        f"                _f.append(({index}, _r))",
        "        elif _w is not False:",
        f"            _f.append(({index}, _w))",
        "    except _c_CelEvalError as _e:",
        f"        _f.append(({index}, _e))",
    ]


class CompiledPack:
    """A pack ready to evaluate declarations: compile once, evaluate many times.

    ``plan``, from :func:`compile_plan` for the same resolved pack (e.g. kept in a cache), skips
    compiling CEL; one that does not load (malformed, or not valid Python) is compiled afresh.
    """

    def __init__(self, resolved: ResolvedPack, plan: Any = None, *, cache: PackCache | None = None) -> None:
        self.resolved = resolved
        self.ref: PackRef = resolved.pack.pack_ref
        if plan is not None:
            try:
                self._install(plan, cache)
                self.plan: dict[str, Any] = plan
                return
            except Exception:  # a kept plan that does not load is rebuilt, whatever is wrong with it
                pass
        self.plan = compile_plan(resolved)
        self._install(self.plan, cache)

    def _install(self, plan: dict[str, Any], cache: PackCache | None) -> None:
        messages, names = _message_module(plan["rules"])
        source = f"{plan['source']}\n{messages}\n"
        filename = f"<pack {self.ref.ref}>"
        key = code_key(source, filename) if cache is not None else ""
        code = cache.load_code(key) if cache is not None else None
        if code is None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SyntaxWarning)  # e.g. `'kilogram' is not None`
                    code = compile(source, filename, "exec")
            except (SyntaxError, RecursionError, MemoryError) as e:
                raise InternalError(f"compiled pack {self.ref.ref} is not valid Python: {e}") from e
            if cache is not None:
                cache.store_code(key, code)
        namespace = dict(cel.GLOBALS)
        namespace.update(CSE_GLOBALS)
        namespace[SENTINEL] = object()
        exec(code, namespace)
        self.rules: tuple[CompiledRule, ...] = tuple(
            CompiledRule(
                self.resolved.rules[p["rule"]],
                p["path"],
                _render_fn(p["message"], [namespace[n] if n is not None else None for n in row]),
                p["item"],
            )
            for p, row in zip(plan["rules"], names, strict=True)
        )
        self._evaluate: Callable[..., list[tuple[int, Any]]] = namespace["_evaluate"]
        self.policy = RecalcPolicy.from_json(self.resolved.recalculation)

    def validate(
        self, document: Any, *, now: datetime, inventory: Inventory | None = None, library: FactorLibrary | None = None
    ) -> ValidationResult:
        """Validate one parsed declaration (v3, or v2 to be upgraded), recomputed from ``inventory``
        (or the inventory it carries) when there is one."""
        prepared = prepare(document)
        if inventory is None and not self.policy.require_inventory and embedded_inventory(prepared.document) is None:
            findings = self._prepared_findings(prepared)  # the hot path: nothing to recompute
            findings.extend(self.evaluate_rules(prepared, now=now))
            return ValidationResult.from_findings(self.ref, findings)
        return self._with_recalc(prepared, now, inventory, library)[0]

    def _prepared_findings(self, prepared: Prepared) -> list[Finding]:
        findings = prepared.findings
        if self.resolved.parameters.get(PRODUCT_MASS_PARAMETER, True) is False:
            findings[:] = [_mass_not_needed(f, self.ref.ref) for f in findings]
        return findings

    def validate_with_recalc(
        self,
        document: Any,
        *,
        now: datetime,
        inventory: Inventory | None = None,
        library: FactorLibrary | None = None,
        suppliers: Mapping[str, SupplierFacts] | None = None,
    ) -> tuple[ValidationResult, Recalculation | None]:
        """The validation result and the recalculation it used (None without an inventory); with
        ``suppliers``, supplier lines are cross-checked against the declarations the registry holds."""
        return self._with_recalc(prepare(document), now, inventory, library, suppliers)

    def _with_recalc(
        self,
        prepared: Prepared,
        now: datetime,
        inventory: Inventory | None,
        library: FactorLibrary | None,
        suppliers: Mapping[str, SupplierFacts] | None = None,
    ) -> tuple[ValidationResult, Recalculation | None]:
        from registry.packs.recalculation import run_step  # loads the units stack only when recomputing

        findings = self._prepared_findings(prepared)
        step = run_step(
            prepared.document, inventory, self.policy, self.ref.ref, on=now.date(), library=library, suppliers=suppliers
        )
        if step is None:
            findings.extend(self.evaluate_rules(prepared, now=now))
            return ValidationResult.from_findings(self.ref, findings), None
        findings.extend(step.findings)
        findings.extend(self.evaluate_rules(prepared, now=now, recalc=step.view))
        return ValidationResult.from_findings(self.ref, findings), step.recalculation

    def evaluate_rules(
        self, prepared: Prepared, *, now: datetime, recalc: dict[str, Any] | None = None
    ) -> list[Finding]:
        pf = prepared.document
        if not isinstance(pf, dict):
            return []
        pcf = pf.get("pcf")
        ext = prepared.extension
        failures = self._evaluate(pf, pcf, ext, now, recalc)
        out: list[Finding] = []
        for index, outcome in failures:
            compiled = self.rules[index]
            rule = compiled.rule
            if isinstance(outcome, cel.CelEvalError) or not isinstance(outcome, bool):
                if not prepared.schema_valid:
                    continue  # the schema findings already say what is wrong with the input
                reason = (
                    outcome.message
                    if isinstance(outcome, cel.CelEvalError)
                    else (f"expression gave {cel.GLOBALS['_c_format'](outcome)!r}, not a boolean")
                )
                message = f"rule could not be evaluated: {reason}"
            else:
                message = compiled.message(pf, pcf, ext, now, recalc)
            out.append(
                Finding(
                    rule_id=rule.id,
                    severity=rule.severity,
                    path=compiled.pointer(prepared.extension_pointer),
                    message=message,
                    clauses=rule.clauses,
                    stage=rule.stage,
                )
            )
        return out

    def grade(self, document: Any) -> str | None:
        """The grade of a declaration's value per declared unit under the pack's bands."""
        grading = self.resolved.grading
        pcf = document.get("pcf") if isinstance(document, dict) else None
        if grading is None or not isinstance(pcf, dict):
            return None
        try:
            value = float(pcf[grading.metric])
        except (KeyError, TypeError, ValueError):
            return None
        for band in grading.bands:
            if band.max is None or value <= float(band.max):
                return band.grade
        return None


__all__ = ["CompiledPack", "CompiledRule", "compile_plan"]
