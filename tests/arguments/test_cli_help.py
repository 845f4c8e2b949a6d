"""Every generation command has help with an example."""

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_generation_commands_have_examples() -> None:
    top = runner.invoke(app, ["--help"])
    assert "generate" in top.output and "arguments" in top.output
    for command in (
        ["generate"],
        ["arguments", "import"],
        ["arguments", "list"],
        ["arguments", "show"],
        ["arguments", "export"],
    ):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Example: persuasion" in result.output, command
