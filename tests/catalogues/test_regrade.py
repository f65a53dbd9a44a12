"""The transition rule "re-grade by a date" as a pure function (registry.catalogues.regrade): before, at and after
the date; labels the current version cannot grade from their record; where a label's grade stands. Figures are
test data (catalogue_support)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from catalogue_support import AL, benchmark_category, catalogue

from registry.catalogues import Catalogue, GradedLabel, Outcome, grading_standing, plan_regrades

BY = date(2026, 12, 20)
OLD = Catalogue(catalogue())  # fixed bands 1: <=5000, 2: <=15000, 3: open
NEW_DOC = catalogue(version="1.1.0", transition={"policy": "regrade-by", "by": BY.isoformat()})
NEW_DOC["categories"][0]["basis"]["bands"] = [{"grade": "1", "max": "10000"}, {"grade": "2", "max": "14000"}]
NEW = Catalogue(NEW_DOC)
LABEL = GradedLabel(
    "L1", "cert", AL, "CN", (), "12000", "1000 kilogram", "example-standards-body/test-grades@1.0.0", "2"
)


@pytest.mark.parametrize(("on", "overdue"), [(date(2026, 12, 19), False), (BY, False), (date(2026, 12, 21), True)])
def test_before_at_and_after_the_date(on: date, overdue: bool) -> None:
    (step,) = plan_regrades([LABEL], [OLD, NEW], on)
    assert (step.outcome, step.grade, step.category) == (Outcome.REGRADE, "2", "aluminium-ingot")
    assert (step.previous, step.current, step.by, step.overdue) == (OLD.ref, NEW.ref, BY, overdue)
    standing = grading_standing(LABEL.catalogue, None, [OLD, NEW], on)
    assert standing is not None and standing["status"] == ("outdated" if overdue else "regrade-due")


def test_no_step_while_current_kept_or_already_regraded() -> None:
    on = date(2026, 12, 21)
    assert plan_regrades([LABEL], [OLD], on) == []  # its version is the newest
    keep = Catalogue(catalogue(version="1.1.0", transition={"policy": "keep-until-expiry"}))
    assert plan_regrades([LABEL], [OLD, keep], on) == []
    assert grading_standing(LABEL.catalogue, None, [OLD, keep], on)["status"] == "kept"  # type: ignore[index]
    regraded = replace(LABEL, catalogue=NEW.ref, grade="2")
    assert plan_regrades([regraded], [OLD, NEW], on) == []
    record = {"catalogue": NEW.ref, "grade": "2", "at": "2026-12-21T00:00:00+00:00"}
    standing = grading_standing(LABEL.catalogue, record, [OLD, NEW], on)
    assert standing is not None and (standing["status"], standing["grade"]) == ("regraded", "2")
    future = Catalogue({**NEW_DOC, "effective": {"from": "2027-01-01"}})  # not in force yet: nothing is due
    assert plan_regrades([LABEL], [OLD, future], on) == []


def test_labels_the_record_cannot_regrade_say_why() -> None:
    on = date(2026, 12, 1)
    above = replace(LABEL, value="15000")  # above the new closed last band
    (step,) = plan_regrades([above], [OLD, NEW], on)
    assert step.outcome is Outcome.CANNOT and "above the last grading band" in (step.problem or "")
    per_kg = replace(LABEL, declared_unit="1 kilogram")
    (step,) = plan_regrades([per_kg], [OLD, NEW], on)
    assert step.outcome is Outcome.CANNOT and "grades per 1000 kilogram" in (step.problem or "")
    elsewhere = replace(LABEL, pack_id="example-standards-body/other")
    (step,) = plan_regrades([elsewhere], [OLD, NEW], on)
    assert step.outcome is Outcome.CANNOT and "no category" in (step.problem or "") and step.grade is None
    by_hs_doc = catalogue(
        benchmark_category(), version="1.1.0", transition={"policy": "regrade-by", "by": "2027-01-01"}
    )
    by_hs = Catalogue(by_hs_doc)  # matches HS 7601 in CN: the label's product codes decide
    assert plan_regrades([LABEL], [OLD, by_hs], on)[0].outcome is Outcome.CANNOT
    (step,) = plan_regrades([replace(LABEL, hs_codes=("7601.10",))], [OLD, by_hs], on)
    assert (step.outcome, step.grade, step.category) == (Outcome.REGRADE, "T2", "aluminium-benchmark")


def test_withdrawn_version_is_shown_and_an_ungraded_label_has_no_standing() -> None:
    on = date(2026, 12, 1)
    gone = {OLD.ref: {"reason": "bands wrong", "at": "2026-11-30T00:00:00+00:00"}}
    standing = grading_standing(LABEL.catalogue, None, [], on, withdrawn=gone)
    assert standing is not None and standing["status"] == "current" and standing["withdrawn"]["reason"] == "bands wrong"
    assert grading_standing(None, None, [OLD, NEW], on) is None
