"""``leaktrace supply import`` and ``supply rank`` through the real entry point."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.models import TyperInfo

from leaktrace.cli import supply_cmds
from leaktrace.cli.app import app
from leaktrace.supply.flag_rates import FLAG_RATES
from tests.cli.conftest import Run
from tests.supply import market

Write = Callable[..., Path]


@pytest.fixture(autouse=True)
def _supply_registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The lead registers the sub-app in cli/app.py; until then, register it here."""
    if not any(g.name == "supply" for g in app.registered_groups):
        monkeypatch.setattr(
            app,
            "registered_groups",
            [*app.registered_groups, TyperInfo(supply_cmds.app, name="supply")],
        )
    yield


@pytest.fixture
def loaded(run: Run, db_path: Path, tmp_path: Path, write_feed: Write) -> Path:
    catalog = market.write_catalog(tmp_path / "catalog.csv")
    assert run("catalog", "import", str(catalog), "--db", str(db_path)).code == 0
    assert run("ingest", str(write_feed(market.feed_rows())), "--db", str(db_path)).code == 0
    return db_path


def test_import_and_rank_json_contract(run: Run, loaded: Path, tmp_path: Path) -> None:
    shipments = market.write_shipments(tmp_path / "shipments.csv")
    first = run("supply", "import", str(shipments), "--db", str(loaded), "-f", "json")
    assert first.code == 0, first.err
    rows = len(market.shipment_rows())
    assert json.loads(first.out) == {
        "file": str(shipments),
        "rows": rows,
        "added": rows,
        "already_stored": 0,
        "accounts": {"added": 13, "updated": 0, "unchanged": 0},
    }
    again = json.loads(
        run("supply", "import", str(shipments), "--db", str(loaded), "-f", "json").out
    )
    assert (again["added"], again["already_stored"]) == (0, rows)

    result = run("supply", "rank", "--db", str(loaded), "-f", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["model"]["epsilon"] == 0.1 and data["model"]["accounts"] == 13
    assert data["model"]["prior_none"] == 0.9
    assert len(data["leaks"]) == len(market.LEAKED)
    top = data["accounts"][0]
    assert top["account"] == market.LEAKER and top["rank"] == 1
    assert (top["leaks_explained"], top["leaks_counted"]) == (7, 8)
    for key in ("p_a", "log10_lr", "posterior", "chance", "explanation", "distributor"):
        assert key in top
    assert {f["code"] for f in top["flags"]} >= {"recently-opened"}
    assert top["unexplained"][0]["work_id"] == market.work_id(market.LEAKED[-1])

    limited = json.loads(
        run(
            "supply", "rank", "--db", str(loaded), "-f", "json", "--limit", "1", "--epsilon", "0.2"
        ).out
    )
    assert len(limited["accounts"]) == 1 and limited["model"]["epsilon"] == 0.2


def test_rank_table_csv_and_flags(run: Run, loaded: Path, tmp_path: Path) -> None:
    shipments = market.write_shipments(tmp_path / "shipments.csv")
    assert run("supply", "import", str(shipments), "--db", str(loaded)).code == 0
    table = run("supply", "rank", "--db", str(loaded))
    assert table.code == 0, table.err
    assert market.LEAKER in table.out and "log10 LR" in table.out
    assert "1. Account CL-20417 Cobalt Lane Media (retailer, GB" in table.out
    assert "recently-opened" in table.out
    lines = run("supply", "rank", "--db", str(loaded), "-f", "csv").out.splitlines()
    assert lines[0].startswith("rank,account_id,account,distributor")
    assert market.LEAKER in lines[1]
    flags = json.loads(run("supply", "rank", "--db", str(loaded), "--flags-only", "-f", "json").out)
    assert flags[0]["account"] == market.LEAKER
    assert "flags" in run("supply", "rank", "--db", str(loaded), "--flags-only").out


def test_printed_posteriors_are_never_a_false_certainty(
    run: Run, loaded: Path, tmp_path: Path
) -> None:
    """A posterior of 0.99998 is not 1.000, nor 2e-9 a 0.000: tables and CSV say > 0.999
    and < 0.001, as the explanation says 'more than 99.9%' and 'less than 0.1%'."""
    shipments = market.write_shipments(tmp_path / "shipments.csv")
    assert run("supply", "import", str(shipments), "--db", str(loaded)).code == 0
    data = json.loads(run("supply", "rank", "--db", str(loaded), "-f", "json").out)
    exact = {a["account"]: a["posterior"] for a in data["accounts"]}
    rows = run("supply", "rank", "--db", str(loaded), "-f", "csv").out.splitlines()[1:]
    printed = {}
    for line in rows:
        cells = next(csv.reader([line]))
        printed[cells[2]] = cells[12]
    assert printed and set(printed) == set(exact)
    for account, value in exact.items():
        assert printed[account] != "1.000" and printed[account] != "0.000"
        if value > 0.9995:
            assert printed[account] == ">0.999"
        elif value < 0.0005:
            assert printed[account] == "<0.001"
        else:
            assert printed[account] == f"{value:.3f}"
    assert supply_cmds.posterior_text(0.99949) == "0.999"
    assert supply_cmds.posterior_text(0.00051) == "0.001"
    assert supply_cmds.posterior_text(0.0) == "<0.001"  # an underflow: never exactly 0


def test_import_errors_are_one_clear_line(run: Run, loaded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        market.SHIPMENT_COLUMNS + "\n"
        "D,A,retailer,,,film-01,dvd,1,2025-01-02,2025-01-07,\n"
        "D,A,retailer,,,nope,dvd,1,2025-01-02,2025-01-07,\n",
        encoding="utf-8",
    )
    result = run("supply", "import", str(bad), "--db", str(loaded))
    assert result.code == 65
    assert f"{bad}:3, field 'work_id'" in result.err and "not in the catalogue" in result.err
    missing = run("supply", "import", str(tmp_path / "none.csv"), "--db", str(loaded))
    assert missing.code == 65 and "no such file" in missing.err
    assert (
        json.loads(run("supply", "rank", "--db", str(loaded), "-f", "json").out)["accounts"] == []
    )


def test_rank_without_leaks(run: Run, db_path: Path) -> None:
    result = run("supply", "rank", "--db", str(db_path))
    assert result.code == 0 and "nothing to rank" in result.out


def test_flags_print_how_often_they_fire(
    run: Run, loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each flag is printed with its measured rates; one that fires on more than 5% of
    ordinary accounts is context only, never a warning."""
    monkeypatch.setitem(FLAG_RATES, "recently-opened", (0.12, 1.0, 0.0))
    monkeypatch.setitem(FLAG_RATES, "retailer-new-releases-small-orders", (0.01, 0.97, 0.02))
    shipments = market.write_shipments(tmp_path / "shipments.csv")
    assert run("supply", "import", str(shipments), "--db", str(loaded)).code == 0
    table = run("supply", "rank", "--db", str(loaded)).out
    assert (
        f"{market.LEAKER}: warning: retailer-new-releases-small-orders: declared as a "
        "retailer" in table
    )
    assert "fires on 1.0% of ordinary accounts, 97% of leaking new retailers" in table
    assert f"{market.LEAKER}: context only: recently-opened: opened 2024-12-01" in table
    assert "warning: recently-opened" not in table
    assert "fires on 12% of ordinary accounts" in table
    data = json.loads(run("supply", "rank", "--db", str(loaded), "-f", "json").out)
    flags = {f["code"]: f for f in data["accounts"][0]["flags"]}
    assert flags["recently-opened"]["level"] == "context"
    assert flags["recently-opened"]["ordinary_rate"] == 0.12
    assert flags["retailer-new-releases-small-orders"]["level"] == "warning"
    listed = run("supply", "rank", "--db", str(loaded), "--flags-only").out
    assert "context only: recently-opened" in listed


def test_identical_rows_are_two_shipments(run: Run, loaded: Path, tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    row = "D,A,retailer,,,film-01,dvd,1,2025-01-02,2025-01-07,"
    twice.write_text(f"{market.SHIPMENT_COLUMNS}\n{row}\n{row}\n", encoding="utf-8")
    first = json.loads(run("supply", "import", str(twice), "--db", str(loaded), "-f", "json").out)
    assert (first["added"], first["already_stored"]) == (2, 0)
    again = run("supply", "import", str(twice), "--db", str(loaded))
    assert "0 added, 2 already stored" in again.out
