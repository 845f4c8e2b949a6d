"""Writing normalised rows of the Anthropic dataset into the store as a new, non-simulated study
whose stored config (TOML) validates with `study.config.parse_study`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from common import UsageError
from study.config import parse_study, study_hash
from study.importers.anthropic_format import MODELS
from study.store import (
    ArgumentRow,
    ClaimRow,
    RatedItem,
    Respondent,
    Store,
    StudyRow,
    WaveRow,
    write_respondents,
)
from study.store.repo import log_event

PLATFORM = "anthropic-persuasion"
SOURCE_URL = "https://huggingface.co/datasets/Anthropic/persuasion"


@dataclass(frozen=True)
class DatasetImportSummary:
    study: str
    ratings: int
    claims: int
    arguments: int
    participants: int
    by_writer: dict[str, int]


def study_toml(name: str, rows: pd.DataFrame, file_name: str) -> str:
    """The stored study config: the models present as writers, humans, the analysis plan."""
    present = set(rows["writer"])
    lines = [
        "# Imported from the published Anthropic persuasion dataset (Durmus et al. 2024,",
        "# Hugging Face Anthropic/persuasion, CC BY-NC-SA 4.0). Arguments and ratings are stored;",
        "# this file records how they map onto the project's writers.",
        "[study]",
        f"name = {json.dumps(name)}",
        "description = "
        + json.dumps(f"Imported from {file_name}: {len(rows)} ratings of the Anthropic dataset."),
        'claims = "imported"',
        "seed = 2024",
    ]
    strategies = sorted(s for s in set(rows.loc[rows["writer_kind"] == "model", "strategy"]) if s)
    for m in MODELS:
        if m.writer in present:
            lines += [
                "",
                "[[writers]]",
                f'id = "{m.writer}"',
                'kind = "model"',
                f'model = "{m.model}"',
                f'generation = "{m.source}"',
                f'class = "{m.model_class}"',
                f"order = {m.order}",
                f"strategies = {json.dumps(strategies or ['compelling_case'])}",
            ]
    lines += ["", "[[writers]]", 'id = "human"', 'kind = "human"', "per_claim = 3"]
    lines += [
        "",
        "[participants]",
        "per_argument = 3",
        "items_per_participant = 1",
        "",
        "[recruitment]",
        "# Not fielded by this pipeline: the link records where the ratings come from.",
        'platform = "link"',
        f"survey_url = {json.dumps(SOURCE_URL)}",
        "",
        "[analysis]",
        'reference = "human"',
        "smallest_effect = 0.2",
        "bootstrap_resamples = 10000",
        "confidence = 0.95",
    ]
    return "\n".join(lines) + "\n"


def write_study(
    store: Store, rows: pd.DataFrame, name: str, file_name: str
) -> DatasetImportSummary:
    """Store `rows` as the new study `name`; refuses a name that exists (nothing is changed)."""
    text = study_toml(name, rows, file_name)
    parse_study(text, f"<import of {file_name}>")  # the stored config must validate
    with store.session() as session:
        if session.scalar(select(StudyRow.id).where(StudyRow.name == name)) is not None:
            raise UsageError(
                f"a study named {name!r} already exists in the store; choose another --study "
                "name (the stored study is left unchanged)"
            )
        claims_hash = hashlib.sha256(
            json.dumps(sorted(set(rows["claim_text"]))).encode()
        ).hexdigest()
        study = StudyRow(
            name=name,
            config_toml=text,
            config_hash=study_hash(text),
            claim_set=f"imported:{file_name}"[:200],
            claim_set_hash=claims_hash,
            simulated=False,
        )
        session.add(study)
        session.flush()
        claim_ids = _claims(session, study.id, rows)
        argument_ids = _arguments(session, study.id, name, rows, claim_ids)
        wave = WaveRow(
            study_id=study.id,
            number=1,
            status="closed",
            platform=PLATFORM,
            platform_ref=file_name[:200],
            target_per_argument=3,
        )
        session.add(wave)
        session.flush()
        n_participants = _ratings(session, study.id, wave.id, name, rows, argument_ids)
        log_event(session, study.id, "study.imported", {"file": file_name, "ratings": len(rows)})
    return DatasetImportSummary(
        name,
        len(rows),
        len(claim_ids),
        len(argument_ids),
        n_participants,
        {str(k): int(v) for k, v in rows["writer"].value_counts().sort_index().items()},
    )


def _claims(session: Session, study_id: int, rows: pd.DataFrame) -> dict[str, int]:
    claims = rows.drop_duplicates("claim_key")
    objs = [
        ClaimRow(
            study_id=study_id,
            key=r.claim_key,
            topic=r.topic,
            stance=r.stance,
            kind=r.kind,
            text=r.claim_text,
        )
        for r in claims.itertuples()
    ]
    session.add_all(objs)
    session.flush()
    return {o.key: o.id for o in objs}


def _argument_key(name: str, r: object) -> str:
    parts = [name, r.claim_key, r.writer, r.strategy, r.argument_text]  # type: ignore[attr-defined]
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def _arguments(
    session: Session, study_id: int, name: str, rows: pd.DataFrame, claim_ids: dict[str, int]
) -> dict[str, int]:
    rows["argument_key"] = [_argument_key(name, r) for r in rows.itertuples()]
    objs = [
        ArgumentRow(
            study_id=study_id,
            claim_id=claim_ids[r.claim_key],
            request_key=r.argument_key,
            writer=r.writer,
            writer_kind=r.writer_kind,
            provider="anthropic" if r.writer_kind != "human" else "",
            model=r.model.split("/", 1)[-1],
            generation=r.generation,
            model_class=r.model_class,
            generation_order=int(r.generation_order),
            strategy=r.strategy,
            direction=int(r.direction),
            text=r.argument_text,
            request_params={"imported_from": PLATFORM},
        )
        for r in rows.drop_duplicates("argument_key").itertuples()
    ]
    session.add_all(objs)
    session.flush()
    return {o.request_key: o.id for o in objs}


def _ratings(
    session: Session,
    study_id: int,
    wave_id: int,
    name: str,
    rows: pd.DataFrame,
    argument_ids: dict[str, int],
) -> int:
    items: dict[str, list[RatedItem]] = {}
    for r in rows.itertuples():
        mine = items.setdefault(str(r.worker_id), [])
        item = RatedItem(argument_ids[r.argument_key], len(mine), int(r.before), int(r.after))
        mine.append(item)
    respondents = []
    for worker, rated in items.items():
        digest = hashlib.sha256(f"{PLATFORM}:{worker}".encode()).hexdigest()
        token = hashlib.sha256(f"{name}:{digest}".encode()).hexdigest()
        respondents.append(Respondent(PLATFORM, digest, token, tuple(rated)))
    write_respondents(session, study_id, wave_id, respondents)
    return len(respondents)
