"""Which label a GS1 Digital Link URI leads to: the product's current label (docs/digital-link.md).

The rules, in order (a GS1-Conformant resolver walks from the most specific identifier up to the
less specific, never down; a carbon label is issued for a product or for one of its batches):

1. the candidates are the labels of the GTIN (any certifier, any scheme);
2. a URI with a batch (AI 10) looks first at the labels issued for that batch, then at the labels
   issued for the product without a batch; a label of another batch never answers;
   a URI without a batch looks first at the labels without a batch, then at those of any batch;
3. the first of these groups that has a label is the answer's group; in it the labels valid now
   (state active, not expired, signing key in good standing: :func:`registry.service.labels.stored_verification`)
   are the current ones, the newest first, and the newest current label is the default; when none is
   valid, the newest label of the group is the default, so its page says why (suspended, revoked, expired);
4. the serial (AI 21) and the consumer product variant (AI 22) are checked but do not select: labels
   are not issued per item or variant.

No group with a label: no answer (the route says "not found: this may be a counterfeit").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from issuance import DigitalLink, Verification, VerifyStatus
from registry.service import labels as svc
from registry.storage import issuance as store
from registry.storage.models import Label

RESOLVE_LIMIT = 1000  # labels of one GTIN read at most, newest first

Group = Literal["batch", "product", "any_batch"]


@dataclass(frozen=True)
class Resolution:
    """What a Digital Link URI resolves to: the group the labels came from, the default label and its
    verification (None when the GTIN has no label that fits), and every label of the group valid now."""

    link: DigitalLink
    group: Group | None = None
    default: Label | None = None
    verification: Verification | None = None
    current: tuple[Label, ...] = field(default_factory=tuple)


def _batch_of(label: Label) -> str | None:
    batch = label.claims.get("batch")
    return batch if isinstance(batch, str) else None


def _groups(link: DigitalLink, labels: list[Label]) -> list[tuple[Group, list[Label]]]:
    product = [r for r in labels if _batch_of(r) is None]
    if link.batch is not None:
        return [("batch", [r for r in labels if _batch_of(r) == link.batch]), ("product", product)]
    return [("product", product), ("any_batch", labels)]


def key_standings(session: Session) -> dict[str, svc.KeyStanding]:
    """Every signing key's standing, by kid (what :func:`resolve` needs; read once for many URIs)."""
    return {r.kid: svc.standing_of(r) for r in store.signing_keys(session)}


def resolve(
    session: Session, link: DigitalLink, *, now: datetime, standings: Mapping[str, svc.KeyStanding] | None = None
) -> Resolution:
    """The labels ``link`` leads to, by the rules of this module (``standings``: :func:`key_standings`,
    read here when not given)."""
    labels = store.labels_for_gtin(session, link.gtin, limit=RESOLVE_LIMIT)
    if not labels:
        return Resolution(link)
    if standings is None:
        standings = key_standings(session)
    for group, members in _groups(link, labels):
        if not members:
            continue
        checked = [(r, svc.stored_verification(r, standings.get(r.kid), now=now)) for r in members]
        current = [(r, v) for r, v in checked if v.status is VerifyStatus.VALID]
        default, verification = current[0] if current else checked[0]
        return Resolution(link, group, default, verification, tuple(r for r, _ in current))
    return Resolution(link)
