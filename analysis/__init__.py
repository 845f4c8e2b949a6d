"""Analysis: the tidy ratings table, estimators, figures and reports."""

from analysis.bootstrap import claim_bootstrap_means, percentile_ci
from analysis.estimates import writer_means
from analysis.report import Report, build_report
from analysis.tidy import COLUMNS, kept, ratings_table

__all__ = [
    "COLUMNS",
    "Report",
    "build_report",
    "claim_bootstrap_means",
    "kept",
    "percentile_ci",
    "ratings_table",
    "writer_means",
]
