"""A pack's demands on a recalculation, as findings: an inventory, deviation bounds, factor sets."""

from __future__ import annotations

from registry.accounting.policy import RecalcPolicy
from registry.accounting.result import Recalculation, rounded
from registry.factors import parse_ref
from registry.findings import Finding, Severity

TOTAL_POINTER = "/pcf/pcfExcludingBiogenicUptake"


def _finding(rule_id: str, severity: Severity, path: str, message: str, pack: str) -> Finding:
    return Finding(rule_id=rule_id, severity=severity, path=path, message=message, clauses=(f"{pack} recalculation",))


def policy_findings(recalc: Recalculation | None, policy: RecalcPolicy, pack: str) -> list[Finding]:
    """What the pack's ``recalculation`` member asks, checked against a recalculation (or its absence)."""
    if recalc is None:
        if policy.require_inventory:
            return [_finding(
                "recalc.inventory.required", Severity.ERROR, "/extensions",
                "this pack requires an activity inventory (a pcf-registry/inventory/1.0 extension or --inventory) "
                "from which the declared numbers are recomputed", pack,
            )]  # fmt: skip
        return []
    out = _deviation_findings(recalc, policy, pack)
    if policy.require_factor_sets:
        out.extend(_set_findings(recalc, policy, pack))
    return out


def _deviation_findings(recalc: Recalculation, policy: RecalcPolicy, pack: str) -> list[Finding]:
    dev = recalc.total_deviation
    if dev is None or (policy.warn_percent is None and policy.fail_percent is None):
        return []
    size = abs(dev)
    if policy.fail_percent is not None and size > policy.fail_percent:
        severity, bound = Severity.ERROR, policy.fail_percent
    elif policy.warn_percent is not None and size > policy.warn_percent:
        severity, bound = Severity.WARNING, policy.warn_percent
    else:
        return []
    declared = recalc.declared.get("total")
    return [_finding(
        "recalc.deviation", severity, TOTAL_POINTER,
        f"declared {declared} kg CO2e is {rounded(dev, 2)} % from the {rounded(recalc.total, 3)} kg CO2e recomputed "
        f"from the activity data (more than {bound} %)", pack,
    )]  # fmt: skip


def _set_findings(recalc: Recalculation, policy: RecalcPolicy, pack: str) -> list[Finding]:
    required = set(policy.require_factor_sets)
    out: list[Finding] = []
    for line in recalc.lines:
        if line.factor is None or line.factor.startswith("pact:"):
            continue
        try:
            set_id = parse_ref(line.factor).set_id
        except Exception:  # an unresolved reference already has its finding
            continue
        if set_id not in required:
            out.append(_finding(
                "recalc.factor-set.required", Severity.ERROR, line.pointer + "/factor",
                f"line {line.id}: factor {line.factor} is not from a set this pack requires "
                f"({', '.join(sorted(required))})", pack,
            ))  # fmt: skip
    return out
