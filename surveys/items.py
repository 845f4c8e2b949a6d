"""The items of a survey session: each assignment's claim and argument (or conversation)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from study import Study, argument_min_reading_ms
from study.store import ArgumentRow, AssignmentRow, ClaimRow


@dataclass(frozen=True)
class Item:
    position: int
    assignment_id: int
    claim: str
    argument: str
    min_reading_ms: int
    format: str = "static"
    writer: str = ""

    @property
    def conversation(self) -> bool:
        return self.format == "conversation"


def items_of(session: Session, session_id: int, study: Study) -> tuple[Item, ...]:
    rows = session.execute(
        select(
            AssignmentRow.position,
            AssignmentRow.id,
            ClaimRow.text,
            ArgumentRow.text,
            ArgumentRow.format,
            ArgumentRow.writer,
        )
        .join(ArgumentRow, ArgumentRow.id == AssignmentRow.argument_id)
        .join(ClaimRow, ClaimRow.id == ArgumentRow.claim_id)
        .where(AssignmentRow.session_id == session_id)
        .order_by(AssignmentRow.position)
    )
    return tuple(
        Item(
            pos,
            aid,
            claim,
            "" if fmt == "conversation" else text,
            0 if fmt == "conversation" else argument_min_reading_ms(text, study),
            fmt,
            writer,
        )
        for pos, aid, claim, text, fmt, writer in rows
    )
