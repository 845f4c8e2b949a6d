"""Report history, and which waves each estimate comes from."""

from pathlib import Path

import pandas as pd

from flows.history import annotate_waves, archive_report, report_history, waves_by_writer


def test_waves_by_writer_uses_kept_ratings_only() -> None:
    ratings = pd.DataFrame(
        {
            "writer": ["a", "a", "b", "b"],
            "wave": [1, 2, 2, 3],
            "exclusion": ["", "", "", "failed_attention_checks"],
        }
    )
    assert waves_by_writer(ratings) == {"a": "1,2", "b": "2"}


def test_annotate_adds_waves_column_once(tmp_path: Path) -> None:
    csv = tmp_path / "estimates.csv"
    pd.DataFrame({"writer": ["a", "b"], "n_ratings": [3, 4]}).to_csv(csv, index=False)
    annotate_waves(csv, {"a": "1", "b": "1,2"})
    annotate_waves(csv, {"a": "9"})  # already there: left alone
    assert pd.read_csv(csv, dtype=str)["waves"].tolist() == ["1", "1,2"]


def test_archive_keeps_every_report_newest_first(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "f.png").write_bytes(b"png")
    for version in ("one", "two"):
        (tmp_path / "report.html").write_text(version)
        (tmp_path / "estimates.csv").write_text("writer\n")
        archive_report(tmp_path, stamp=f"2026010{1 if version == 'one' else 2}T000000Z")
    history = report_history(tmp_path)
    assert [e.html.read_text() for e in history] == ["two", "one"]
    assert (tmp_path / "history" / history[0].stamp / "figures" / "f.png").exists()
    index = (tmp_path / "index.html").read_text()
    assert index.index("20260102T000000Z") < index.index("20260101T000000Z")


def test_an_unchanged_report_is_not_archived_again(tmp_path: Path) -> None:
    from flows.history import archive_report, unchanged_since_last

    (tmp_path / "report.html").write_text("<p>r</p>")
    (tmp_path / "estimates.csv").write_text("writer,n\nhuman,3\n")
    assert unchanged_since_last(tmp_path) is None  # nothing archived yet
    first = archive_report(tmp_path, "20260101T000000000000Z")
    assert unchanged_since_last(tmp_path) == first
    (tmp_path / "estimates.csv").write_text("writer,n\nhuman,4\n")
    assert unchanged_since_last(tmp_path) is None
