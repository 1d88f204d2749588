"""board, items, report, show and explain through the CLI, against golden files and parsed JSON/CSV.

Golden files live in tests/fixtures/golden/: a ``title:``, the ``args:`` after
``ruledeck`` (the project and database are added; ``db: no`` for commands
without a database), the expected ``exit:`` code, a ``---`` line, then the
exact standard output. Run with
``RULEDECK_UPDATE_GOLDEN=1`` to rewrite them after an intended change (and
read the diff).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruledeck.cli.main import ruledeck
from ruledeck.engine import Engine, load_project, parse_datetime, read_jsonl

FIXTURES = Path(__file__).parents[1] / "fixtures"
PROJECT = FIXTURES / "query_project"
GOLDEN = FIXTURES / "golden"
CLOCK = "2026-03-15T12:00"


@dataclass
class GoldenCase:
    """One golden file: a command and its exact output."""

    path: Path
    title: str
    args: list[str]
    exit: int
    expected: str
    db: bool = True


def golden_cases(folder: Path = GOLDEN) -> list[GoldenCase]:
    """Every golden file below ``folder``, in name order."""
    cases = []
    for path in sorted(folder.glob("*.txt")):
        head, _, expected = path.read_text(encoding="utf-8").partition("\n---\n")
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        cases.append(GoldenCase(path, fields["title"], shlex.split(fields["args"]), int(fields.get("exit", 0)),
                                expected, fields.get("db", "yes") != "no"))
    return cases


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("cli-query") / "query.duckdb"
    project = load_project(PROJECT)
    with Engine.open(project, str(path)) as engine, open(PROJECT / "events.jsonl", encoding="utf-8") as stream:
        assert not engine.ingest(read_jsonl(stream)).rejected
        engine.tick(parse_datetime(CLOCK, project.timezone))
    return str(path)


def run(db: str | None, *args: str):
    database = ["--db", db] if db else []
    return CliRunner().invoke(ruledeck, [*args, "-p", str(PROJECT), *database], catch_exceptions=False)


@pytest.mark.parametrize("case", golden_cases(), ids=lambda c: c.path.stem)
def test_golden(db, case: GoldenCase):
    result = run(db if case.db else None, *case.args)
    if os.environ.get("RULEDECK_UPDATE_GOLDEN"):
        head = case.path.read_text(encoding="utf-8").partition("\n---\n")[0]
        case.path.write_text(f"{head}\n---\n{result.stdout}", encoding="utf-8")
        return
    assert (result.exit_code, result.stdout) == (case.exit, case.expected), case.title


def test_golden_files_have_titles():
    cases = golden_cases()
    assert len(cases) >= 10
    assert all(c.title and c.args for c in cases)


# -- machine-readable forms ------------------------------------------------------------------
def test_board_json_has_columns_counts_totals_and_more(db):
    data = json.loads(run(db, "board", "orders", "--limit", "2", "--format", "json").stdout)
    assert [c["stage"] for c in data["columns"]] == ["new", "in_work", "paused", "shipped", "lost"]
    new = data["columns"][0]
    assert (new["count"], new["more"], len(new["cards"])) == (3, 1, 2)
    assert new["totals"] == {"amount": "250.00", "balance": "250.00", "due_on": "2026-04-01"}
    assert new["cards"][0]["fields"]["client"] == '<b>Bold & "quoted"</b>'
    assert data["total"] == sum(c["count"] for c in data["columns"]) == 7


def test_board_csv_rows_are_the_cards_shown(db):
    text = run(db, "board", "orders", "--limit", "1", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["stage"], r["id"]) for r in rows] == [("new", "7"), ("paused", "2"), ("shipped", "1"), ("lost", "6")]
    assert rows[2]["tags"] == "vip;опт"


def test_items_json_includes_computed_and_rollup_fields(db):
    rows = json.loads(run(db, "items", "order", "--format", "json", "--where", "number = 'A-1'").stdout)
    assert len(rows) == 1
    assert (rows[0]["paid"], rows[0]["balance"], rows[0]["tags"]) == ("1500.00", "0.00", ["vip", "опт"])


def test_items_csv_sorted_descending_and_limited(db):
    text = run(db, "items", "order", "--fields", "number,amount", "--sort", "-amount", "--limit", "2",
               "--format", "csv").stdout
    assert list(csv.reader(io.StringIO(text))) == [["number", "amount"], ["A-1", "1500.00"], ["A-4", "700.00"]]


def test_report_json_rows(db):
    rows = json.loads(run(db, "report", "orders_by_stage", "--format", "json").stdout)
    assert {r["stage"]: r["orders"] for r in rows} == {"lost": 2, "new": 3, "paused": 1, "shipped": 1}


def test_show_and_explain_json(db):
    card = json.loads(run(db, "show", "order:A-2", "--format", "json").stdout)
    assert card["values"]["stage"] == "paused" and card["values"]["held_from"] == "in_work"
    assert [e["kind"] for e in card["timeline"]][:1] == ["created"]
    why = json.loads(run(db, "explain", "order:A-1", "--format", "json").stdout)
    first_payment = next(e for e in why["events"] if e["id"] == "e06")
    ship = next(r for r in first_payment["rules"] if r["rule"] == "ship_when_paid")
    assert not ship["fired"]
    then, now = ship["verdicts"]
    assert (then["basis"], then["result"], then["seen"]["balance"], then["seen"]["stage"]) == \
        ("then", False, "500.00", "in_work")
    assert (now["basis"], now["result"], now["seen"]["stage"]) == ("now", False, "shipped")


# -- html ----------------------------------------------------------------------------------
def test_board_html_is_self_contained_and_escaped(db):
    page = run(db, "board", "orders", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "&lt;b&gt;Bold &amp; &quot;quoted&quot;&lt;/b&gt;" in page
    assert "<b>" not in page
    assert not re.search(r"<(script|link|img)\b|https?://", page)


# -- layout -----------------------------------------------------------------------------------
def _separator_columns(line: str) -> list[int]:
    from ruledeck.cli.textwidth import width

    return [width(line[:i]) for i, ch in enumerate(line) if ch in "│┼"]


@pytest.mark.parametrize("cells", [40, 80, 120, 160])
def test_board_columns_line_up_in_display_cells(db, cells):
    from ruledeck.cli.textwidth import width

    lines = run(db, "board", "orders", "--width", str(cells)).stdout.splitlines()[1:]
    # Every band has columns of one width, so each line's │ must sit where the widest rule line has its ┼.
    rule = max((_separator_columns(line) for line in lines if line.startswith("─")), key=len)
    for line in lines:
        assert width(line) <= cells, line
        found = _separator_columns(line)
        assert found == rule[:len(found)], line


# -- errors --------------------------------------------------------------------------------
def test_bad_where_is_a_usage_error_with_a_caret(db):
    result = run(db, "board", "orders", "--where", "stage = 'new' and amout > 1")
    assert result.exit_code == 2
    assert result.stderr == ("Error: --where: unknown field 'amout' (did you mean 'amount'?)\n"
                             "  stage = 'new' and amout > 1\n"
                             "                    ^\n")


def test_unknown_board_names_the_choices(db):
    result = run(db, "board", "ordres")
    assert result.exit_code == 2
    assert result.stderr == ("Error: no board or process 'ordres' (did you mean 'orders'?); boards: orders, "
                             "open_orders; processes: order, payment\n")


def test_as_of_in_the_future_is_refused(db):
    result = run(db, "board", "orders", "--as-of", "2027-01-01")
    assert result.exit_code == 2
    assert "only the past is in the journal" in result.stderr


def test_report_needs_a_name_or_list(db):
    result = run(db, "report")
    assert (result.exit_code, result.stderr) == (2, "Error: give a REPORT name, or --list to see them\n")


def test_unknown_item(db):
    result = run(db, "show", "999")
    assert (result.exit_code, result.stderr) == (2, "Error: there is no item 999\n")
    result = run(db, "explain", "order:Z-9")
    assert (result.exit_code, result.stderr) == (2, "Error: no 'order' item with number = 'Z-9'\n")
