"""The prize for the most persuasive human argument (the reference study paid one), chosen from
the analysis: each human argument's mean persuasion over its kept ratings (the reference
study's per-argument means, `analysis.argument_means`), highest first (ties: more ratings, then
the lower argument id). The researcher confirms the choice (or names another argument) and the
prize is paid once, by the writing submission's id, through the bulk bonus API
(`fieldwork.payments`, key `prize`): a second run finds it set up and pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from analysis import argument_means, kept, ratings_table
from common import UsageError
from fieldwork.payments import Owed, created_keys
from study import LoadedStudy, money
from study.store import Store, WritingTaskRow, WritingWaveRow

PRIZE_KEY = "prize"


@dataclass(frozen=True)
class Candidate:
    """A human argument, its mean persuasion and where its writer's submission is."""

    argument: int
    persuasion: float
    ratings: int
    submission: str = ""
    ref: str = ""


def prize_candidates(store: Store, loaded: LoadedStudy) -> list[Candidate]:
    """Human arguments by mean persuasion over kept ratings, highest first."""
    data = kept(ratings_table(store, loaded.study_id, loaded.study))
    human = data[(data["writer_kind"] == "human") & (data["kind"] == "opinion")]
    if human.empty:
        raise UsageError(
            f"study {loaded.study.name!r} has no kept ratings of human arguments yet; the prize "
            "is chosen from the ratings: run the rating waves first"
        )
    means = argument_means(human).sort_values(
        ["persuasion", "n_ratings", "argument"], ascending=[False, False, True]
    )
    where = _submissions(store, loaded.study_id)
    return [
        Candidate(int(a), float(p), int(n), *where.get(int(a), ("", "")))
        for a, p, n in zip(means["argument"], means["persuasion"], means["n_ratings"], strict=True)
    ]


def _submissions(store: Store, study_id: int) -> dict[int, tuple[str, str]]:
    with store.session() as session:
        rows = session.execute(
            select(
                WritingTaskRow.argument_id,
                WritingTaskRow.platform_session,
                WritingWaveRow.platform_ref,
            )
            .join(WritingWaveRow, WritingWaveRow.id == WritingTaskRow.writing_wave_id)
            .where(WritingTaskRow.study_id == study_id, WritingTaskRow.platform_session != "")
        ).all()
    return {int(a): (sub, ref) for a, sub, ref in rows if a is not None}


def prize_choice(
    store: Store, loaded: LoadedStudy, argument: int | None = None
) -> tuple[Owed, list[Candidate]]:
    """The prize payment for the most persuasive human argument (or `argument`), with the
    ranking it was chosen from. Refuses when no prize is set, when it was already set up, or
    when the chosen argument was not written through the writing study."""
    study = loaded.study
    amount = study.human_writing.prize
    if amount <= 0:
        raise UsageError(
            "human_writing.prize is 0: set the prize for the most persuasive human argument "
            "(in pence or cents) in the study file"
        )
    if PRIZE_KEY in created_keys(store, loaded.study_id):
        raise UsageError(
            f"the prize of study {study.name!r} was already set up; it is never paid twice "
            f"(`persuasion field bonuses {study.name}` pays it if it was not sent)"
        )
    ranking = prize_candidates(store, loaded)
    chosen = next((c for c in ranking if c.argument == argument), None) if argument else ranking[0]
    if chosen is None:
        raise UsageError(
            f"argument {argument} is not a rated human argument of study {study.name!r}; "
            f"choose one of: {', '.join(str(c.argument) for c in ranking[:10])}"
        )
    if not chosen.submission:
        raise UsageError(
            f"human argument {chosen.argument} was not written through the writing study, so "
            "there is no submission to pay; pay its writer yourself or choose another with "
            "--argument ID"
        )
    why = (
        f"prize: most persuasive human argument {chosen.argument} "
        f"(mean persuasion {chosen.persuasion:+.2f} over {chosen.ratings} ratings)"
    )
    return Owed(PRIZE_KEY, chosen.ref, chosen.submission, amount, why), ranking


def describe_ranking(loaded: LoadedStudy, ranking: list[Candidate], chosen: Owed) -> list[str]:
    """The lines shown before the prize is paid: the top human arguments and the choice."""
    cur = loaded.study.recruitment.currency
    lines = ["Most persuasive human arguments (mean persuasion over kept ratings):"]
    for c in ranking[:5]:
        mark = " <- prize" if c.submission == chosen.submission and c.submission else ""
        lines.append(f"  argument {c.argument}: {c.persuasion:+.2f} ({c.ratings} ratings){mark}")
    lines.append(f"Prize: {money(chosen.amount, cur)} to submission {chosen.submission}")
    return lines
