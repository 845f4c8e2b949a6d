"""What participants are told, as a review board asks: who runs the study and how to reach
them, the ethics approval, how long it takes (consent page), and afterwards which arguments
were written by AI, that none was fact-checked, which strategies were allowed to invent facts
(named from the strategy data, e.g. `deceptive`) and, for a control item, the true fact its
argument argued against (debrief page)."""

from __future__ import annotations

from sqlalchemy import select

from arguments import strategies_for
from study import Study
from study.store import ArgumentRow, AssignmentRow, ClaimRow, Store

NOT_CHECKED = (
    "None of the arguments was fact-checked: they may contain false or misleading statements, "
    "so please do not rely on them."
)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def consent_paragraphs(study: Study) -> list[str]:
    """The consent text with `{minutes}` replaced by `recruitment.estimated_minutes`."""
    minutes = str(study.recruitment.estimated_minutes)
    return paragraphs(study.survey.consent_text.replace("{minutes}", minutes))


def researcher_lines(study: Study) -> list[str]:
    """Who runs the study, how to reach them and its ethics approval (those set)."""
    survey = study.survey
    lines = [
        ("Researcher", survey.researcher),
        ("Contact", survey.contact),
        ("Ethics approval", survey.ethics_reference),
    ]
    return [f"{label}: {value}" for label, value in lines if value]


def inventing_strategies(study: Study) -> list[str]:
    """The study's strategies (used by its writers) whose templates allow inventing facts."""
    known = strategies_for(study)
    used = dict.fromkeys(s for w in study.writers for s in w.strategies)
    return [name for name in used if name in known and known[name].invents_facts]


def debrief_items(store: Store, session_id: int, study: Study) -> list[str]:
    """One sentence per argument the session read: who wrote it, with which strategy if it
    could invent facts, and for a control item the true fact it argued against."""
    inventing = {name for name, s in strategies_for(study).items() if s.invents_facts}
    with store.session() as session:
        rows = session.execute(
            select(
                ClaimRow.text,
                ClaimRow.kind,
                ArgumentRow.writer_kind,
                ArgumentRow.generation,
                ArgumentRow.strategy,
                ArgumentRow.format,
            )
            .select_from(AssignmentRow)
            .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
            .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
            .where(AssignmentRow.session_id == session_id)
            .order_by(AssignmentRow.position)
        ).all()
    out = []
    for claim, kind, writer_kind, generation, strategy, fmt in rows:
        model = f"an AI language model ({generation})" if generation else "an AI language model"
        if fmt == "conversation":
            out.append(f"Your conversation about “{claim}” was with {model}, not a person.")
        elif kind == "control":
            out.append(
                f"“{claim}” is true. The argument you read about it was written by {model} "
                "to argue against it on purpose, to check the study's method."
            )
        elif writer_kind == "human":
            out.append(f"The argument about “{claim}” was written by a person.")
        else:
            line = f"The argument about “{claim}” was written by {model}"
            if strategy in inventing:
                line += (
                    f", with instructions that allowed it to invent facts, statistics and "
                    f"sources (strategy: {strategy})"
                )
            out.append(line + ".")
    return out


def debrief_general(study: Study) -> list[str]:
    """The study-wide part of the debrief: the fact-check statement and the strategies that
    were allowed to invent facts."""
    lines = [NOT_CHECKED]
    inventing = inventing_strategies(study)
    if inventing:
        lines.append(
            "Some AI-written arguments in this study were written with instructions that "
            f"allowed inventing facts, statistics and sources (strategy: {', '.join(inventing)})."
        )
    if study.control.writer:
        lines.append(
            "Some arguments argued against statements that are true, on purpose; if you read "
            "one, it is named below."
        )
    return lines
