"""LaTeX tables (booktabs) and Markdown tables from result frames, with one number format."""

from __future__ import annotations

import math

import pandas as pd

LATEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}"}


def fmt(value: object, digits: int = 3) -> str:
    """Numbers with `digits` decimals (p-values below 0.001 as '<0.001'), NaN as '–'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.{digits}f}"
    return str(value)


def fmt_p(value: float) -> str:
    if isinstance(value, float) and not math.isnan(value) and value < 0.001:
        return "<0.001"
    return fmt(value)


WHOLE_COLUMNS = ("df", "before_toward", "max_possible", "n", "n_models")


def fmt_cell(column: str, value: object) -> str:
    """A cell by its column: p-values as `fmt_p`, counts and degrees of freedom whole."""
    if column.startswith("p_") and isinstance(value, float):
        return fmt_p(value)
    whole = column in WHOLE_COLUMNS or column.startswith("n_")
    if whole and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return fmt(value)


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[fmt_cell(str(k), v) for k, v in r.items()] for r in frame.to_dict("records")]


def latex_escape(text: str) -> str:
    return "".join(LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_markdown(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table."""
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(row) + " |" for row in _cells(frame)]
    return "\n".join([head, rule, *body])
