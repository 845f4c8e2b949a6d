"""Import of the published Anthropic dataset: the real sample (when present) and a synthetic
file in the same format, on a real store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import ratings_table
from study.config import parse_study
from study.importers import import_anthropic, parse_anthropic, read_anthropic_csv
from study.importers.anthropic import AnthropicFormatError
from study.store import Store
from study.store.repo import get_study_row
from tests.analysis.anthropic_csv import anthropic_rows, write_rows


def stored(store: Store, name: str) -> tuple[pd.DataFrame, bool, str]:
    with store.session() as session:
        row = get_study_row(session, name)
        study_id, simulated, toml = row.id, row.simulated, row.config_toml
    return ratings_table(store, study_id), simulated, toml


def test_sample_writer_means_equal_hand_computation(store: Store, sample_csv: Path) -> None:
    summary = import_anthropic(store, sample_csv, "sample")
    ratings, simulated, toml = stored(store, "sample")
    raw = pd.read_csv(sample_csv, keep_default_na=False)
    assert summary.ratings == len(raw) == len(ratings)
    names = {"Claude 3 Opus": "claude-3-opus", "Claude Instant 1.2": "claude-instant-1.2"}
    names |= {"Claude 3 Haiku": "claude-3-haiku", "Claude 1.3": "claude-1.3"}
    names |= {"Claude 2": "claude-2", "Human": "human"}
    hand = raw.groupby("source")["persuasiveness_metric"].mean().rename(index=names)
    ours = ratings.groupby("writer")["persuasion"].mean().astype(float)
    pd.testing.assert_series_equal(
        ours.sort_index(), hand.sort_index(), check_names=False, check_index_type=False
    )
    assert not simulated
    assert parse_study(toml).analysis.reference == "human"


def test_synthetic_import_maps_writers_strategies_classes_and_control(
    store: Store, synthetic_csv: Path
) -> None:
    import_anthropic(store, synthetic_csv, "synthetic")
    ratings, _, toml = stored(store, "synthetic")
    study = parse_study(toml)
    opus = ratings[ratings["writer"] == "claude-3-opus"].iloc[0]
    assert (opus["model_class"], opus["generation_order"], opus["generation"]) == (
        "frontier",
        3,
        "Claude 3 Opus",
    )
    haiku = study.writer("claude-3-haiku")
    assert (haiku.model_class, haiku.order) == ("compact", 2)
    assert set(ratings.loc[ratings["writer_kind"] == "model", "strategy"]) == {
        "compelling_case",
        "expert_rhetorics",
        "logical_reasoning",
        "deceptive",
    }
    assert set(ratings.loc[ratings["writer"] == "human", "strategy"]) == {""}
    control = ratings[ratings["writer"] == "control"]
    assert len(control) == 3
    assert set(control["direction"]) == {-1}
    assert set(control["kind"]) == {"control"}
    # persuasion = -(final - initial) for control rows
    raw = pd.read_csv(synthetic_csv, keep_default_na=False)
    expected = -raw.loc[raw["source"] == "Control", "persuasiveness_metric"].to_numpy()
    # (the tidy table is in content order, not file order)
    assert sorted(control["persuasion"].astype(int)) == sorted(expected.tolist())


def test_negated_claims_share_a_topic_with_opposite_stances(synthetic_csv: Path) -> None:
    rows = parse_anthropic(read_anthropic_csv(synthetic_csv))
    claims = rows.drop_duplicates("claim_text").set_index("claim_text")
    pro = claims.loc["Drones should be allowed to deliver parcels"]
    con = claims.loc["Drones should not be allowed to deliver parcels"]
    assert pro["topic"] == con["topic"]
    assert (pro["stance"], con["stance"]) == ("support", "oppose")
    assert claims.loc["Libraries should lend tools", "topic"] != pro["topic"]


def bad_file(tmp_path: Path, column: str, value: str, row: int = 2) -> Path:
    rows = anthropic_rows()
    rows[row - 1][column] = value
    return write_rows(tmp_path / "bad.csv", rows)


def test_bad_label_names_row_and_column(tmp_path: Path) -> None:
    path = bad_file(tmp_path, "rating_initial", "somewhat", row=5)
    with pytest.raises(AnthropicFormatError) as err:
        parse_anthropic(read_anthropic_csv(path), str(path))
    assert str(err.value).startswith(
        f"{path}: row 5, column 'rating_initial': 'somewhat' is not a rating; expected a label "
        "such as '3 - Somewhat oppose' (1-7)"
    )


def test_unknown_source_lists_allowed(tmp_path: Path) -> None:
    path = bad_file(tmp_path, "source", "GPT-4")
    with pytest.raises(AnthropicFormatError, match=r"row 2, column 'source': 'GPT-4' is not a "):
        parse_anthropic(read_anthropic_csv(path), str(path))


def test_metric_that_disagrees_with_ratings_is_refused(tmp_path: Path) -> None:
    path = bad_file(tmp_path, "persuasiveness_metric", "9", row=3)
    with pytest.raises(AnthropicFormatError, match=r"row 3, column 'persuasiveness_metric': '9'"):
        parse_anthropic(read_anthropic_csv(path), str(path))


def test_missing_column_is_named(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "rating_final"} for r in anthropic_rows()]
    path = write_rows(tmp_path / "cols.csv", rows)
    with pytest.raises(AnthropicFormatError, match=r"missing column\(s\) rating_final; the file"):
        parse_anthropic(read_anthropic_csv(path), str(path))


def test_control_rows_that_do_not_start_on_the_fact_side_are_refused(tmp_path: Path) -> None:
    rows = anthropic_rows()
    for r in rows:
        if r["source"] == "Control":
            r["rating_initial"], r["rating_final"] = "2 - Oppose", "2 - Oppose"
            r["persuasiveness_metric"] = "0"
    path = write_rows(tmp_path / "ctl.csv", rows)
    with pytest.raises(AnthropicFormatError, match=r"control rows start at mean support 2\.00"):
        parse_anthropic(read_anthropic_csv(path), str(path))


def test_existing_study_name_is_refused_and_left_unchanged(
    store: Store, synthetic_csv: Path
) -> None:
    import_anthropic(store, synthetic_csv, "twice")
    before = len(stored(store, "twice")[0])
    with pytest.raises(ValueError, match="a study named 'twice' already exists"):
        import_anthropic(store, synthetic_csv, "twice")
    assert len(stored(store, "twice")[0]) == before


@pytest.mark.postgres
def test_import_on_each_backend(any_store: Store, synthetic_csv: Path) -> None:
    summary = import_anthropic(any_store, synthetic_csv, "both")
    ratings, _, _ = stored(any_store, "both")
    assert len(ratings) == summary.ratings
    assert ratings["exclusion"].eq("").all()


def test_committed_synthetic_file_is_what_the_generator_makes(
    tmp_path: Path, synthetic_csv: Path
) -> None:
    fresh = write_rows(tmp_path / "fresh.csv", anthropic_rows())
    assert fresh.read_bytes() == synthetic_csv.read_bytes()
