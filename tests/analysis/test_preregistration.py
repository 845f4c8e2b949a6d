"""Pre-registration: `persuasion preregister` locks the plan; the first wave on a real platform
refuses to open without it (one Error line, or a logged override the report states); a
simulated study registers itself; the report shows the hash and the deviations; interim looks
are explicit, logged and listed; the dashboard hides live means while a real wave is open."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis import build_report, load_stored_study
from analysis.preregistration import (
    deviations,
    read_registration,
    registration_document,
    registration_hash,
)
from cli.main import app
from fieldwork.dashboard import progress
from fieldwork.preregistration import lock_preregistration, require_preregistration
from study import load_and_register
from study.store import Store, WaveRow, current_wave, open_wave
from tests.support.field_data import add_session, argument_ids, tiny_study
from tests.support.survey_site import Site, survey_site

runner = CliRunner()
REFUSAL = (
    "Error: study 'linked' has no pre-registration, so its first wave on link cannot open; run "
    "`persuasion preregister STUDY.toml` first (or pass --without-preregistration: the report "
    "will say so)"
)


@pytest.fixture
def site() -> Iterator[Site]:
    with survey_site() as s:
        yield s


def linked(store: Store, folder: Path, url: str, preregistered: bool = False) -> Path:
    tiny_study(
        store, folder, platform="link", name="linked", survey_url=url, preregistered=preregistered
    )
    return folder / "linked.toml"


def waves(store: Store) -> list[WaveRow]:
    with store.session() as session:
        return list(session.query(WaveRow).all())


def rate_everything(store: Store, study_id: int) -> None:
    with store.session() as session:
        wave_id = current_wave(session, study_id).id  # type: ignore[union-attr]
    for argument in argument_ids(store, study_id):
        add_session(store, study_id, wave_id, [argument])
        add_session(store, study_id, wave_id, [argument])


def test_first_real_wave_refuses_without_a_preregistration(
    tmp_path: Path, store: Store, sqlite_url: str, site: Site
) -> None:
    path = linked(store, tmp_path, site.url)
    out = runner.invoke(app, ["field", "open", str(path), "--yes", "--db", sqlite_url])
    assert out.exit_code == 1
    assert out.output.strip() == REFUSAL
    assert waves(store) == []


def test_preregister_writes_files_stores_the_hash_and_then_the_wave_opens(
    tmp_path: Path, store: Store, sqlite_url: str, site: Site
) -> None:
    path = linked(store, tmp_path, site.url)
    args = ["preregister", str(path), "--reps", "20", "--out", str(tmp_path / "pre")]
    out = runner.invoke(app, [*args, "--db", sqlite_url])
    assert out.exit_code == 0, out.output
    saved = json.loads((tmp_path / "pre" / "preregistration.json").read_text())
    digest = saved["sha256"]
    assert digest == registration_hash(saved["document"])
    assert f"Pre-registered study 'linked': SHA-256 {digest}" in out.output
    md = (tmp_path / "pre" / "preregistration.md").read_text()
    assert f"`{digest}`" in md and "## Hypotheses" in md and "## Exclusion rules" in md
    assert "Simulated power (20 simulated studies of the primary ANCOVA)" in md
    with store.session() as session:
        study_id = load_and_register(store, str(path)).study_id
        assert read_registration(session, study_id).hash == digest
    again = runner.invoke(app, [*args, "--db", sqlite_url])
    assert again.exit_code == 0 and digest in again.output  # same plan, same hash
    out = runner.invoke(app, ["field", "open", str(path), "--yes", "--db", sqlite_url])
    assert out.exit_code == 0, out.output
    assert len(waves(store)) == 1
    path.write_text(path.read_text().replace("per_argument = 2", "per_argument = 3"))
    out = runner.invoke(app, [*args, "--db", sqlite_url])
    assert out.exit_code == 1
    assert out.output.strip() == (
        "Error: study 'linked' already opened wave 1, so its pre-registration is locked; keep "
        "the study file as registered (the report lists every deviation from it) or start a "
        "new study"
    )


def test_override_is_logged_and_the_report_states_it(
    tmp_path: Path, store: Store, sqlite_url: str, site: Site
) -> None:
    path = linked(store, tmp_path, site.url)
    out = runner.invoke(
        app, ["field", "open", str(path), "--without-preregistration", "--yes", "--db", sqlite_url]
    )
    assert out.exit_code == 0, out.output
    loaded = load_and_register(store, str(path))
    rate_everything(store, loaded.study_id)
    stored = load_stored_study(sqlite_url, "linked")
    assert stored.registration.overridden_waves == (1,)
    build_report(
        stored.ratings, stored.study, tmp_path / "r", simulated=False, provenance=stored.provenance
    )
    html = (tmp_path / "r" / "report.html").read_text()
    assert "Not pre-registered: no analysis plan was locked before fieldwork." in html
    assert "<li>wave 1 was opened without a pre-registration (--without-preregistration)</li>" in (
        html
    )


def test_simulated_study_registers_itself_and_its_report_has_no_deviations(
    tmp_path: Path, store: Store, sqlite_url: str
) -> None:
    loaded = tiny_study(store, tmp_path, platform="simulated", name="sim", preregistered=False)
    require_preregistration(store, loaded)
    with store.session() as session:
        registration = read_registration(session, loaded.study_id)
        open_wave(session, loaded.study_id, "simulated", 2)
    assert registration.document["registered_by"] == "simulated study (automatic)"
    rate_everything(store, loaded.study_id)
    stored = load_stored_study(sqlite_url, "sim")
    build_report(
        stored.ratings,
        stored.study,
        tmp_path / "r",
        simulated=True,
        claim_set_hash=stored.claim_set_hash,
        provenance=stored.provenance,
    )
    html = (tmp_path / "r" / "report.html").read_text()
    assert f'<code id="prereg-hash">{registration.hash}</code>' in html
    assert '<ul id="deviations"><li>no deviations</li></ul>' in html
    summary = (tmp_path / "r" / "summary.md").read_text()
    assert f"Registered plan SHA-256: `{registration.hash}`" in summary
    assert "- no deviations" in summary


def test_deviations_name_each_changed_setting(tmp_path: Path, store: Store) -> None:
    loaded = tiny_study(store, tmp_path, platform="link", name="dev", preregistered=False)
    registered = registration_document(loaded.study, loaded.claims)
    text = (tmp_path / "dev.toml").read_text() + "\n[analysis]\nsmallest_effect = 0.3\n"
    (tmp_path / "dev.toml").write_text(text)
    changed = load_and_register(store, str(tmp_path / "dev.toml"))
    run = registration_document(changed.study, changed.claims)
    assert deviations(registered, run) == ["smallest_effect: registered 0.2, run with 0.3"]


def test_interim_looks_are_explicit_logged_listed_and_live_means_hidden(
    tmp_path: Path, store: Store, sqlite_url: str, site: Site
) -> None:
    path = linked(store, tmp_path, site.url, preregistered=True)
    assert (
        runner.invoke(app, ["field", "open", str(path), "--yes", "--db", sqlite_url]).exit_code == 0
    )
    loaded = load_and_register(store, str(path))
    rate_everything(store, loaded.study_id)
    shown = progress(store, "linked")
    assert shown.blinded
    assert {g["mean_persuasion"] for g in shown.by_writer} == {None}
    report = tmp_path / "r"
    out = runner.invoke(app, ["analyze", "linked", "--out", str(report), "--db", sqlite_url])
    assert out.exit_code == 1
    assert out.output.strip() == (
        "Error: wave 1 of study 'linked' is open on link: estimates now are an interim look (the "
        "study declares 0); pass --interim to take one (it is logged and the report lists it), "
        "or wait until the wave closes"
    )
    out = runner.invoke(
        app, ["analyze", "linked", "--out", str(report), "--interim", "--db", sqlite_url]
    )
    assert out.exit_code == 0, out.output
    assert out.output.startswith("Interim look at wave 1 logged (")
    html = (report / "report.html").read_text()
    assert "Interim looks: 1 (declared: 0)." in html
    assert "interim look 1 (" in html and "beyond the 0 declared" in html


def test_declared_interim_looks_show_live_means(tmp_path: Path, store: Store) -> None:
    loaded = tiny_study(store, tmp_path, platform="link", name="looks", preregistered=False)
    text = (tmp_path / "looks.toml").read_text() + "\n[analysis]\ninterim_looks = 2\n"
    (tmp_path / "looks.toml").write_text(text)
    loaded = load_and_register(store, str(tmp_path / "looks.toml"))
    lock_preregistration(store, loaded, registration_document(loaded.study, loaded.claims))
    with store.session() as session:
        open_wave(session, loaded.study_id, "link", 2)
    rate_everything(store, loaded.study_id)
    shown = progress(store, "looks")
    assert not shown.blinded
    assert {g["mean_persuasion"] for g in shown.by_writer} == {2.0}


def test_a_scheduled_report_takes_no_interim_look_while_a_real_wave_is_open(
    tmp_path: Path, store: Store, sqlite_url: str, site: Site
) -> None:
    from flows.steps import unplanned_look_step

    path = linked(store, tmp_path, site.url, preregistered=True)
    assert unplanned_look_step(sqlite_url, "linked") == ""  # no wave open yet
    assert (
        runner.invoke(app, ["field", "open", str(path), "--yes", "--db", sqlite_url]).exit_code == 0
    )
    rate_everything(store, load_and_register(store, str(path)).study_id)
    assert unplanned_look_step(sqlite_url, "linked").startswith(
        "wave 1 of study 'linked' is open on link: estimates now are an interim look"
    )
    out = runner.invoke(app, ["field", "close", "linked", "--force", "--db", sqlite_url])
    assert out.exit_code == 0, out.output
    assert unplanned_look_step(sqlite_url, "linked") == ""
