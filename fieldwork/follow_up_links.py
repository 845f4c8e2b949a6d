"""Personal follow-up links for a link study: the researcher's list of participant ids in,
the same list with each participant's follow-up address out.

The store keeps no raw id, so the researcher supplies the ids they handed out (`?pid=…` in
the survey links, next to e-mail addresses or whatever else the file holds); each id is
matched through its keyed hash to a participant invited to the follow-up, and the row gets
their personal address (`follow_up_url`) or, when nobody matches, a `note` saying why. Every
other column is copied through unchanged, so the output can feed a mail merge."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from common import UsageError, write_records
from fieldwork.follow_up_platform import follow_up_link
from study import LoadedStudy
from study.store import FollowUpSessionRow, ParticipantRow, Store, WaveRow
from surveys import follow_up_token, keyed_hash, load_secret

URL, NOTE = "follow_up_url", "note"


@dataclass(frozen=True)
class LinksWritten:
    path: Path
    wave: int
    rows: int
    matched: int


def follow_up_links(
    store: Store, loaded: LoadedStudy, ids: Path, out: Path, column: str = "participant_id"
) -> LinksWritten:
    """Write `out` (CSV): the rows of `ids` with each participant's follow-up address for
    the study's latest follow-up wave (see the module docstring)."""
    if out.resolve() == ids.resolve():
        raise UsageError(f"{out}: the output would overwrite the list of ids; choose another file")
    with ids.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    if column not in header:
        raise UsageError(
            f"{ids}: no column {column!r} (its columns: {', '.join(header) or 'none'}); name "
            "the column of participant ids with --id-column"
        )
    wave_id, number = _latest_follow_up(store, loaded)
    key = load_secret(store.url)
    invited = _invited(store, loaded.study_id, wave_id)
    url = loaded.study.recruitment.survey_url
    matched = 0
    for row in rows:
        person = invited.get(keyed_hash(key, (row.get(column) or "").strip()))
        row[URL] = follow_up_link(url, follow_up_token(key, wave_id, person)) if person else ""
        row[NOTE] = "" if person else f"not a participant of the wave follow-up {number} follows"
        matched += person is not None
    with out.open("w", newline="", encoding="utf-8") as handle:
        write_records(handle, [*header, URL, NOTE], rows)
    return LinksWritten(out, number, len(rows), matched)


def _latest_follow_up(store: Store, loaded: LoadedStudy) -> tuple[int, int]:
    with store.session() as session:
        row = session.execute(
            select(WaveRow.id, WaveRow.number)
            .where(WaveRow.study_id == loaded.study_id, WaveRow.kind == "follow_up")
            .order_by(WaveRow.number.desc())
            .limit(1)
        ).first()
    if row is None:
        name = loaded.study.name
        raise UsageError(
            f"study {name!r} has no follow-up wave yet; open one with "
            f"`persuasion field follow-up {name}` (it opens by itself under `persuasion serve` "
            "when it is due)"
        )
    return int(row[0]), int(row[1])


def _invited(store: Store, study_id: int, wave_id: int) -> dict[str, int]:
    """Keyed hash of the platform id -> participant row id, for the invited participants."""
    with store.session() as session:
        rows = session.execute(
            select(ParticipantRow.platform_id_hash, ParticipantRow.id)
            .join(FollowUpSessionRow, FollowUpSessionRow.participant_id == ParticipantRow.id)
            .where(ParticipantRow.study_id == study_id, FollowUpSessionRow.wave_id == wave_id)
        ).all()
    return {h: pid for h, pid in rows}
