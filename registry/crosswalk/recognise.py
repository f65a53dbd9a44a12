"""Recognition: can one audited footprint be certified under other schemes, and what is missing?

Pure: the declaration (already found conformant to its pack), the pack reference and its extends
chain, the audit record and the target schemes go in; a :class:`Recognition` comes out. For each
target requirement the study's own facts decide first (the declaration, then facts the audit
attests); without one, what the source scheme already asks decides (precomputed in the plan);
an attestation without a value closes what evidence can close. An audit record (not one built
from the declaration's own attestations) comes from a certifier, an independent party: it counts
as third-party verification unless the declaration or an attestation says otherwise.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from registry.crosswalk.audit import AuditRecord, check_audit
from registry.crosswalk.facts import Fact, declaration_facts
from registry.crosswalk.model import Crosswalks, Remedy
from registry.crosswalk.plan import Plan, build_plans
from registry.crosswalk.result import Conflict, Gap, Recognition, SchemeRecognition, decide
from registry.findings import PackRef

ALL = None  # an attestation speaking for every scheme
PARTY = "verification.party"


def _attested(crosswalks: Crosswalks, audit: AuditRecord) -> tuple[dict[str, frozenset[str] | None], dict[str, Fact]]:
    """Value-less attestations (requirement -> schemes, None for all) and attested facts."""
    met: dict[str, frozenset[str] | None] = {}
    facts: dict[str, Fact] = {}
    for i, a in enumerate(audit.attestations):
        if a.value is not None:
            kind = crosswalks.by_id[a.requirement].kind
            facts.setdefault(a.requirement, (kind.fact(a.value), f"audit attestation /attestations/{i}"))
            continue
        if a.schemes is None or met.get(a.requirement, frozenset()) is ALL:
            met[a.requirement] = ALL
        else:
            met[a.requirement] = (met.get(a.requirement) or frozenset()) | frozenset(a.schemes)
    return met, facts


def _closed(gap: Gap, target: str, met: Mapping[str, frozenset[str] | None]) -> bool:
    """Whether a value-less attestation closes this evidence gap for the target scheme."""
    if gap.closable_by is not Remedy.EVIDENCE or gap.requirement not in met:
        return False
    schemes = met[gap.requirement]
    return schemes is ALL or target in schemes


def _one(
    plan: Plan, facts: Mapping[str, Fact], met: Mapping[str, frozenset[str] | None], pack_rules: frozenset[str]
) -> SchemeRecognition:
    target = plan.target
    gaps: list[Gap] = []
    conflicts: list[Conflict] = []
    get = facts.get
    for step in plan.steps:
        fact = get(step.requirement.id)
        found, by_source = step.judge(fact) if fact is not None and step.test is not None else (step.silent, True)
        if found is None and by_source:  # the source scheme meets it: only if a rule of the pack checked it
            found = step.unchecked_by(pack_rules)
        if found is None:
            continue
        if isinstance(found, Conflict):
            conflicts.append(found)
        elif not (met and _closed(found, target.id, met)):
            gaps.append(found)
    if met:
        gaps.extend(g for g in plan.fixed if not _closed(g, target.id, met))
    else:
        gaps.extend(plan.fixed)
    status = decide(len(gaps), len(conflicts), plan.unknown, plan.weighed)
    return SchemeRecognition(
        target.id,
        target.short,
        target.title,
        status,
        tuple(gaps),
        tuple(conflicts),
        plan.unchecked,
        plan.weighed,
        plan.unknown,
    )


def checking_rules(rules: Iterable[Any]) -> frozenset[str]:
    """Ids of the rules a conformant declaration has passed: those of error severity (``Rule`` objects
    of a resolved pack, with ``id`` and ``severity``)."""
    return frozenset(r.id for r in rules if str(getattr(r.severity, "value", r.severity)) == "error")


def recognise(
    crosswalks: Crosswalks,
    document: Any,
    *,
    pack: PackRef,
    audit: AuditRecord,
    chain: Sequence[str] = (),
    source_scheme: str | None = None,
    schemes: Sequence[str] | None = None,
    pack_rules: Collection[str] = (),
) -> Recognition:
    """Recognise one audited footprint under each target scheme (default: all).

    ``pack_rules`` are the ids of the error-severity rules of the (resolved) pack the declaration
    conforms to (:func:`checking_rules`): what the source scheme asks counts as met only where one of
    them checks the requirement (the vocabulary's ``checkedBy``); otherwise it is a gap closable by
    evidence. Without them, nothing is taken as checked.

    ``source_scheme`` names the scheme the audit certified under; without it, the scheme of the
    nearest pack in ``chain`` (the pack's extends chain, bases first) that a scheme lists.
    Raises InputError for unknown schemes or attestations the vocabulary rejects.
    """
    check_audit(crosswalks, audit)
    source = source_scheme if source_scheme is not None else crosswalks.scheme_for_chain(chain or (pack.ref,))
    if source is not None:
        crosswalks.scheme(source)
    targets = crosswalks.select(schemes)
    if not crosswalks.plans:
        build_plans(crosswalks)
    facts = declaration_facts(crosswalks, document)
    met, attested_facts = _attested(crosswalks, audit)
    for requirement_id, fact in attested_facts.items():
        facts.setdefault(requirement_id, fact)
    party = crosswalks.by_id.get(PARTY)
    if party is not None and audit.origin == "audit-record":  # a certifier's own record: an independent party
        facts.setdefault(PARTY, (party.kind.fact("third-party"), f"audit record by {audit.certifier}"))
    checked = frozenset(pack_rules)
    results = tuple(_one(crosswalks.plans[(source, t.id)], facts, met, checked) for t in targets)
    return Recognition(results, source, pack, audit)
