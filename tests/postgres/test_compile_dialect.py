"""``ruledeck compile --dialect postgres``: the statements as PostgreSQL is given them (no server needed)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from ruledeck.cli.main import ruledeck

PROSTHESIS = str(Path(__file__).parents[2] / "definitions" / "prosthesis_followup")


def _compile(*args: str) -> list[str]:
    result = CliRunner().invoke(ruledeck, ["compile", *args, "-p", PROSTHESIS], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_compile_for_postgres_shows_numbered_parameters_and_the_rewrites():
    lines = _compile("restage_monthly", "--dialect", "postgres")
    assert lines[:5] == [
        "-- rule restage_monthly (cron: 0 6 1 * *, process feedback): 10 statement(s)",
        "-- [restage_monthly]",
        "DROP TABLE IF EXISTS rd_now;",
        "CREATE TEMPORARY TABLE rd_now AS SELECT CAST($1 AS TIMESTAMPTZ) AS now_at, CAST($2 AS TEXT) AS actor, "
        "CAST($3 AS TEXT[]) AS actor_roles;",
        "SELECT set_config('ruledeck.rd_now_at', CAST(CAST($1 AS TIMESTAMPTZ) AS TEXT), false);",
    ]
    assert not any("getvariable" in line or "?" in line for line in lines)


def test_compile_keeps_duckdb_by_default_and_lays_postgres_out_with_pretty():
    assert _compile("restage_monthly")[2].startswith("CREATE OR REPLACE TEMP TABLE rd_now AS SELECT CAST(? AS ")
    pretty = _compile("restage_monthly", "--dialect", "postgres", "--pretty")
    assert pretty[2:4] == ["DROP TABLE IF EXISTS rd_now;", "CREATE TEMPORARY TABLE rd_now AS"]
