"""No command prints a traceback for a fault a user or the environment causes: every command
run with a store that does not exist, a store server that does not answer (the network gone),
a file that is not a store, and a study or data file that is broken says so in one `Error:`
line, exits 1 and creates nothing."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from study.store import open_store
from tests.flows.small_study import write_study

runner = CliRunner()

READ_COMMANDS = [
    ["status", "small"],
    ["analyze", "small", "--out", "rep"],
    ["export", "small", "--out", "ratings.csv"],
    ["plan", "small"],
    ["arguments", "list", "small"],
    ["arguments", "show", "1"],
    ["arguments", "export", "small", "--out", "args.csv"],
    ["field", "open", "small"],
    ["field", "sync", "small"],
    ["field", "close", "small"],
    ["field", "status", "small"],
    ["field", "bonuses", "small"],
    ["update", "STUDY"],
    ["arguments", "review", "small"],
    ["survey", "invites", "small"],
    ["survey", "export", "small", "--out", "s.csv"],
    ["survey", "serve"],
]
WRITE_COMMANDS = [
    ["run", "STUDY"],
    ["generate", "STUDY"],
    ["serve", "FOLDER"],
    ["preregister", "STUDY"],
]
FILE_COMMANDS = [  # each given a study file (or folder, or data file) that does not parse
    ["run", "STUDY"],
    ["run", "STUDY", "--check"],
    ["generate", "STUDY"],
    ["update", "STUDY"],
    ["preregister", "STUDY"],
    ["plan", "STUDY"],
    ["status", "STUDY"],
    ["analyze", "STUDY", "--out", "rep"],
    ["export", "STUDY", "--out", "ratings.csv"],
    ["field", "open", "STUDY"],
    ["field", "sync", "STUDY"],
    ["field", "close", "STUDY"],
    ["field", "status", "STUDY"],
    ["arguments", "import", "STUDY", "humans.csv"],
    ["serve", "FOLDER"],
    ["import", "anthropic", "BROKEN", "--study", "imported"],
]
GONE_SERVER = "postgresql://nobody@127.0.0.1:9/none"


def invoke(args: list[str], folder: Path, db: str) -> tuple[int, str]:
    study = str(write_study(folder))
    args = [study if a == "STUDY" else str(folder) if a == "FOLDER" else a for a in args]
    result = runner.invoke(app, [*args, "--db", db], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.exception,
    )
    return result.exit_code, result.output


def assert_one_error_line(code: int, output: str, *expected: str) -> None:
    lines = output.strip().splitlines()
    assert code == 1, output
    assert "Traceback" not in output, output
    assert lines and lines[-1].startswith("Error: "), output
    for part in expected:
        assert part in lines[-1], output


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_read_commands_name_a_missing_store_and_create_nothing(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke(args, tmp_path / "s", "typo.db")
    assert_one_error_line(code, output, f"no store at {tmp_path / 'typo.db'}", "nothing was")
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize("args", READ_COMMANDS + WRITE_COMMANDS, ids=" ".join)
def test_every_command_with_the_store_server_gone_is_one_error_line(
    args: list[str], tmp_path: Path
) -> None:
    code, output = invoke(args, tmp_path / "s", GONE_SERVER)
    assert_one_error_line(code, output, "127.0.0.1", "server is running")


@pytest.mark.parametrize("args", READ_COMMANDS + WRITE_COMMANDS, ids=" ".join)
@pytest.mark.parametrize(
    ("db", "says"),
    [
        ("study.toml", "names a .toml file, not a store"),
        ("sqlite:/tmp/x.db", "is malformed; use a SQLite file"),
        ("sqlite:///no-such-folder/x.db", "sqlite:////no-such-folder/x.db"),
        ("junk.db", "is not a SQLite store"),
        ("mysql://me@host/db", "is not supported"),
    ],
)
def test_every_command_with_a_bad_store_is_one_error_line(
    args: list[str], db: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "junk.db").write_text("not a database\n")
    code, output = invoke(args, tmp_path / "s", db)
    assert_one_error_line(code, output, says)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db", "s"]


@pytest.mark.parametrize("args", FILE_COMMANDS, ids=" ".join)
def test_every_command_given_a_broken_file_is_one_error_line_naming_it(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(db).dispose()
    study = write_study(tmp_path / "s")
    study.write_text(study.read_text().replace("[participants]", "[participants"))
    broken = tmp_path / "broken.csv"
    broken.write_text("not,the,columns\n1,2,3\n")
    (tmp_path / "humans.csv").write_text("claim,writer,text\n")
    named = {"STUDY": str(study), "FOLDER": str(study.parent), "BROKEN": str(broken)}
    args = [named.get(a, a) for a in args]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, [*args, "--db", db], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    bad = str(broken) if str(broken) in args else str(study)
    assert_one_error_line(result.exit_code, result.output, bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.postgres
def test_a_store_lost_mid_run_is_one_error_and_keeps_what_was_saved(
    postgres_server: str, tmp_path: Path
) -> None:
    import psycopg

    from study.store import StoreError, open_store
    from study.store.repo import log_event
    from tests.support.postgres import create_database

    url = create_database(postgres_server, "lost_mid_run")
    with open_store(url) as store:
        with store.session() as session:
            log_event(session, None, "before.loss")
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'lost_mid_run' AND pid <> pg_backend_pid()"
            )
            conn.execute("ALTER DATABASE lost_mid_run RENAME TO lost_elsewhere")
        with pytest.raises(StoreError) as lost, store.session() as session:
            log_event(session, None, "after.loss")
    message = str(lost.value)
    assert message.startswith("the store postgresql+psycopg://") and "lost_mid_run" in message
    assert "stopped answering" in message and "\n" not in message
    assert message.endswith("run the command again (what was saved is kept)")
    with psycopg.connect(postgres_server.rsplit("/", 1)[0] + "/lost_elsewhere") as conn:
        kinds = [row[0] for row in conn.execute("SELECT kind FROM event ORDER BY id")]
    assert kinds == ["before.loss"]
