"""Every shipped set-up's specs pass on PostgreSQL as on DuckDB (``ruledeck test PROJECT --db postgresql://…``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from ruledeck.cli.main import ruledeck

REPO = Path(__file__).parents[2]
SETUPS = sorted(p.name for p in (REPO / "definitions").iterdir() if (p / "ruledeck.yaml").is_file())


@pytest.mark.parametrize("setup", SETUPS)
def test_shipped_specs_pass_on_postgres(setup, pg_url):
    result = CliRunner().invoke(ruledeck, ["test", str(REPO / "definitions" / setup), "--db", pg_url],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = result.output.splitlines()[-1]
    specs = summary.split(" spec(s)")[0]
    assert summary.startswith(f"{specs} spec(s): {specs} passed, 0 failed, 0 error(s)"), summary
