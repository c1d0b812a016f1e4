"""The role matrix: for every command of the CLI, which roles may run it. One place; docs/security.md shows it.

A command path is the words after ``bistand`` up to the command itself (``decide``, ``payments run``). A path that
is not in :data:`MATRIX` is refused for everyone: a new command must be given its row here (a test runs every
command of the CLI against this table). :data:`OPEN` commands touch no event store (they calculate, list rules
or create empty stores) and need no registered user.

The matrix says who may *run* a command. What the command then records is still checked where its rule lives:
who may decide what, and as which delegat, is the delegation order's (``domain/household/policy.py``: an
``enhetschef`` decision still needs an enhetschef, ``system`` and ``ekonom`` never decide); who may pay a
decision is four-eyes' (``domain/household/approvals.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from bistand_es.domain.errors import NotAuthorised
from bistand_es.domain.vocabulary import ActorRole

H = ActorRole.CASEWORKER
E = ActorRole.UNIT_MANAGER
U = ActorRole.COMMITTEE
F = ActorRole.FINANCE_OFFICER
R = ActorRole.AUDITOR
S = ActorRole.SYSTEM
A = ActorRole.ADMINISTRATOR

#: Every role reads (a revisor reads everything; an administrator and an automated run read too).
READ: Final = frozenset(ActorRole)
#: Case work: the roles of the delegation order (handläggare, enhetschef, utskott).
CASEWORK: Final = frozenset({H, E, U})
#: Money going out: the ekonom (never a role that decides; four-eyes checks the person as well).
PAYING: Final = frozenset({F})
#: Återsökning paperwork: case workers and the ekonom.
CLAIMS: Final = frozenset({H, E, U, F})
#: Turning a read-model pseudonym back into an identity number (and the reverse): case work that must find the
#: person (handläggare, enhetschef), the auditor checking a case (read-only) and the administrator (the
#: statistics export to Socialstyrelsen). Not the utskott, the ekonom or an automated run: they work from the case
#: or from amounts, not from the read model's people (docs/security.md, "Personal data").
RESOLVE: Final = frozenset({H, E, R, A})

#: Commands that touch no event store: anyone may run them, without a registered user.
OPEN: Final = frozenset(
    {
        "calc",
        "rules list",
        "rules show",
        "rules hash",
        "case obstacle-codes",
        "reimburse check",
        "reimburse routine",
        "init",
    }
)

#: command path -> the roles that may run it.
MATRIX: Final[dict[str, frozenset[ActorRole]]] = {
    # Hushåll
    "household register": CASEWORK,
    "household add-member": CASEWORK,
    "household remove-member": CASEWORK,
    "household set-cohabiting": CASEWORK,
    "household external-support": CASEWORK,
    "household stay-start": CASEWORK,
    "household stay-end": CASEWORK,
    "household show": READ,
    "household list": READ,
    "household find": READ,
    # Ansökan, inkomster, beslut
    "apply": CASEWORK,
    "application correct": CASEWORK,
    "application withdraw": CASEWORK,
    "income report": CASEWORK,
    "income correct": CASEWORK,
    "decide": CASEWORK,
    "decision show": READ,
    "decision letter": CASEWORK,  # the letter to the applicant is sent by case work
    # Ärende
    "case obstacle": CASEWORK,
    "case close": CASEWORK,
    # Utbetalning
    "pay": PAYING,
    "payments approve": PAYING,
    "payments cancel": PAYING,
    "payments run": PAYING | {S},
    "run-month": frozenset({S}),  # automated grants and their payments (docs/adr/0025-monthly-run.md)
    "payments list": READ,
    # Återkrav
    "recovery claim": CASEWORK,
    "recovery waive": CASEWORK,
    "recovery court": CASEWORK,
    "recovery plan": CASEWORK,
    "recovery advance-request": CASEWORK,
    "recovery receive": PAYING,
    "recovery advance-refund": PAYING,
    "recovery list": READ,
    "recovery show": READ,
    "recovery candidates": READ,
    # Återsökning
    "person status": CASEWORK,
    "person reception": CASEWORK,
    "person unaccompanied": CASEWORK,
    "person reference": CASEWORK,
    "person resolve": RESOLVE,
    "person pseudonym": RESOLVE,
    # Placeringar (docs/placements.md)
    "placement start": CASEWORK,
    "placement end": CASEWORK,
    "placement payee": CASEWORK,
    "placement list": READ,
    "placement statement": READ,
    "reimburse cost": CLAIMS,
    "reimburse tag": CLAIMS,
    "reimburse file": CLAIMS,
    "reimburse outcome": CLAIMS,
    "reimburse scan": READ,
    # Användare
    "users add": frozenset({A}),
    "users grant": frozenset({A}),
    "users revoke": frozenset({A}),
    "users disable": frozenset({A}),
    "users list": READ,
    "users log": READ,
    # Läsa och granska
    "history": READ,
    "verify": READ,
    "audit verify": READ,
    "audit anchor": READ,
    "sql": READ,
    "report": READ,
    "projections status": READ,
    "projections update": READ,  # derived data only: reports bring the read model up to date anyway
    "projections rebuild": frozenset({A, S}),
    "demo": frozenset({A}),
    # Gallring (12 kap. SoL): the administrator disposes; the plan is read by those who answer for it
    "gallring plan": frozenset({E, R, A}),
    "gallring run": frozenset({A}),  # fills a store with a synthetic municipality (on an empty store: the bootstrap)
}

#: Roles in the order docs/security.md shows them.
ROLE_ORDER: Final = (H, E, U, F, R, S, A)


def roles_for(command: str) -> frozenset[ActorRole]:
    """The roles that may run ``command`` (none for a command without a row)."""
    return MATRIX.get(command, frozenset())


def check_command(command: str, role: str) -> None:
    """Refuse (``NotAuthorised``) unless ``role`` may run ``command``."""
    allowed = roles_for(command)
    if not allowed:
        raise NotAuthorised(f"bistand {command} has no row in the role matrix; nobody may run it")
    if role not in {r.value for r in allowed}:
        names = ", ".join(r.value for r in ROLE_ORDER if r in allowed)
        raise NotAuthorised(f"a {role} may not run bistand {command} (allowed: {names})")


def allowed_role(command: str, roles: Iterable[str]) -> str | None:
    """The first of a user's roles that may run ``command``, or None."""
    allowed = {r.value for r in roles_for(command)}
    return next((role for role in roles if role in allowed), None)


def markdown_table() -> str:
    """The matrix as docs/security.md shows it (a test keeps the two equal)."""
    header = "| command | " + " | ".join(r.value for r in ROLE_ORDER) + " |"
    rule = "|---|" + "---|" * len(ROLE_ORDER)
    rows = [header, rule]
    for command, allowed in MATRIX.items():
        cells = " | ".join("✔" if r in allowed else "" for r in ROLE_ORDER)
        rows.append(f"| `{command}` | {cells} |")
    for command in sorted(OPEN):
        rows.append(f"| `{command}` | " + " | ".join("any" for _ in ROLE_ORDER) + " |")
    return "\n".join(rows)
