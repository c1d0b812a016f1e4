"""Placements through the CLI: events, the minor-without-placement refusal, a decided HVB month and its statement.

Figures by hand (as in goteborg_hvb.yaml): riksnorm items 2023 for 15–18 år 850 + 1 030 + 360 + 150 = 2 390,
telefon 180 → 2 570; the child is an asylum seeker from 2023-01-05: LMA 31 × 24 = 744 in March; fickpeng 400;
aid 2 570 − 744 − 400 = 1 426 kr.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Bistand, on_backend

CHILD = "20070501-1237"  # 15 in March 2023
GOTEBORG = "1480"


@pytest.fixture(params=["sqlite", "postgres"])
def cli(request: pytest.FixtureRequest, tmp_path: Path) -> Bistand:
    return on_backend(request.param, tmp_path / "data")


def refused(cli: Bistand, text: str, *args: str) -> None:
    cli.refused(text, *args)


def test_a_placed_child_at_an_hvb_from_refusal_to_payment(cli: Bistand) -> None:
    hid = cli.json("household", "register", "--municipality", GOTEBORG, "--applicant", CHILD, "--on", "2023-01-05")[
        "household_id"
    ]
    cli.ok("apply", hid, "--month", "2023-03", "--received", "2023-03-01")
    # A 15-year-old applying alone without a placement: refused, pointing to the placement.
    refused(cli, "record the placement by social services first", "decide", hid, "--month", "2023-03", "--dry-run")
    # Until 18 the money goes to a god man or a särskilt förordnad vårdnadshavare.
    start = ("placement", "start", hid, "--person", CHILD, "--kind", "hvb", "--from", "2023-01-10",
             "--unit", "SDF Centrum, barn och unga", "--home", "HVB Solrosen")  # fmt: skip
    refused(cli, "through a god man", *start, "--payee", "youth")
    refused(cli, "--payee-name", *start, "--payee", "god_man")
    placed = cli.json(*start, "--payee", "god_man", "--payee-name", "Anna Berg", "--pocket-money", "400")
    assert placed["events"] == ["PlacementStarted"]
    if not cli.env["BISTAND_DATABASE_URL"]:  # the home (a familjehem bears a family's name) and the god man are sealed
        raw = b"".join(p.read_bytes() for p in cli.home.iterdir() if p.name.startswith("events.sqlite"))
        assert b"HVB Solrosen" not in raw and b"Anna Berg" not in raw
    refused(cli, "already has a placement", *start, "--payee", "god_man", "--payee-name", "Anna Berg")
    cli.ok("person", "status", hid, "--person", CHILD, "--status", "asylum_seeker", "--from", "2023-01-05")

    listed = cli.json("placement", "list", hid)
    assert [(p["kind"], p["from"], p["payee"], p["pocket_money"]) for p in listed] == [
        ("hvb", "2023-01-10", "god man Anna Berg", "400.00")
    ]
    # Under the national profile (forced) a placed child's month is refused, not given the adult norm.
    refused(cli, "--profile goteborg", "decide", hid, "--month", "2023-03", "--profile", "national", "--dry-run")

    dry = cli.json("decide", hid, "--month", "2023-03", "--dry-run")  # kommunkod 1480 selects goteborg
    calc = dry["calculation"]
    assert (calc["norm_total"], calc["income_counted"], calc["aid"]) == ("2570.00", "1144.00", "1426.00")
    assert calc["placement"]["period"] == {"from": "2023-03-01", "to": "2023-03-31"}
    assert len(calc["placement"]["reductions"]) == 2  # fickpeng 400, LMA 744

    cli.ok("decide", hid, "--month", "2023-03", "--yes")
    statement = cli.json("placement", "statement", hid, "--month", "2023-03")
    assert (statement["aid"], statement["period_from"], statement["period_to"], statement["payee"]) == (
        "1426.00", "2023-03-01", "2023-03-31", "god man Anna Berg"
    )  # fmt: skip
    assert any("LMA dagersättning" in r and "744.00" in r for r in statement["reductions"])
    assert any("fickpengar" in r and "400.00" in r for r in statement["reductions"])

    verified = cli.run("verify", hid)
    assert verified.exit_code == 0, verified.output
    assert "reproduced" in verified.stdout

    # The placement ends; April is then an ordinary month of a child alone: refused again.
    pid = placed["id"]
    cli.ok("placement", "end", hid, "--placement", pid[:8], "--on", "2023-03-31", "--reason", "flyttat till familjehem")
    cli.ok("apply", hid, "--month", "2023-04", "--received", "2023-04-01")
    refused(cli, "a child applying alone", "decide", hid, "--month", "2023-04", "--dry-run")
