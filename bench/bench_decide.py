"""Benchmark: `bistand decide` end to end.

(a) through the application service (load household, build the situation, calculate, record) on a SQLite
file — what a monthly decision run costs per household; (b) the real CLI as a caseworker starts it
(a new process each time, including Python start-up and imports).

    python bench/bench_decide.py [--households 300] [--cli-runs 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bistand_es.application.app import BistandApplication
from bistand_es.application.decisions import DecisionRequest
from bistand_es.domain.household import Household
from bistand_es.domain.month import Month
from bistand_es.domain.records import Actor
from bistand_es.domain.rules.rule_set import load_rule_set
from bistand_es.domain.vocabulary import ActorRole, MemberRole

ACTOR = Actor("bench", "handlaggare")
MONTH = Month(2021, 3)


def seed(app: BistandApplication, households: int) -> list[Household]:
    """Families (sambor + two children) with six months of history, saved in batches."""
    made = []
    for i in range(households):
        h = Household.register(
            actor=ACTOR,
            municipality="1765",
            applicant=f"reserv:A{i:07d}",
            birth_date=date(1984, 3, 3),
            registered_on=date(2020, 6, 1),
        )
        h.add_member(
            actor=ACTOR,
            person=f"reserv:B{i:07d}",
            role=MemberRole.CO_APPLICANT,
            birth_date=date(1986, 4, 4),
            in_school=None,
            effective_on=date(2020, 6, 1),
        )
        h.set_cohabiting(actor=ACTOR, cohabiting=True, effective_on=date(2020, 6, 1))
        for n, born in enumerate((date(2012, 2, 2), date(2017, 9, 9))):
            h.add_member(
                actor=ACTOR,
                person=f"reserv:C{i:07d}{n}",
                role=MemberRole.CHILD,
                birth_date=born,
                in_school=None,
                effective_on=date(2020, 6, 1),
            )
        h.record_external_support(
            actor=ACTOR,
            person=f"reserv:A{i:07d}",
            months=[Month(2020, m) for m in range(8, 13)] + [Month(2021, 1), Month(2021, 2)],
            source="bench",
        )
        h.submit_application(
            actor=ACTOR,
            month=MONTH,
            received_on=date(2021, 2, 20),
            complete_on=None,
            cost_lines=[
                {"kind": "rent", "amount": Decimal("8200.00")},
                {"kind": "electricity", "amount": Decimal("450.00")},
            ],
            first_time=False,
        )
        for kind, amount in (
            ("employment", "9000.00"),
            ("child_allowance", "2500.00"),
            ("housing_allowance", "1800.00"),
        ):
            h.report_income(
                actor=ACTOR,
                member=f"reserv:A{i:07d}",
                kind=kind,
                month=Month(2021, 2),
                amount=Decimal(amount),
                source="external",
            )
        made.append(h)
    for start in range(0, len(made), 200):
        app.save(*made[start : start + 200])
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--cli-runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "data"
        home.mkdir()
        app = BistandApplication(
            env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(home / "events.sqlite")}
        )
        households = seed(app, args.households)
        rules = load_rule_set(None)
        started = time.perf_counter()
        for h in households:
            app.decide(
                h.id,
                DecisionRequest(month=MONTH, actor=ACTOR, delegat=ActorRole.CASEWORKER, decided_on=date(2021, 2, 25)),
                rules,
            )
        elapsed = time.perf_counter() - started
        rate = len(households) / elapsed
        print(
            f"service: {len(households)} decisions in {elapsed:.2f} s = {rate:.0f} decisions/s "
            f"({1000 / rate:.1f} ms each: load + situation + calculate + record)"
        )

        from bistand_es.application.users import add_user, grant_role

        add_user(app, actor=Actor("bench", "administrator"), name="bench", role="administrator")
        grant_role(app, actor=Actor("bench", "administrator"), name="bench", role="handlaggare")
        env = {**os.environ, "BISTAND_HOME": str(home), "BISTAND_USER": "bench", "BISTAND_NO_PROJECTION": "1"}
        env["BISTAND_ROLE"] = "handlaggare"  # the CLI acts in one of the user's own roles (docs/security.md)
        env.pop("BISTAND_DATABASE_URL", None)
        times = []
        for h in households[: args.cli_runs]:
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bistand_es.cli",
                    "decide",
                    str(h.id),
                    "--month",
                    "2021-03",
                    "--dry-run",
                    "--json",
                ],
                env=env,
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bistand_es.cli", "--help"], env=env, check=True, capture_output=True)
        start_up = time.perf_counter() - started
        median = sorted(times)[len(times) // 2]
        print(
            f"CLI: `bistand decide --dry-run` median {median * 1000:.0f} ms per run over {len(times)} runs "
            f"(`bistand --help` alone: {start_up * 1000:.0f} ms; ratio {median / start_up:.1f}x)"
        )


if __name__ == "__main__":
    main()
