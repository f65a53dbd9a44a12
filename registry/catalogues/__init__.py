"""Grading catalogues (issue 13): the grade bands an authority sets per product category, signed,
versioned, effective-dated and separate from rule packs (docs/grading-catalogues.md).

A label is graded by the catalogue in force for its category on the issue date (:func:`catalogue_in_force`),
else by its pack's illustrative bands, else not at all. Statistics of the registry's own labels are
published only above a floor of companies and labels (:mod:`.stats`). The public page
(:func:`render_catalogue_page`, with the label page's styles and scale) loads on first use: grading a
label does not need it.
"""

from typing import TYPE_CHECKING

from registry.catalogues.check import AUTHORITY_ROLES, check_catalogue, publisher_may_grade
from registry.catalogues.compute import compute_draft
from registry.catalogues.diff import diff_catalogues
from registry.catalogues.errors import CatalogueCheckFailed, CatalogueError
from registry.catalogues.load import catalogue_from_data, load_catalogue_file
from registry.catalogues.model import FORMAT, Catalogue, Category
from registry.catalogues.regrade import GradedLabel, Outcome, RegradeStep, grading_standing, plan_regrades
from registry.catalogues.select import catalogue_in_force, transition_of
from registry.catalogues.signing import (
    KIND,
    VerifiedCatalogue,
    sign_catalogue,
    sign_file,
    verify_file,
    verify_signed_catalogue,
)
from registry.catalogues.stats import MIN_COMPANIES, MIN_LABELS, Observation, category_statistics, percentile
from registry.lazy import lazy_face

if TYPE_CHECKING:
    from registry.catalogues.page import render_catalogue_page

__getattr__, __dir__ = lazy_face(__name__, {"render_catalogue_page": "page"})

__all__ = [
    "AUTHORITY_ROLES",
    "FORMAT",
    "KIND",
    "MIN_COMPANIES",
    "MIN_LABELS",
    "Catalogue",
    "CatalogueCheckFailed",
    "CatalogueError",
    "Category",
    "GradedLabel",
    "Observation",
    "Outcome",
    "RegradeStep",
    "VerifiedCatalogue",
    "catalogue_from_data",
    "catalogue_in_force",
    "category_statistics",
    "check_catalogue",
    "compute_draft",
    "diff_catalogues",
    "grading_standing",
    "load_catalogue_file",
    "percentile",
    "plan_regrades",
    "publisher_may_grade",
    "render_catalogue_page",
    "sign_catalogue",
    "sign_file",
    "transition_of",
    "verify_file",
    "verify_signed_catalogue",
]
