"""Supervision: regulators, their jurisdictions, reproducible samples of labels, re-verification
outcomes and complaints about labels (issue 13), as pure functions over plain values.

* :func:`region_of` - the region a declaration is for (ISO 3166-1 alpha-2 or ISO 3166-2), the
  rule that puts a validation, audit, recalculation or label in a jurisdiction; :func:`parse_region`,
  :func:`covers`, :func:`parse_jurisdiction` (``jurisdiction.py``);
* :func:`draw_sample`, :func:`new_seed`, :class:`Population` - a sample that the same seed and the
  same population always reproduce (``sampling.py``);
* :class:`Outcome`, :func:`check_outcome` - what a re-verification found (``sampling.py``);
* :class:`ComplaintState`, :func:`next_state`, :func:`new_reference`, :class:`FormTokens`,
  :func:`check_complaint_form` - a complaint's life cycle and its public form (``complaints.py``);
* :func:`render_complaint_form`, :func:`render_complaint_received` - the form's pages (``pages.py``).

See docs/supervision.md.
"""

from __future__ import annotations

from registry.supervision.complaints import (
    CATEGORIES,
    ComplaintAction,
    ComplaintForm,
    ComplaintState,
    FormTokens,
    check_complaint_form,
    new_reference,
    next_state,
)
from registry.supervision.jurisdiction import covers, parse_jurisdiction, parse_region, region_of
from registry.supervision.pages import CSP as COMPLAINT_PAGE_CSP
from registry.supervision.pages import render_complaint_form, render_complaint_received
from registry.supervision.sampling import Outcome, Population, check_outcome, draw_sample, new_seed

__all__ = [
    "CATEGORIES",
    "COMPLAINT_PAGE_CSP",
    "ComplaintAction",
    "ComplaintForm",
    "ComplaintState",
    "FormTokens",
    "Outcome",
    "Population",
    "check_complaint_form",
    "check_outcome",
    "covers",
    "draw_sample",
    "new_reference",
    "new_seed",
    "next_state",
    "parse_jurisdiction",
    "parse_region",
    "region_of",
    "render_complaint_form",
    "render_complaint_received",
]
