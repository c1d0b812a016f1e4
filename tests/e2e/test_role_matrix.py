"""Issue 10, must show 2: who acted, and whether they were allowed.

- Every command of the CLI, found at test time, has a row in the role matrix, and is run as each of the seven
  roles: a role the matrix allows is not refused (exit ≠ 5); a role it does not allow gets exit 5, one line, and
  the event store unchanged apart from one ``CommandRefused`` record, which ``users log`` lists.
- A revisor cannot record anything by any flag or variable; nobody records under another user's name.
- The user register: bootstrap, only an administrator changes users, a disabled user is refused.
- Four-eyes: nobody pays a month they decided; another ekonom may; above the configured amount a second
  person's approval is needed; the payment run skips (and lists) what four-eyes stops.

Figures: a single adult in 2021 has riksnorm 3 160 + common costs for one 1 020 = 4 180 (figures.md); with rent
5 000 the month's aid is 4 180 + 5 000 = 9 180.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import click
import pytest

from bistand_es.application.authorisation import MATRIX, OPEN, ROLE_ORDER, markdown_table
from bistand_es.cli.main import COMMANDS, cli
from bistand_es.domain.vocabulary import ActorRole
from tests.e2e.cli import USERS, Bistand

SIV = "850402-1232"
UNKNOWN_ID = "0b6d3c1e-0000-4000-8000-000000000000"
ROOT = Path(__file__).resolve().parents[2]
#: One test user per role (tests/e2e/cli.py registers them).
USER_OF = {role: next(name for name, r in USERS.items() if r == role.value) for role in ROLE_ORDER}


def command_paths() -> dict[str, click.Command]:
    """Every runnable command of the CLI by its path (``payments run``), read from the CLI itself."""
    found: dict[str, click.Command] = {}
    ctx = click.Context(cli)

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        walk(command, [name])
    return found


PATHS = command_paths()


def arguments_for(command: click.Command, tmp: Path) -> list[str]:
    """Arguments that parse (so that the matrix, not click, answers): every required parameter gets a value."""
    words: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        kind = param.type
        if isinstance(kind, click.Choice):
            value = str(kind.choices[0])
        elif isinstance(kind, click.Path | click.File):
            value = str(tmp / "input.yaml")
        elif isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
            value = "1"
        else:
            value = UNKNOWN_ID
        if isinstance(param, click.Argument):
            words.extend([value] * (param.nargs if param.nargs > 0 else 1))
        else:
            words.extend([param.opts[0], value])
    return words


def stored(home: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(home / "events.sqlite") as db:
        return list(db.execute("SELECT originator_id, originator_version, topic FROM stored_events ORDER BY rowid"))


def one_error(result: click.testing.Result, code: int, text: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert text in lines[0], lines[0]
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Bistand:
    home = tmp_path_factory.mktemp("matrix") / "data"
    runner = Bistand(home)
    runner.register_users()
    (home.parent / "input.yaml").write_text("{}\n", encoding="utf-8")
    return runner


def test_every_command_has_a_row_in_the_matrix() -> None:
    missing = sorted(path for path in PATHS if path not in MATRIX and path not in OPEN)
    assert not missing, f"commands without a row in application/authorisation.py: {missing}"
    ghosts = sorted(path for path in [*MATRIX, *OPEN] if path not in PATHS)
    assert not ghosts, f"rows for commands the CLI does not have: {ghosts}"


@pytest.mark.parametrize("path", sorted(p for p in PATHS if p not in OPEN))
def test_each_role_is_allowed_or_refused_as_the_matrix_says(shared: Bistand, path: str) -> None:
    args = [*path.split(), *arguments_for(PATHS[path], shared.home.parent)]
    for role in ROLE_ORDER:
        user = USER_OF[role]
        before = stored(shared.home)
        result = shared.run(*args, user=user)
        if role in MATRIX[path]:
            assert result.exit_code != 5, f"{user} ({role}) refused {path}: {result.output}"
            continue
        one_error(result, 5, f"a {role.value} may not run bistand {path}")
        after = stored(shared.home)
        assert after[: len(before)] == before and len(after) == len(before) + 1, f"{path} as {role} changed the store"
        assert after[-1][2] == "bistand_es.users:CommandRefused"
        last = shared.json("users", "log", user="rut")[-1]
        assert (last["user"], last["command"]) == (user, path)


@pytest.mark.parametrize("path", sorted(OPEN))
def test_commands_that_touch_no_store_need_no_user(tmp_path: Path, path: str) -> None:
    runner = Bistand(tmp_path / "data", user="nobody-registered", users=False)
    (tmp_path / "input.yaml").write_text("{}\n", encoding="utf-8")
    result = runner.run(*path.split(), *arguments_for(PATHS[path], tmp_path))
    assert result.exit_code != 5, result.output


def test_the_documented_matrix_is_the_one_the_code_enforces() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert markdown_table() in text


# ---------------------------------------------------------------------------------------------- a revisor


def household(cli: Bistand) -> str:
    created = cli.json("household", "register", "--municipality", "1765", "--applicant", SIV, "--on", "2021-02-01")
    return str(created["household_id"])


def store_digest(home: Path) -> str:
    """Every stored byte of every event but the refusal log (households, indexes, the user register)."""
    sha = hashlib.sha256()
    with sqlite3.connect(home / "events.sqlite") as db:
        rows = db.execute("SELECT originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid")
        for oid, version, topic, state in rows:
            if topic != "bistand_es.users:CommandRefused":
                sha.update(f"{oid}\x00{version}\x00{topic}\x00".encode() + bytes(state) + b"\x00")
    return sha.hexdigest()


def test_a_revisor_records_nothing_by_any_flag_or_variable(tmp_path: Path) -> None:
    """Every command a revisor may not run (every write), with every other role by flag and by variable."""
    cli = Bistand(tmp_path / "data")
    hid = household(cli)
    writes = sorted(p for p in PATHS if p not in OPEN and ActorRole.AUDITOR not in MATRIX[p])
    assert {"decide", "pay", "users add", "demo", "run-month", "projections rebuild"} <= set(writes)
    others = [r.value for r in ROLE_ORDER if r is not ActorRole.AUDITOR]
    refusals = 0
    for path in writes:
        options = {o for x in PATHS[path].params for o in getattr(x, "opts", ())}
        attempts: list[tuple[dict[str, str], list[str]]] = [({}, [])]
        attempts += [({"BISTAND_ROLE": role}, []) for role in others]
        if "--actor-role" in options:
            attempts += [({}, ["--actor-role", role]) for role in others]
        if "--actor" in options:  # another user's name, with and without that user's role; and her own name
            attempts += [({}, ["--actor", "anna"]), ({}, ["--actor", "admin", "--actor-role", "administrator"])]
            attempts += [({}, ["--actor", "rut"])]
        args = [*path.split(), *arguments_for(PATHS[path], tmp_path)]
        args = [hid if a == UNKNOWN_ID else a for a in args]
        for env, extra in attempts:
            runner = Bistand(cli.home, user="rut", **env)
            before, count = store_digest(cli.home), len(stored(cli.home))
            result = runner.run(*args, *extra)
            assert result.exit_code == 5, f"{path} {extra} {env}: {result.output}"
            assert store_digest(cli.home) == before, f"{path} {extra} {env} changed the store"
            after = stored(cli.home)
            assert len(after) == count + 1 and after[-1][2] == "bistand_es.users:CommandRefused"
            refusals += 1
    log = cli.json("users", "log", user="rut")
    assert len(log) == refusals and {row["user"] for row in log} == {"rut"}
    assert {row["command"] for row in log} == set(writes)
    # What rut may do: read everything.
    assert cli.ok("history", hid, user="rut").exit_code == 0
    assert cli.ok("household", "show", hid, user="rut").exit_code == 0


def test_nobody_records_under_another_name(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data")
    hid = household(cli)
    result = cli.run("apply", hid, "--month", "2021-03", "--cost", "rent=5000", "--actor", "berit")
    one_error(result, 5, "nobody records under another user's name")
    # Passing one's own name (an old script) still works, and the event says who.
    cli.ok("apply", hid, "--month", "2021-03", "--cost", "rent=5000", "--actor", "anna")
    assert [e["actor"] for e in cli.json("history", hid)] == ["anna", "anna"]
    # A role one lacks is refused: anna (handläggare) cannot claim enhetschef for a raised norm.
    raised = ["decide", hid, "--month", "2021-03", "--raise-norm", "500", "--reason", "x", "--delegat", "enhetschef"]
    one_error(cli.run(*raised, "--actor-role", "enhetschef", "--yes"), 5, "has no role 'enhetschef'")
    log = cli.json("users", "log", user="admin")
    assert [(r["user"], r["role"], r["command"]) for r in log] == [
        ("anna", "", "apply"),
        ("anna", "enhetschef", "decide"),
    ]


# ---------------------------------------------------------------------------------------------- the register


def test_bootstrap_admin_and_disabled_users(tmp_path: Path) -> None:
    home = tmp_path / "data"
    cli = Bistand(home, users=False)
    # An empty store: nothing but the bootstrap, and that refusal is not recorded (there is no register yet).
    one_error(cli.run("household", "list", user="anna"), 5, "no users are registered")
    one_error(cli.run("users", "add", "anna", "--role", "handlaggare", user="anna"), 1, "must be an administrator")
    assert not stored(home)
    cli.ok("users", "add", "kerstin", "--role", "administrator", user="kerstin")
    assert [row["user"] for row in cli.json("users", "log", user="kerstin")] == []
    # Now only an administrator changes users.
    one_error(cli.run("users", "add", "mallory", "--role", "administrator", user="mallory"), 5, "is not registered")
    cli.ok("users", "add", "anna", "--role", "handlaggare", user="kerstin")
    one_error(cli.run("users", "add", "bo", "--role", "handlaggare", user="anna"), 5, "may not run bistand users add")
    one_error(cli.run("users", "grant", "anna", "enhetschef", user="anna"), 5, "may not run bistand users grant")
    one_error(cli.run("users", "add", "anna", "--role", "ekonom", user="kerstin"), 1, "registered already")
    one_error(cli.run("users", "add", "Anna Svensson", "--role", "ekonom", user="kerstin"), 2, "not a user name")
    one_error(cli.run("users", "disable", "kerstin", user="kerstin"), 1, "last administrator")
    cli.ok("household", "list", user="anna")
    cli.ok("users", "disable", "anna", user="kerstin")
    one_error(cli.run("household", "list", user="anna"), 5, "user 'anna' is disabled")
    listed = {row["user"]: row for row in cli.json("users", "list", user="kerstin")}
    assert listed["anna"]["disabled"] is True and listed["kerstin"]["roles"] == "administrator"
    log = cli.json("users", "log", "--format", "json", user="kerstin")
    assert [(r["user"], r["command"]) for r in log] == [
        ("mallory", "users add"),
        ("anna", "users add"),
        ("anna", "users grant"),
        ("anna", "household list"),
    ]


def test_a_user_with_several_roles_chooses_one(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data")
    cli.ok("users", "add", "kim", "--role", "handlaggare", user="admin")
    cli.ok("users", "grant", "kim", "ekonom", user="admin")
    hid = household(cli)
    one_error(cli.run("apply", hid, "--month", "2021-03", user="kim"), 5, "several roles (handlaggare, ekonom)")
    cli.ok("apply", hid, "--month", "2021-03", "--cost", "rent=5000", "--actor-role", "handlaggare", user="kim")
    cli.ok("household", "show", hid, user="kim")  # a read needs no choice
    cli.ok("users", "revoke", "kim", "ekonom", user="admin")
    one_error(cli.run("users", "revoke", "kim", "handlaggare", user="admin"), 1, "only role")


# ---------------------------------------------------------------------------------------------- four-eyes


def decided_month(cli: Bistand, decider: str, *, role: str | None = None) -> str:
    hid = household(cli)
    extra = ["--actor-role", role] if role else []
    cli.ok("apply", hid, "--month", "2021-03", "--cost", "rent=5000", *extra, user=decider)
    cli.ok("decide", hid, "--month", "2021-03", "--yes", *extra, user=decider)  # aid 4 180 + 5 000 = 9 180
    return hid


def test_nobody_pays_a_month_they_decided(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data")
    cli.ok("users", "add", "kim", "--role", "handlaggare", user="admin")
    cli.ok("users", "grant", "kim", "ekonom", user="admin")
    hid = decided_month(cli, "kim", role="handlaggare")
    before = stored(cli.home)
    one_error(
        cli.run("pay", hid, "--month", "2021-03", "--actor-role", "ekonom", user="kim"), 5, "another person must pay"
    )
    after = stored(cli.home)  # the household is unchanged; the refusal is recorded (tests/e2e/test_refusals_logged.py)
    assert after[:-1] == before and after[-1][2] == "bistand_es.users:CommandRefused"
    paid = cli.json("pay", hid, "--month", "2021-03", user="elsa")
    assert paid["events"][0] == "PaymentIssued"
    assert [p["amount"] for p in cli.json("payments", "list", "--household", hid, user="rut")] == ["9180.00"]


def test_the_self_payment_limit_is_configurable(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data")
    cli.ok("users", "add", "kim", "--role", "handlaggare", user="admin")
    cli.ok("users", "grant", "kim", "ekonom", user="admin")
    hid = decided_month(cli, "kim", role="handlaggare")
    (cli.home / "security.yaml").write_text("self_payment_above: 9180\n", encoding="utf-8")
    cli.ok("pay", hid, "--month", "2021-03", "--actor-role", "ekonom", user="kim")  # 9 180 is not above 9 180


def test_a_payment_above_the_amount_needs_a_second_approval(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data", BISTAND_PAYMENT_APPROVAL_ABOVE="5000")
    hid = decided_month(cli, "anna")
    one_error(cli.run("pay", hid, "--month", "2021-03", user="erik"), 5, "needs a second person's approval")
    # Anna decided the month; a handläggare does not approve payments at all.
    one_error(cli.run("payments", "approve", hid, "--month", "2021-03", user="anna"), 5, "may not run")
    one_error(cli.run("payments", "approve", hid, "--month", "2021-03", "--amount", "9180.01", user="erik"), 2, "9180")
    approved = cli.json("payments", "approve", hid, "--month", "2021-03", user="erik")
    assert approved["id"] == "9180.00"  # the month's whole aid, nothing paid yet
    # Erik's own approval does not count for erik; it does for elsa.
    one_error(cli.run("pay", hid, "--month", "2021-03", user="erik"), 5, "approved and unused: 0.00")
    cli.ok("pay", hid, "--month", "2021-03", "--amount", "6000", user="elsa")
    # The approval is used up by what was paid after it: 9 180 − 6 000 = 3 180 left of it, and of the grant.
    household = [e for e in cli.json("history", hid, user="rut") if e["type"].startswith("Payment")]
    assert [(e["type"], e["actor"]) for e in household] == [("PaymentApproved", "erik"), ("PaymentIssued", "elsa")]


def test_an_approval_is_used_up_by_the_payments_after_it(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data", BISTAND_PAYMENT_APPROVAL_ABOVE="1000")
    hid = decided_month(cli, "anna")
    cli.ok("payments", "approve", hid, "--month", "2021-03", "--amount", "6000", user="erik")
    cli.ok("pay", hid, "--month", "2021-03", "--amount", "4000", user="elsa")  # 6 000 − 4 000 = 2 000 left
    one_error(cli.run("pay", hid, "--month", "2021-03", "--amount", "2000.01", user="elsa"), 5, "unused: 2000.00")
    cli.ok("pay", hid, "--month", "2021-03", "--amount", "1000", user="erik")  # 1 000 is not above 1 000
    cli.ok("pay", hid, "--month", "2021-03", "--amount", "1000", user="elsa")  # 2 000 − 1 000 (erik's) = 1 000 left
    one_error(cli.run("pay", hid, "--month", "2021-03", user="elsa"), 5, "unused: 0.00")  # the rest, 3 180


def test_the_payment_run_skips_and_lists_what_four_eyes_stops(tmp_path: Path) -> None:
    cli = Bistand(tmp_path / "data", BISTAND_PAYMENT_APPROVAL_ABOVE="9000")
    stopped = decided_month(cli, "anna")
    other = cli.json(
        "household", "register", "--municipality", "1765", "--applicant", "640823-3234", "--on", "2021-02-01"
    )
    cli.ok("apply", other["household_id"], "--month", "2021-03", "--cost", "rent=1000")
    cli.ok("decide", other["household_id"], "--month", "2021-03", "--yes")  # 4 180 + 1 000 = 5 180
    result = cli.run("payments", "run", "--month", "2021-03", "--on", "2021-03-25", "--json", user="erik")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert (run["count"], run["total"]) == (1, "5180.00")
    assert [(s["household_id"], s["amount"]) for s in run["skipped"]] == [(stopped, "9180.00")]
    assert f"skipped: household {stopped} 9180.00 kr" in result.stderr
    cli.ok("payments", "approve", stopped, "--month", "2021-03", user="elsa")
    again = cli.json("payments", "run", "--month", "2021-03", user="erik")
    assert (again["count"], again["total"], again["skipped"]) == (1, "9180.00", [])


# ---------------------------------------------------------------------------------------------- PostgreSQL


def test_users_refusals_and_four_eyes_on_postgresql(tmp_path: Path) -> None:
    from tests.conftest import postgres_url_or_skip, reset_postgres

    url = postgres_url_or_skip()
    reset_postgres(url)
    cli = Bistand(tmp_path / "data", BISTAND_DATABASE_URL=url)
    hid = decided_month(cli, "anna")
    one_error(cli.run("pay", hid, "--month", "2021-03", "--actor-role", "handlaggare", user="rut"), 5, "no role")
    one_error(cli.run("users", "add", "bo", "--role", "ekonom", user="erik"), 5, "may not run bistand users add")
    log = cli.json("users", "log", user="rut")
    assert [(r["user"], r["role"], r["command"]) for r in log] == [
        ("rut", "handlaggare", "pay"),
        ("erik", "", "users add"),
    ]
    cli.ok("pay", hid, "--month", "2021-03", user="erik")
    assert [p["amount"] for p in cli.json("payments", "list", "--household", hid, user="rut")] == ["9180.00"]
