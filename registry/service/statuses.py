"""Deprecate and withdraw a published version: one path for rule packs, factor sets and grading catalogues.

Only the owner of the namespace (an organisation acting in one of the given roles) may move a version; the
move needs a reason, follows :data:`registry.storage.repo.STATUS_TRANSITIONS` (withdrawn is final), keeps the
content and envelope stored, and is appended to the transparency log as ``<what>.status`` (ref, digest, new
status; the reason stays in the registry) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from registry.service import tlog
from registry.service.principal import Principal
from registry.storage.models import PackStatus


class _Versioned(Protocol):
    status: Any
    digest: Any


Row = TypeVar("Row", bound=_Versioned)


def change_status(
    session: Session,
    principal: Principal,
    ident: str,
    version: str,
    status: PackStatus,
    *,
    reason: str,
    now: datetime,
    roles: tuple[str, ...],
    get: Callable[[Session, str, str], Row],
    move: Callable[..., Row],
    log_kind: str,
) -> Row:
    """Move ``ident@version`` to ``status`` for its namespace's owner; ``get`` reads the row (NotFound when
    absent), ``move`` changes it (Conflict for a forbidden move), the change is logged when the status moved."""
    principal.require(*roles)
    principal.require_org(ident.split("/", 1)[0])
    before = PackStatus(get(session, ident, version).status)
    row = move(session, ident, version, status, reason=reason, now=now)
    if PackStatus(row.status) is not before:
        fields = {"ref": f"{ident}@{version}", "digest": row.digest, "status": PackStatus(row.status).value}
        tlog.append_event(session, log_kind, fields, now)
    return row
