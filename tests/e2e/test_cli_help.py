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
