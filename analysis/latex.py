"""LaTeX tables for papers: booktabs rules, human headers, math-mode symbols ($p$, $<0.001$,
$-$), numbers aligned on the decimal point the way siunitx does it, without siunitx: each
decimal column is split into two (`r@{.}l`), so the only package needed is booktabs.

A result frame is first made readable (`readable`): the CI bounds merge into one column
"95% CI" (from the confidence), constant bookkeeping columns (`cluster`, `note`) go into the
caption, and headers get names (`HEADERS`).
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.tables import fmt, fmt_cell, latex_escape

HEADERS = {
    "writer": "Writer",
    "strategy": "Strategy",
    "cell": "Cell",
    "model_class": "Class",
    "level": "Level",
    "writer_kind": "Writer kind",
    "writer_a": "Writer A",
    "writer_b": "Writer B",
    "contrast": "Contrast",
    "n_ratings": "$n$",
    "n_claims": "Claims",
    "n_arguments": "Arguments",
    "n_models": "Models",
    "n": "$n$",
    "estimate": "Estimate",
    "mean_persuasion": "Mean",
    "mean_diff": "Difference",
    "slope": "Slope",
    "log_odds": "Log-odds",
    "se": "SE",
    "sem": "SEM",
    "sd": "SD",
    "df": "df",
    "t": "$t$",
    "p_val": "$p$",
    "p_holm": "$p_{\\mathrm{Holm}}$",
    "p_bh": "$p_{\\mathrm{BH}}$",
    "p_fdr": "$p_{\\mathrm{FDR}}$",
    "p_tost": "$p_{\\mathrm{TOST}}$",
    "equivalent": "Equivalent",
    "std_effect": "Std.\\ effect",
    "hedges_g": "Hedges' $g$",
    "hedges_g_se": "SE($g$)",
    "raw_diff": "Raw diff.",
    "raw_se": "SE(raw)",
    "before_toward": "Start",
    "max_possible": "Room",
    "tau2": "$\\tau^2$",
    "i2": "$I^2$",
    "q": "$Q$",
    "p_q": "$p_Q$",
}
CAPTION_COLUMNS = ("cluster", "note")
MINUS = re.compile(r"(?<![\w$])-(\d)")
NUMBER = re.compile(r"^(<)?(-)?(\d+)(?:\.(\d+))?$")


def readable(frame: pd.DataFrame, confidence: float = 0.95) -> tuple[pd.DataFrame, str]:
    """The frame as a paper shows it: CI bounds merged into one text column, bookkeeping
    columns dropped (returned as a caption sentence when constant)."""
    out = frame.copy()
    extra = []
    for col in CAPTION_COLUMNS:
        if col in out.columns:
            values = {str(v) for v in out[col] if str(v)}
            if len(values) == 1 and col == "cluster":
                extra.append(f"Standard errors clustered by {values.pop()}.")
            out = out.drop(columns=col)
    if {"ci_low", "ci_high"} <= set(out.columns):
        ci = [
            f"[{fmt(lo)}, {fmt(hi)}]" for lo, hi in zip(out["ci_low"], out["ci_high"], strict=True)
        ]
        at = list(out.columns).index("ci_low")
        out = out.drop(columns=["ci_low", "ci_high"])
        out.insert(at, f"{confidence * 100:g}% CI", ci)
    return out, " ".join(extra)


def _split(text: str) -> tuple[str, str] | None:
    """A formatted number as (integer part in math mode, decimals), or None if not a number."""
    m = NUMBER.match(text)
    if not m:
        return None
    less, minus, whole, frac = m.groups()
    head = ("<" if less else "") + ("-" if minus else "") + whole
    return f"${head}$", frac or ""


def _kinds(cells: list[list[str]], columns: list[str]) -> list[str]:
    """Per column: 'dec' (numbers with decimals), 'int' (whole numbers) or 'text'."""
    kinds = []
    for j, _ in enumerate(columns):
        parts = [_split(row[j]) for row in cells if row[j] not in ("–", "")]
        if parts and all(p is not None for p in parts):
            kinds.append("dec" if any(p and p[1] for p in parts) else "int")
        else:
            kinds.append("text")
    return kinds


def _cell(text: str, kind: str) -> str:
    if kind == "text":  # a minus in running text (an interval) is a math minus, not a hyphen
        return MINUS.sub(r"$-$\1", latex_escape(text))
    part = _split(text)
    if part is None:  # a blank in a numeric column
        return r"\multicolumn{2}{c}{--}" if kind == "dec" else "--"
    head, frac = part
    return f"{head} & {frac}" if kind == "dec" else head


def to_latex(frame: pd.DataFrame, caption: str, label: str, confidence: float = 0.95) -> str:
    """A booktabs table environment (needs only \\usepackage{booktabs})."""
    shown, extra = readable(frame, confidence)
    columns = [str(c) for c in shown.columns]
    cells = [[fmt_cell(str(k), v) for k, v in r.items()] for r in shown.to_dict("records")]
    kinds = _kinds(cells, columns)
    spec = "".join({"dec": "r@{.}l", "int": "r", "text": "l"}[k] for k in kinds)
    head = " & ".join(
        f"\\multicolumn{{2}}{{c}}{{{_header(c)}}}" if k == "dec" else _header(c)
        for c, k in zip(columns, kinds, strict=True)
    )
    body = "\n".join(
        " & ".join(_cell(v, k) for v, k in zip(row, kinds, strict=True)) + r" \\" for row in cells
    )
    text = latex_escape(caption) + (f" {latex_escape(extra)}" if extra else "")
    return (
        "\\begin{table}[t]\n\\centering\n\\small\n"
        f"\\caption{{{text}}}\n\\label{{{label}}}\n"
        f"\\begin{{tabular}}{{{spec}}}\n\\toprule\n{head} \\\\\n\\midrule\n{body}\n"
        "\\bottomrule\n\\end{tabular}\n\\end{table}\n"
    )


def _header(column: str) -> str:
    if column in HEADERS:
        return HEADERS[column]
    if column.endswith("% CI"):
        return latex_escape(column)
    return latex_escape(column.replace("_", " ").capitalize())
