"""The same commands give the same output on PostgreSQL as on DuckDB (a shipped set-up and its sample events)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruledeck.cli.main import ruledeck

REPO = Path(__file__).parents[2]


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(ruledeck, list(args), catch_exceptions=False)

    return invoke


def _project(tmp_path: Path, name: str) -> str:
    return str(shutil.copytree(REPO / "definitions" / name, tmp_path / name,
                               ignore=shutil.ignore_patterns("documents", "*.duckdb*")))


COMPLAINTS_STEPS = (
    ("ingest", str(REPO / "samples" / "complaints" / "events.jsonl")),
    ("tick", "--to", "2026-09-01 12:00"),
    ("clock",),
    ("board", "complaints"),
    ("board", "remediation_steps"),
    ("items", "complaint"),
    ("tasks", "--all"),
    ("show", "complaint:CLM-2026-00001"),
    ("explain", "complaint:CLM-2026-00001"),
    ("explain", "complaint:CLM-2026-00002"),
    ("outbox",),
    ("documents",),
    ("rejected",),
    ("plan",),
)


FOLLOWUP_STEPS = (
    ("ingest", str(REPO / "samples" / "prosthesis_followup" / "events.jsonl")),
    ("tick", "--to", "2027-02-01 12:00"),
    ("board", "feedback_calls"),
    ("items", "feedback", "--where", "serial_number = 'MN-26-0107'", "--fields", "period_label,planned_at,stage"),
    ("explain", "incident:INC-2026-0001"),
    ("show", "1"),
    ("tasks", "--all"),
    ("verify",),
)


def _outputs(cli, project: str, db: str, steps) -> list[tuple[str, int, str]]:
    """Each step's command, exit code and output (the project's folder, which differs, as PROJECT)."""
    return [(" ".join(step), (result := cli(*step, "-p", project, "--db", db)).exit_code,
             result.output.replace(project, "PROJECT")) for step in steps]


def test_complaints_read_the_same_on_both_backends(cli, tmp_path, pg_url):
    duck = _outputs(cli, _project(tmp_path / "a", "complaints"), str(tmp_path / "c.duckdb"), COMPLAINTS_STEPS)

    pg = _outputs(cli, _project(tmp_path / "b", "complaints"), pg_url, COMPLAINTS_STEPS)
    assert duck[0] == ("ingest " + COMPLAINTS_STEPS[0][1], 0, "24 accepted, 0 duplicate, 0 rejected\n")
    for on_duckdb, on_postgres in zip(duck, pg, strict=True):
        assert on_postgres == on_duckdb


def test_prosthesis_followup_reads_the_same_on_both_backends(cli, tmp_path, pg_url):
    """Period tables, monthly re-staging by cron, holds and resumes that shift planned dates."""
    duck = _outputs(cli, _project(tmp_path / "a", "prosthesis_followup"), str(tmp_path / "p.duckdb"), FOLLOWUP_STEPS)
    pg = _outputs(cli, _project(tmp_path / "b", "prosthesis_followup"), pg_url, FOLLOWUP_STEPS)
    assert duck[1][1:] == (0, duck[1][2]) and "restage_monthly ×4, call_day_reminder ×1" in duck[1][2]
    for on_duckdb, on_postgres in zip(duck, pg, strict=True):
        assert on_postgres == on_duckdb


MEDICAL_STEPS = (
    ("ingest", str(REPO / "samples" / "medical_orders" / "events.jsonl")),
    ("tick", "--to", "2026-12-01 12:00"),
    ("board", "deals"),
    ("show", "1"),
    ("explain", "1"),
    ("report",),
)


def test_medical_orders_computed_amounts_read_the_same_on_both_backends(cli, tmp_path, pg_url):
    """round(amount * percent / 100, 2) is a double on both: the journal keeps the same text of it."""
    duck = _outputs(cli, _project(tmp_path / "a", "medical_orders"), str(tmp_path / "m.duckdb"), MEDICAL_STEPS)
    pg = _outputs(cli, _project(tmp_path / "b", "medical_orders"), pg_url, MEDICAL_STEPS)
    assert "prepayment_amount = 3811750.0" in duck[3][2]
    for on_duckdb, on_postgres in zip(duck, pg, strict=True):
        assert on_postgres == on_duckdb


BOARDS = {
    "service_requests": ("service", "devices", "maintenance_plan", "inbox"),
    "bpm_patterns": ("leads", "sales", "tenders", "contracts", "planned_payments", "support_cases"),
}


@pytest.mark.parametrize("setup", sorted(BOARDS))
def test_every_board_reads_the_same_on_both_backends(cli, tmp_path, pg_url, setup):
    steps = (("ingest", str(REPO / "samples" / setup / "events.jsonl")), ("tick", "--to", "2026-12-01 12:00"),
             *(("board", name) for name in BOARDS[setup]), ("tasks", "--all"), ("show", "1"), ("explain", "1"))
    duck = _outputs(cli, _project(tmp_path / "a", setup), str(tmp_path / "s.duckdb"), steps)
    pg = _outputs(cli, _project(tmp_path / "b", setup), pg_url, steps)
    for on_duckdb, on_postgres in zip(duck, pg, strict=True):
        assert on_postgres == on_duckdb


def test_a_database_that_cannot_be_reached_is_a_clear_error(cli, tmp_path, postgres_server):
    project = _project(tmp_path, "complaints")
    result = cli("clock", "-p", project, "--db", f"postgresql://nobody:secret@/nowhere?host={postgres_server}")
    assert result.exit_code == 2
    assert result.output.startswith("Error: cannot open the database postgresql://nobody:***@/nowhere")
    assert "secret" not in result.output


def test_verify_dry_run_and_preview_on_postgres(cli, tmp_path, pg_url):
    project = _project(tmp_path, "complaints")
    events = str(REPO / "samples" / "complaints" / "events.jsonl")
    dry = cli("ingest", events, "-p", project, "--db", pg_url, "--dry-run")
    assert (dry.exit_code, dry.output.splitlines()[-1]) == (
        0, "24 accepted, 0 duplicate, 0 rejected (would be applied)")
    assert cli("clock", "-p", project, "--db", pg_url).output.startswith("clock: not started")
    assert cli("ingest", events, "-p", project, "--db", pg_url).exit_code == 0
    assert cli("tick", "--to", "2026-09-01 12:00", "-p", project, "--db", pg_url).exit_code == 0
    verified = cli("verify", "-p", project, "--db", pg_url)
    assert (verified.exit_code, verified.output) == (
        0, "verified: 24 event(s) and 1 command(s) replayed; 8 tables match\n")
    preview = cli("preview", "--to", "2027-09-01 12:00", "-p", project, "--db", pg_url)
    assert (preview.exit_code, preview.output) == (0, "nothing would fire\n")


def test_ruledeck_database_names_the_database(tmp_path, pg_url):
    project = _project(tmp_path, "complaints")
    runner = CliRunner(env={"RULEDECK_DATABASE": pg_url})
    events = str(REPO / "samples" / "complaints" / "events.jsonl")
    assert runner.invoke(ruledeck, ["ingest", events, "-p", project]).output == (
        "24 accepted, 0 duplicate, 0 rejected\n")
    clock = CliRunner().invoke(ruledeck, ["clock", "-p", project, "--db", pg_url])
    assert clock.output.startswith("clock: 2026-03-26T12:00:00+03:00")
    assert not (Path(project) / "ruledeck.duckdb").exists()


def test_specs_run_on_postgres_each_in_its_own_schema(cli, tmp_path, pg_url):
    import psycopg

    result = cli("test", str(REPO / "definitions" / "complaints"), "--db", pg_url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "4 spec(s): 4 passed, 0 failed, 0 error(s); 216 expectations: 216 passed, 0 failed, 0 xfailed, 0 xpassed")
    with psycopg.connect(pg_url) as con:  # every spec's schema is gone
        assert con.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rd\\_%'").fetchone() == (0,)


def test_specs_take_only_a_postgresql_url(cli, tmp_path):
    result = cli("test", str(REPO / "definitions" / "complaints"), "--db", str(tmp_path / "x.duckdb"))
    assert result.exit_code == 2
    assert "--db takes a postgresql:// URL" in result.output


def test_one_writer_at_a_time_while_readers_read(cli, tmp_path, pg_url):
    import psycopg
    from ruledeck.engine.store.postgres.connection import WRITER_LOCK

    project = _project(tmp_path, "complaints")
    assert cli("ingest", str(REPO / "samples" / "complaints" / "events.jsonl"), "-p", project, "--db", pg_url
               ).exit_code == 0
    with psycopg.connect(pg_url, autocommit=True) as other_writer:
        assert other_writer.execute(WRITER_LOCK).fetchone() == (True,)
        refused = cli("tick", "--by", "1d", "-p", project, "--db", pg_url, "--wait", "0.3")
        assert refused.exit_code == 1
        assert refused.output == (
            f"Error: the database {pg_url} is in use by another ruledeck process (PostgreSQL: one writing command "
            "at a time for now); wait for it to finish, or retry with --wait SECONDS\n")
        assert cli("clock", "-p", project, "--db", pg_url).output.startswith("clock: 2026-03-26T12:00:00+03:00")
    moved = cli("tick", "--by", "1d", "-p", project, "--db", pg_url)
    assert moved.exit_code == 0, moved.output


def test_copy_moves_a_duckdb_deployment_into_postgres(cli, tmp_path, pg_url):
    project = _project(tmp_path, "complaints")
    duck = str(tmp_path / "c.duckdb")
    steps = [("ingest", str(REPO / "samples" / "complaints" / "events.jsonl")), ("tick", "--to", "2026-04-01 12:00")]
    for step in steps:
        assert cli(*step, "-p", project, "--db", duck).exit_code == 0
    copied = cli("copy", "--to", pg_url, "-p", project, "--db", duck)
    assert copied.exit_code == 0, copied.output
    assert copied.output.startswith("copied ") and copied.output.endswith(
        f"table(s) into {pg_url}; check it: ruledeck verify --db URL\n")
    assert cli("verify", "-p", project, "--db", pg_url).output == (
        "verified: 24 event(s) and 1 command(s) replayed; 8 tables match\n")
    after = (("tick", "--to", "2026-09-01 12:00"), ("board", "complaints"), ("show", "1"), ("tasks", "--all"))
    assert _outputs(cli, project, pg_url, after) == _outputs(cli, project, duck, after)
    again = cli("copy", "--to", pg_url, "-p", project, "--db", duck)
    assert (again.exit_code, again.output) == (
        2, "Error: the target database already holds rows in items_complaint: copy into an empty database\n")


def test_copy_takes_only_a_postgresql_url(cli, tmp_path):
    project = _project(tmp_path, "complaints")
    duck = str(tmp_path / "c.duckdb")
    assert cli("ingest", str(REPO / "samples" / "complaints" / "events.jsonl"), "-p", project, "--db", duck
               ).exit_code == 0
    result = cli("copy", "--to", str(tmp_path / "other.duckdb"), "-p", project, "--db", duck)
    assert result.exit_code == 2
    assert result.output.startswith("Error: ruledeck copy moves a DuckDB database into PostgreSQL: --to takes a ")


def test_the_project_setting_names_the_database(cli, tmp_path, pg_url):
    project = Path(_project(tmp_path, "complaints"))
    config = project / "ruledeck.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("database: ruledeck.duckdb", f'database: "{pg_url}"'),
                      encoding="utf-8")
    events = str(REPO / "samples" / "complaints" / "events.jsonl")
    assert cli("ingest", events, "-p", str(project)).output == "24 accepted, 0 duplicate, 0 rejected\n"
    assert cli("clock", "-p", str(project), "--db", pg_url).output.startswith("clock: 2026-03-26T12:00:00+03:00")
    assert not (project / "ruledeck.duckdb").exists()
