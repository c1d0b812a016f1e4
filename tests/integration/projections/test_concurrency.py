"""Must-show 3: readers work while the projector runs in another process; a second writer is refused clearly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bistand_es.application.config import Settings
from bistand_es.cli.main import cli
from bistand_es.domain.vocabulary import MemberRole
from bistand_es.projections.errors import PROJECTOR_BUSY_MESSAGE, ProjectorBusy
from bistand_es.projections.projector import catch_up
from tests.e2e.cli import register_users

from .scenario import add_member, register, sqlite_app

HOLD_WRITE_CONNECTION = """
import sys, time
from pathlib import Path
from bistand_es.projections.store import ReadModelStore
store = ReadModelStore(Path(sys.argv[1]))
with store.writer_lock():
    con = store.connect_writer()
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    print("released", flush=True)
"""


def start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_second_writer_is_refused_and_a_reader_waits_out_the_write_connection(tmp_path: Path) -> None:
    app, settings = sqlite_app(tmp_path)
    register_users(tmp_path)
    hid = register(app, "A1")
    projected = catch_up(app, settings).position
    add_member(app, hid, "A2", MemberRole.CO_APPLICANT)  # something new, so catch_up must write

    holder = start(["-c", HOLD_WRITE_CONNECTION, str(settings.reports_path), "1.5"])
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(ProjectorBusy, match=r"^the projector is running"):
            catch_up(app, settings, skip_if_busy=False)
        skipped = catch_up(app, settings)  # after a write command: never fails
        assert skipped.note == f"skipped: {PROJECTOR_BUSY_MESSAGE}" and skipped.lag == app.max_position() - projected

        runner = CliRunner()
        env = {"BISTAND_HOME": str(tmp_path), "BISTAND_USER": "anna"}
        second = runner.invoke(cli, ["projections", "update"], env=env)
        assert second.exit_code == 7
        assert second.output.strip() == f"error: {PROJECTOR_BUSY_MESSAGE}"

        started = time.monotonic()
        read = runner.invoke(cli, ["sql", "SELECT count(*) AS n FROM households", "--format", "csv"], env=env)
        assert read.exit_code == 0, read.output
        assert read.stdout.strip().splitlines()[-2:] == ["n", "1"]  # as projected before the holder came
        assert time.monotonic() - started < 10
    finally:
        holder.wait(timeout=20)
    assert holder.returncode == 0


def test_readers_work_while_the_projector_follows_the_store(tmp_path: Path) -> None:
    app, _ = sqlite_app(tmp_path)
    register_users(tmp_path)
    register(app, "A1")
    env = {"BISTAND_HOME": str(tmp_path), "BISTAND_USER": "admin"}  # rebuilding is the administrator's
    watcher = subprocess.Popen(
        [sys.executable, "-c", "from bistand_es.cli.main import main; main()",
         "projections", "update", "--watch", "--interval", "0.2", "--max-seconds", "6"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **env},
    )  # fmt: skip
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().startswith(f"position {app.max_position()} ")
        runner = CliRunner()
        busy = runner.invoke(cli, ["projections", "rebuild"], env=env)
        assert busy.exit_code == 7 and PROJECTOR_BUSY_MESSAGE in busy.output
        for number in range(2, 6):
            register(app, f"A{number}")
            deadline = time.monotonic() + 5
            while True:
                result = runner.invoke(cli, ["sql", "SELECT count(*) FROM households", "--csv", "--wait", "5"], env=env)
                assert result.exit_code == 0, result.output
                if result.stdout.strip().splitlines()[-1] == str(number):
                    break
                assert time.monotonic() < deadline, "the watcher did not project the new household"
                time.sleep(0.1)
    finally:
        watcher.wait(timeout=30)
    assert watcher.returncode == 0, watcher.stderr.read() if watcher.stderr else ""
    assert Settings(home=tmp_path).reports_path.exists()
