"""One run of a study at a time across the deployments that write its report folder: a
Prefect global concurrency limit of one slot per study (`study-NAME`), taken by the body of
`run-study` and `report-study`.

A deployment's own `concurrency_limit` (flows/deployments.py) keeps two runs of one deployment
apart; this limit keeps a new-generation `run-study` and a wave-close or nightly `report-study`
of the same study from writing the same folder at once: the later one waits. The fieldwork
flows write only the store, in transactions, and do not take it (a sync must not wait for a
long generation round). Slots are leased, so a run killed while holding one frees it when its
lease expires (`LEASE_SECONDS`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from flows.artifacts import artifact_key
from study import is_study_file, load_study

LEASE_SECONDS = 300.0


def study_limit(study: str) -> str:
    """The name of the study's global concurrency limit: `study-NAME` (slugged)."""
    return artifact_key("study", study)


def ensure_study_limit(study: str) -> str:
    """Create the study's one-slot limit on the Prefect server unless it exists (a limit an
    operator changed in the UI is left as it is). Returns its name."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    name = study_limit(study)
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            with suppress(ObjectAlreadyExists):  # another run created it meanwhile
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )
    return name


def name_of(ref: str) -> str:
    """The study's name, from a study file or a stored study's name (nothing is stored)."""
    return load_study(ref).name if is_study_file(ref) else ref


@contextmanager
def one_run_of(ref: str) -> Iterator[None]:
    """Hold the slot of the study `ref` (a study file or a name) for the duration, waiting
    while another run of the study holds it."""
    from prefect.concurrency.sync import concurrency

    with concurrency(ensure_study_limit(name_of(ref)), occupy=1, lease_duration=LEASE_SECONDS):
        yield
