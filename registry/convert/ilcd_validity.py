"""Fit an EPD's validity period into what PACT v3 allows.

An EPD is typically valid for five years from its publication, which may fall inside its
reference year; PACT v3 wants ``validityPeriodStart`` no earlier than the end of the
reference period and ``validityPeriodEnd`` no later than three years after it (PACT Tech
Specs v3.0, ProductFootprint.validityPeriodStart / validityPeriodEnd: "If no validity period
is specified, the ProductFootprint is valid for 3 years after the referencePeriodEnd"; the
research note ``shared/reference/pact.md`` section 2.1 and the v3 table: "Start >=
referencePeriodEnd; end <= referencePeriodEnd + 3 y"). The converter moves the ends into that
window and reports each change as a warning; a period that lies wholly outside it is left out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from registry.convert.ilcd_findings import ADJUSTED, Notes, pf
from registry.convert.ilcd_read import Process, Sourced

__all__ = ["PACT_VALIDITY_YEARS", "fit_validity"]

PACT_VALIDITY_YEARS: Final = 3  # PACT Tech Specs v3.0, ProductFootprint.validityPeriodStart (see module docstring)
_RULE: Final = (
    "PACT Tech Specs v3.0: validityPeriodStart >= referencePeriodEnd, validityPeriodEnd <= referencePeriodEnd + 3 years"
)
_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


def fit_validity(doc: dict[str, Any], proc: Process, notes: Notes) -> None:
    """Move ``validityPeriodStart``/``End`` into PACT's window after the reference period."""
    ref_end = _parse(doc.get("pcf", {}).get("referencePeriodEnd"))
    if ref_end is None:
        return
    limit = _add_years(ref_end, PACT_VALIDITY_YEARS)
    start, end = _parse(doc.get("validityPeriodStart")), _parse(doc.get("validityPeriodEnd"))
    if start is not None and start >= limit:
        _leave_out(doc, _text(start), "starts", ref_end, limit, _where(proc.publication_date, proc), notes)
        return
    if end is not None and end <= ref_end:
        where = _where(proc.expiration_date or proc.valid_until, proc)
        _leave_out(doc, _text(end), "ends", ref_end, limit, where, notes)
        return
    if start is not None and start < ref_end:
        doc["validityPeriodStart"] = _text(ref_end)
        notes.warn(
            ADJUSTED,
            "/validityPeriodStart",
            _where(proc.publication_date, proc),
            f"the EPD's validity starts {_text(start)}, before the reference period ends ({_text(ref_end)}); PACT "
            f"does not allow that: validityPeriodStart moved to {_text(ref_end)}",
            pf("validityPeriodStart"),
            _RULE,
        )
    if end is not None and end > limit:
        doc["validityPeriodEnd"] = _text(limit)
        notes.warn(
            ADJUSTED,
            "/validityPeriodEnd",
            _where(proc.expiration_date or proc.valid_until, proc),
            f"the EPD's validity ends {_text(end)}, more than {PACT_VALIDITY_YEARS} years after the reference "
            f"period ({_text(ref_end)}); PACT allows at most that: validityPeriodEnd moved to {_text(limit)}",
            pf("validityPeriodEnd"),
            _RULE,
        )


def _where(value: Sourced | None, proc: Process) -> str:
    return value.xpath if value is not None else f"{proc.root_xpath}/processInformation/time"


def _leave_out(
    doc: dict[str, Any], moment: str, verb: str, ref_end: datetime, limit: datetime, source: str, notes: Notes
) -> None:
    doc.pop("validityPeriodStart", None)
    doc.pop("validityPeriodEnd", None)
    notes.warn(
        ADJUSTED,
        "/validityPeriodStart",
        source,
        f"the EPD's validity {verb} {moment}, outside the only window PACT allows (from the end of the reference "
        f"period, {_text(ref_end)}, to {PACT_VALIDITY_YEARS} years after it, {_text(limit)}): validity period "
        "left out",
        pf("validityPeriodStart"),
        pf("validityPeriodEnd"),
        _RULE,
    )


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, _FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _add_years(moment: datetime, years: int) -> datetime:
    """Calendar years; 29 February becomes 28 February (as the packs' ``addYears``)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _text(moment: datetime) -> str:
    return moment.strftime(_FORMAT)
