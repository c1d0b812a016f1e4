"""The refresh after a write looks at the marked persons' own households, and agrees with the whole-store view.

After one command the projector recomputes the jobbstimulans windows of the few persons it marked from their
households' decisions (``projector._SUPPORT_MONTHS_OF``) instead of the ``support_months`` view, which decides
every household's latest decisions before it filters. Both must give the same received months for any persons.

The sample history (scenario.sample, worked by hand there): household A's A1 and A3 received 2021-01..2021-07 and
A2 2021-01..2021-06 (removed 2021-06-15; the amended 2021-03 decision still names A2); household B's B1 was refused
2021-01 and received 2021-02 only.
"""

from __future__ import annotations

from pathlib import Path

from bistand_es.projections.projector import _SUPPORT_MONTHS_OF, catch_up
from bistand_es.projections.store import ReadModelStore
from tests.integration.projections.scenario import alias, sample, sqlite_app


def test_the_marked_persons_months_equal_the_views(tmp_path: Path) -> None:
    app, settings = sqlite_app(tmp_path / "home")
    sample(app)
    catch_up(app, settings)
    a1, a2, a3, b1 = (alias(app, person) for person in ("A1", "A2", "A3", "B1"))
    con = ReadModelStore(settings.reports_path).connect_reader()
    try:
        for persons in ([a1], [a2], [b1], [a1, a2, a3, b1], ["P-0000000000000000"]):
            view = con.execute(
                "SELECT person, month FROM support_months WHERE received AND person IN (SELECT unnest(?)) "
                "ORDER BY person, month",
                [persons],
            ).fetchall()
            assert con.execute(_SUPPORT_MONTHS_OF, [persons]).fetchall() == view
        months = [m for _, m in con.execute(_SUPPORT_MONTHS_OF, [[a2, b1]]).fetchall()]
    finally:
        con.close()
    # by hand: A2 seven months minus July (not in July's decision) = 2021-01..06; B1 only 2021-02 (January refused)
    assert sorted(months) == sorted([f"2021-0{m}" for m in range(1, 7)] + ["2021-02"])
