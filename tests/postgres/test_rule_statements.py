"""Every rule's statements, fired on a sample, run on PostgreSQL as on DuckDB (what ``ruledeck compile`` shows).

This is the check that no DuckDB-only statement is left unrendered: each of the
roughly 4,000 statements of the five shipped set-ups is executed by the server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruledeck.engine import cached_project
from ruledeck.engine.runtime.statements import rule_statements

REPO = Path(__file__).parents[2]
SETUPS = sorted(p.name for p in (REPO / "definitions").iterdir() if (p / "ruledeck.yaml").is_file())


@pytest.mark.parametrize("setup", SETUPS)
def test_every_rule_runs_the_same_statements_on_postgres(setup, pg_url):
    project = cached_project(REPO / "definitions" / setup)
    on_duckdb = rule_statements(project)
    on_postgres = rule_statements(project, database=pg_url)
    assert [(r.rule, r.stopped) for r in on_postgres] == [(r.rule, r.stopped) for r in on_duckdb]
    assert [r.statements for r in on_postgres] == [r.statements for r in on_duckdb]
