"""The study definition: a TOML file validated into frozen, typed objects.

Every error names the file, the key and what is allowed (see `load_study`).
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from common import PersuasionError, UnknownName
from study.config_base import _Frozen
from study.config_conversation import ConversationLimits, Format
from study.config_follow_up import FollowUp
from study.config_recruitment import Recruitment, check_hourly, check_time_limit
from study.config_survey import Survey
from study.config_writing import HumanWriting, check_writing

WriterKind = Literal["model", "human"]
CRON_FIELDS = 5


class StudyMeta(_Frozen):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    description: str = ""
    claims: str = "default"
    seed: int = 2024


class Writer(_Frozen):
    """A writer: a model (provider/model string, generation label, class and order within the
    class) or human writers. `true_effect` is used only by the simulated panel."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")]
    kind: WriterKind
    model: str = ""
    generation: str = ""
    model_class: str = Field("", alias="class")
    order: int = 0
    strategies: tuple[str, ...] = ()
    per_claim: Annotated[int, Field(ge=1, le=20)] = 1
    true_effect: float = 0.0
    replay_file: str = ""
    # "conversation": the participant converses with the model between the two ratings
    format: Format = "static"
    conversation: ConversationLimits | None = None

    @model_validator(mode="after")
    def _check_kind(self) -> Writer:
        if self.format == "static" and self.conversation is not None:
            raise ValueError(
                f'writer {self.id!r} has [writers.conversation] limits but format = "static"; '
                'set format = "conversation" or remove the limits'
            )
        if self.format == "conversation" and self.kind != "model":
            raise ValueError(f'writer {self.id!r}: only model writers take format = "conversation"')
        if self.kind == "model":
            if "/" not in self.model:
                raise ValueError(
                    f'writer {self.id!r} needs model = "provider/model" '
                    '(for example "offline/compact-1" or "anthropic/claude-haiku-4-5")'
                )
            if not self.strategies:
                raise ValueError(f"model writer {self.id!r} needs at least one strategy")
        elif self.model or self.strategies:
            raise ValueError(f"human writer {self.id!r} takes no model or strategies")
        return self

    @property
    def limits(self) -> ConversationLimits:
        """The conversation limits of a conversation writer (the defaults when not given)."""
        return self.conversation or ConversationLimits()


class Control(_Frozen):
    """The control arm: arguments against indisputable facts, written by one model writer."""

    writer: str = ""
    strategy: str = "control"
    true_effect: float = 0.0


class Arguments(_Frozen):
    words_min: Annotated[int, Field(ge=1)] = 200
    words_max: Annotated[int, Field(ge=1)] = 300
    replicates: Annotated[int, Field(ge=1, le=20)] = 1
    max_tokens: Annotated[int, Field(ge=16, le=64000)] = 700
    budget_usd: Annotated[float, Field(ge=0)] = 50.0

    @model_validator(mode="after")
    def _check_range(self) -> Arguments:
        if self.words_min > self.words_max:
            raise ValueError(
                f"words_min ({self.words_min}) is above words_max ({self.words_max}); swap them"
            )
        return self


class CustomStrategy(_Frozen):
    """A study's own prompting strategy: a template with fields such as {claim} and
    {words_min} (checked by `arguments.strategies_for`). An empty system uses the bundled one.
    `invents_facts`: the template allows inventing facts (the participants' debrief says so)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")]
    template: Annotated[str, Field(min_length=1)]
    system: str = ""
    description: str = ""
    format: Format = "static"  # "conversation": fields {claim} and {topic} only
    invents_facts: bool = False


class ModelEntry(_Frozen):
    """A model added to (or overriding one of) the bundled registry; prices in USD per
    million tokens."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]+/\S+$")]
    generation: str
    model_class: str = Field(alias="class")
    order: int = 0
    input_per_mtok: Annotated[float, Field(ge=0)] = 0.0
    output_per_mtok: Annotated[float, Field(ge=0)] = 0.0
    retired: bool = False


class Generation(_Frozen):
    """How requests are sent: the Messages API one by one (bounded in flight and per minute,
    with retries) or the Message Batches API (half price, slower)."""

    mode: Literal["messages", "batch"] = "messages"
    max_in_flight: Annotated[int, Field(ge=1, le=512)] = 8
    requests_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] = 50
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 6
    retry_base_seconds: Annotated[float, Field(gt=0)] = 1.0
    retry_max_seconds: Annotated[float, Field(gt=0)] = 60.0
    timeout_seconds: Annotated[float, Field(gt=0)] = 120.0
    batch_poll_seconds: Annotated[float, Field(gt=0)] = 30.0
    batch_max_rounds: Annotated[int, Field(ge=1, le=10)] = 3


class Quality(_Frozen):
    """Quality checks on every argument; a failed one is kept and flagged, or regenerated up
    to `max_attempts` times (then kept and flagged)."""

    on_fail: Literal["flag", "regenerate"] = "flag"
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    word_tolerance: Annotated[float, Field(ge=0, le=1)] = 0.1
    duplicate_threshold: Annotated[float, Field(gt=0, le=1)] = 0.8


class Participants(_Frozen):
    per_argument: Annotated[int, Field(ge=1, le=100)] = 3
    items_per_participant: Annotated[int, Field(ge=1, le=20)] = 3
    control_rate: Annotated[float, Field(ge=0, le=1)] = 0.1
    words_per_minute: Annotated[int, Field(ge=60, le=2000)] = 400
    reservation_minutes: Annotated[int, Field(ge=1, le=1440)] = 60


class Simulation(_Frozen):
    """The simulated panel's response model (see surveys/simulated.py for the formulas)."""

    before_sd: Annotated[float, Field(gt=0)] = 1.1
    claim_sd: Annotated[float, Field(ge=0)] = 0.6
    noise_sd: Annotated[float, Field(ge=0)] = 0.8
    argument_sd: Annotated[float, Field(ge=0)] = 0.1
    # a conversation's effect grows with its participant turns t:
    # true_effect * (1 + turn_gain * (t - 1))
    turn_gain: Annotated[float, Field(ge=0, le=5)] = 0.25
    # follow-up waves: the share of an argument's effect left at the follow-up, and the share
    # of participants who answer it
    follow_up_share: Annotated[float, Field(ge=0, le=1)] = 0.35
    follow_up_response: Annotated[float, Field(gt=0, le=1)] = 0.8


class Exclusions(_Frozen):
    max_failed_attention_checks: Annotated[int, Field(ge=0)] = 1
    min_reading_fraction: Annotated[float, Field(ge=0, le=1)] = 0.0


class AnalysisPlan(_Frozen):
    reference: str = "human"
    smallest_effect: Annotated[float, Field(gt=0)] = 0.2
    bootstrap_resamples: Annotated[int, Field(ge=100, le=1_000_000)] = 10_000
    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    # analyses of a real platform's wave while it is open, declared before fieldwork; with 0
    # the dashboard and `persuasion status` show no per-writer estimates during fieldwork
    interim_looks: Annotated[int, Field(ge=0, le=20)] = 0
    # error bars of the writer-means figure: "ci" (claim-resampling bootstrap) or "sem" (mean
    # +/- 1 SEM over argument means, as the reference study's figure)
    error_bars: Literal["ci", "sem"] = "ci"


class Schedules(_Frozen):
    sync: str = "*/5 * * * *"
    analysis: str = "0 3 * * *"
    new_generation: str = ""

    @model_validator(mode="after")
    def _check_cron(self) -> Schedules:
        for key in ("sync", "analysis", "new_generation"):
            value = getattr(self, key)
            if value and len(value.split()) != CRON_FIELDS:
                raise ValueError(
                    f"schedules.{key} = {value!r} is not a 5-field cron "
                    'expression such as "*/5 * * * *"'
                )
        return self


class Study(_Frozen):
    """A whole study, as declared in its TOML file."""

    study: StudyMeta
    writers: tuple[Writer, ...]
    control: Control = Control()
    arguments: Arguments = Arguments()
    participants: Participants = Participants()
    recruitment: Recruitment = Recruitment()
    simulation: Simulation = Simulation()
    exclusions: Exclusions = Exclusions()
    analysis: AnalysisPlan = AnalysisPlan()
    schedules: Schedules = Schedules()
    survey: Survey = Survey()
    strategies: tuple[CustomStrategy, ...] = ()
    models: tuple[ModelEntry, ...] = ()
    generation: Generation = Generation()
    quality: Quality = Quality()
    human_writing: HumanWriting = HumanWriting()
    follow_up: FollowUp | None = None

    @model_validator(mode="after")
    def _check_writers(self) -> Study:
        ids = [w.id for w in self.writers]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(
                f"writer id(s) {', '.join(dupes)} appear more than once; writer ids must be unique"
            )
        models = [w.id for w in self.writers if w.kind == "model"]
        static = [w.id for w in self.writers if w.kind == "model" and w.format == "static"]
        if (
            self.control.writer
            and self.control.writer in models
            and not static.count(self.control.writer)
        ):
            raise ValueError(
                f"control.writer = {self.control.writer!r} is a conversation writer; the "
                f"control arm needs a static one: {', '.join(static) or '(none declared)'}"
            )
        if self.control.writer and self.control.writer not in models:
            raise ValueError(
                f"control.writer = {self.control.writer!r} is not a model writer; "
                f"choose one of: {', '.join(models) or '(none declared)'}"
            )
        check_time_limit(self.recruitment, self.participants.reservation_minutes)
        check_writing(self.human_writing, self.recruitment)
        rec = self.recruitment
        if self.follow_up is not None and rec.platform == "prolific":
            reward = self.follow_up.reward_minor(rec.currency)
            check_hourly(reward, self.follow_up.estimated_minutes, rec.currency, "follow_up")
        if self.analysis.reference not in ids:
            raise ValueError(
                f"analysis.reference = {self.analysis.reference!r} is not a "
                f"writer; choose one of: {', '.join(ids)}"
            )
        return self

    @property
    def name(self) -> str:
        return self.study.name

    def writer(self, writer_id: str) -> Writer:
        for w in self.writers:
            if w.id == writer_id:
                return w
        raise UnknownName(f"no writer {writer_id!r} in study {self.name!r}")


class StudyFileError(PersuasionError, ValueError):
    """A study file that cannot be read or does not validate."""


def parse_study(text: str, source: str = "<study>") -> Study:
    """Validate TOML text into a Study; errors name the source, the key and what is allowed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Study.model_validate(data)
    except ValidationError as exc:
        raise StudyFileError(_describe(exc, source)) from None


def load_study(path: str | Path) -> Study:
    """Read and validate a study file. A relative `study.claims` path is resolved against the
    study file's folder."""
    path = Path(path)
    if not path.is_file():
        raise StudyFileError(f"{path}: no such study file; create one with `persuasion init NAME`")
    study = parse_study(path.read_text(encoding="utf-8"), str(path))
    claims_ref = study.study.claims
    candidate = path.parent / claims_ref
    if claims_ref.endswith((".yaml", ".yml", ".csv")) and candidate.exists():
        meta = study.study.model_copy(update={"claims": str(candidate.resolve())})
        study = study.model_copy(update={"study": meta})
    return study


def study_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        key = _key(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error":
            allowed = err.get("ctx", {}).get("expected", "")
            msg = f"{err.get('input')!r} is not allowed; allowed: {allowed}"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key; remove it or check its spelling (see `persuasion init`)"
        elif err["type"] == "missing":
            msg = "missing; this key is required (see `persuasion init`)"
        lines.append(f"{source}: {key}: {msg}" if key else f"{source}: {msg}")
    return "\n".join(lines)


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
