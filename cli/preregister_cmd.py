"""`persuasion preregister`: lock the analysis plan before fieldwork. Thin: builds the document
(`analysis.preregistration`), stores its hash (`fieldwork.lock_preregistration`), writes the
files."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.errors import clean_errors, console
from cli.options import DB_OPTION


@clean_errors
def preregister(
    study: str = typer.Argument(..., help="The study file (.toml) or a stored study's name."),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for preregistration.md/.json (default: the study file's)."
    ),
    reps: int = typer.Option(200, "--reps", min=20, help="Simulated studies for the power."),
    db: str | None = DB_OPTION,
) -> None:
    """Pre-register the study: write preregistration.md and preregistration.json from the
    study file (hypotheses as the contrasts, smallest effect of interest, exclusion rules,
    analysis plan, sample size with its simulated power) and store its hash. The first wave
    on `link` or `prolific` opens only after this.

    Example: persuasion preregister my-study.toml
    """
    from analysis import registered_power, registration_document, write_preregistration
    from fieldwork import lock_preregistration
    from study import is_study_file, load_and_register
    from study.store import open_store

    with open_store(db) as store:
        loaded = load_and_register(store, study)
        n_claims = sum(1 for c in loaded.claims.claims if c.kind != "control")
        power = registered_power(loaded.study, n_claims, reps)
        document = registration_document(loaded.study, loaded.claims, power)
        digest = lock_preregistration(store, loaded, document)
    folder = out or (Path(study).resolve().parent if is_study_file(study) else Path.cwd())
    md, js = write_preregistration(document, digest, folder)
    console.print(
        f"Pre-registered study {loaded.study.name!r}: SHA-256 {digest}\n"
        f"Power at {n_claims} claims x {power['raters']} raters: difference "
        f"{power['difference']:.2f}, equivalence {power['equivalence']:.2f}\n"
        f"Wrote {md} and {js}",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(preregister)
