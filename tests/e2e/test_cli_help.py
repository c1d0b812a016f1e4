"""Every command and subcommand has --help with an example (the CLI teaches itself)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from bistand_es.cli.main import COMMANDS, cli


def all_commands() -> list[list[str]]:
    found: list[list[str]] = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, f"{name} is listed but cannot be loaded"
        if isinstance(command, click.Group):
            found.extend([name, sub] for sub in command.list_commands(ctx))
        found.append([name])
    return found


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_help_has_an_example(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example" in result.output, f"bistand {' '.join(path)} --help has no example"


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"], catch_exceptions=False)
    for name in COMMANDS:
        assert f"  {name} " in result.output


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_help_examples_name_commands_that_exist(path: list[str]) -> None:
    """Every `bistand …` line in a help text runs a real command with options it has (no advertised ghosts)."""
    import re
    import shlex

    text = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False).output
    joined = re.sub(r"\\\n\s*", " ", text)
    for raw in joined.splitlines():
        line = raw.strip()
        if not line.startswith("bistand "):
            continue
        words = shlex.split(line.split(" > ")[0].split(" | ")[0])[1:]
        ctx = click.Context(cli)
        command: click.Command | None = cli
        consumed: list[str] = []
        while isinstance(command, click.Group) and words and not words[0].startswith("-"):
            command = command.get_command(ctx, words[0])
            assert command is not None, f"help of {' '.join(path)}: `{line}` names no command"
            consumed.append(words.pop(0))
        assert command is not None
        options = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | {"--help"}
        for word in words:
            if word.startswith("--"):
                name = word.split("=")[0]
                assert name in options, f"help of {' '.join(path)}: `{line}` uses {name}, which {consumed} lacks"
