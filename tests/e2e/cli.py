"""Run the real `bistand` CLI in-process against a data directory (no mocks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from bistand_es.cli.main import cli


class Bistand:
    def __init__(self, home: Path, user: str = "anna", **env: str) -> None:
        self.home = home
        self.env = {
            "BISTAND_HOME": str(home),
            "BISTAND_USER": user,
            "BISTAND_ROLE": "handlaggare",
            "BISTAND_DATABASE_URL": "",
            "BISTAND_NO_PROJECTION": "1",
            **env,
        }
        self.runner = CliRunner()

    def run(self, *args: str, user: str | None = None, input: str | None = None) -> Result:
        env = dict(self.env)
        if user:
            env["BISTAND_USER"] = user
        return self.runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    def ok(self, *args: str, user: str | None = None) -> Result:
        result = self.run(*args, user=user)
        assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    def json(self, *args: str, user: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", user=user).stdout)
