"""Analysis: the tidy ratings table, estimators, figures, reports and exports.

Statistics functions are plain functions over the tidy ratings table (one row per rating, see
`ratings_table`) sharing one vocabulary (`claim`, `writer`, `participant`, `before`, `after`,
`persuasion`) and returning tidy DataFrames with snake_case columns.
"""

from analysis.ancova import ancova_contrasts, strategy_grid
from analysis.bootstrap import claim_bootstrap_means, percentile_ci
from analysis.ceiling import by_starting_rating, without_bound
from analysis.equivalence import control_check, tost_p
from analysis.estimates import before_sd, exclusion_counts, writer_means
from analysis.export import export_table
from analysis.latex import to_latex
from analysis.ordinal import ordinal_contrasts
from analysis.pipeline import Results, analyse, writer_order
from analysis.planning import PlanResult, plan_study, registered_power
from analysis.power import PowerModel, simulate_power, smallest_designs
from analysis.preregistration import (
    INTERIM,
    LOCKED,
    OVERRIDDEN,
    REAL_PLATFORMS,
    estimates_blinded,
    read_registration,
    registration_document,
    registration_hash,
    write_preregistration,
)
from analysis.reference import argument_means, pairwise_tests, reference_summary
from analysis.report import Report, build_report, write_report
from analysis.scaling import scaling_trend
from analysis.store_io import StoredStudy, export_study, load_stored_study
from analysis.tables import to_markdown
from analysis.tidy import COLUMNS, kept, ratings_table

__all__ = [
    "COLUMNS",
    "INTERIM",
    "LOCKED",
    "OVERRIDDEN",
    "REAL_PLATFORMS",
    "PlanResult",
    "PowerModel",
    "Report",
    "Results",
    "StoredStudy",
    "analyse",
    "ancova_contrasts",
    "argument_means",
    "before_sd",
    "build_report",
    "by_starting_rating",
    "claim_bootstrap_means",
    "control_check",
    "estimates_blinded",
    "exclusion_counts",
    "export_study",
    "export_table",
    "kept",
    "load_stored_study",
    "ordinal_contrasts",
    "pairwise_tests",
    "percentile_ci",
    "plan_study",
    "ratings_table",
    "read_registration",
    "reference_summary",
    "registered_power",
    "registration_document",
    "registration_hash",
    "scaling_trend",
    "simulate_power",
    "smallest_designs",
    "strategy_grid",
    "to_latex",
    "to_markdown",
    "tost_p",
    "without_bound",
    "write_preregistration",
    "write_report",
    "writer_means",
    "writer_order",
]
