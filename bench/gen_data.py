"""Generate a prosthesis follow-up deployment straight into the engine's tables.

The database is created by ``Engine.open`` (so its schema, period tables and
system tables are the engine's own), then filled with a handful of bulk
``INSERT … SELECT`` statements over ``range()``: no per-row Python.

The deployment, for P patients with one prosthesis each (patient ``i``):

- issue dates spread over the 12 months before the clock (2026-06-01 05:00
  Moscow), at a time of day on a half-hour grid 09:00–17:30;
- every 5th patient is a child (10 follow-up periods), the rest adults (7);
- one feedback card per period row, planned at ``issued_at + offset``: planned
  dates span three years (a year back, two ahead);
- cards planned more than 3 days before the clock are ``done`` (9 in 10) or
  still open; open cards sit in the stage the 2026-05-01 re-staging gave them,
  so the next re-staging moves a realistic share of them;
- every 20th patient (5 %) has an open incident: an Incident card with an
  open task, all of the patient's open cards and the Service card held in
  ``incident``;
- the timers that fired already (``rd_fired``), one ``created`` journal row
  per item, and the events that created the services and collected cards.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from common import (
    CLOCK,
    CLOCK_ROW,
    COUNTERS,
    EVENTS,
    FIRED,
    JOURNAL,
    LAST_RESTAGE,
    PROJECT,
    connect,
    patients_for,
    sql_time,
)

GENERATOR_VERSION = 3
"""Bump when the generated data changes, so cached databases are rebuilt."""

DAY_SPREAD = 365
SLOTS = 18  # half hours from 09:00 to 17:30
INCIDENT_EVERY = 20
CHILD_EVERY = 5
DONE_GUARD_DAYS = 3

FIRST_NAMES = ["Анна", "Иван", "Мария", "Пётр", "Ольга", "Сергей", "Елена", "Дмитрий", "Наталья", "Андрей"]
LAST_NAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков"]
MODELS = ["КИБИ", "Манипула", "INDY", "Стилус"]
REASONS = ["repair", "specialist_visit", "reproduction", "other"]
FIRST_TASK = {"repair": ("received", "arrange_pickup", "client_service"),
              "specialist_visit": ("received", "plan_visit", "field_specialists"),
              "reproduction": ("approval", "approve_reproduction", "production"),
              "other": ("received", "investigate", "client_service_lead")}


@dataclass
class Deployment:
    """What was generated (also stored next to the database as JSON)."""

    patients: int
    services: int
    feedback: int
    incidents: int
    open_feedback: int
    held_feedback: int
    last_id: int
    version: int = GENERATOR_VERSION


def _array(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _services_sql(patients: int) -> str:
    """Patients and their service cards, into a temp table ``gen_services``."""
    first, last, models = _array(FIRST_NAMES), _array(LAST_NAMES), _array(MODELS)
    return f"""
    CREATE TEMP TABLE gen_services AS
    WITH base AS (
        SELECT i, i + 1 AS id, i % {CHILD_EVERY} = 0 AS child, i % {INCIDENT_EVERY} = 7 AS has_incident,
               CAST(DATE '2026-05-31' - CAST((i * 7919) % {DAY_SPREAD} AS INTEGER) AS TIMESTAMP)
                   + INTERVAL 9 HOUR + to_minutes(CAST(30 * ((i * 104729) % {SLOTS}) AS BIGINT)) AS issued_local
        FROM range({patients}) r(i))
    SELECT i, id, child, has_incident,
           CAST(issued_local AS TIMESTAMPTZ) AS issued_at,
           CAST(issued_local AS DATE) AS issued_on,
           CASE WHEN child THEN CAST(issued_local AS DATE) - INTERVAL (6 + i % 11) YEAR - INTERVAL (i % 300) DAY
                ELSE CAST(issued_local AS DATE) - INTERVAL (22 + i % 50) YEAR - INTERVAL (i % 300) DAY END
               AS birth_date,
           'SN-' || lpad(CAST(i AS VARCHAR), 8, '0') AS serial_number,
           'SD-' || CAST(i AS VARCHAR) AS deal_id,
           {models}[1 + i % {len(MODELS)}] AS device_model,
           CASE WHEN i % 2 = 0 THEN 'left' ELSE 'right' END AS side,
           'U-' || CAST(i AS VARCHAR) AS user_id,
           {first}[1 + i % {len(FIRST_NAMES)}] || ' ' || {last}[1 + (i // 7) % {len(LAST_NAMES)}] AS user_name,
           '+7 9' || lpad(CAST((i * 7919) % 1000000000 AS VARCHAR), 9, '0') AS phone,
           CASE WHEN child THEN 'Законный представитель ' || CAST(i AS VARCHAR) END AS guardian_name,
           'Регион ' || CAST(i % 85 AS VARCHAR) AS region,
           'petrov' AS manager
    FROM base"""


def _feedback_sql(patients: int) -> str:
    """One card per period row, with the stage of the last re-staging, into ``gen_feedback``."""
    clock, restaged = sql_time(CLOCK), sql_time(LAST_RESTAGE)
    return f"""
    CREATE TEMP TABLE gen_feedback AS
    WITH cards AS (
        SELECT s.*, pr.idx, pr.label, pr.questions,
               s.issued_at + to_months(pr.offset_months) + to_days(pr.offset_days)
                   + to_seconds(pr.offset_seconds) AS planned_at,
               CASE WHEN pr.idx = 0 THEN s.issued_at ELSE s.issued_at + INTERVAL 1 DAY END AS created_at
        FROM gen_services s
        JOIN period_followup pr ON pr.variant = CASE WHEN s.child THEN 'child' ELSE 'adult' END),
    staged AS (
        SELECT *,
               planned_at < {clock} - INTERVAL {DONE_GUARD_DAYS} DAY AND (i * 31 + idx) % 10 <> 0 AS done,
               CASE WHEN planned_at < {restaged} THEN 'overdue'
                    WHEN planned_at < TIMESTAMPTZ '2026-06-01 00:00:00+03' THEN 'this_month'
                    WHEN planned_at < TIMESTAMPTZ '2026-07-01 00:00:00+03' THEN 'next_month'
                    ELSE 'later' END AS date_stage
        FROM cards)
    SELECT {patients} + row_number() OVER (ORDER BY i, idx) AS id, *,
           CASE WHEN done THEN planned_at + to_days(CAST((i + idx) % 3 AS BIGINT)) END AS collected_at,
           {clock} - to_days(CAST(1 + i % 40 AS BIGINT)) AS held_at
    FROM staged"""


def _insert_services(con, title: str) -> None:
    con.execute(f"""
    INSERT INTO items_service (id, pipeline, stage, title, created_at, updated_at, stage_entered_at, held_from,
        held_at, serial_number, deal_id, device_model, side, user_id, user_name, birth_date, phone, guardian_name,
        region, issued_at, issued_on, manager)
    SELECT s.id, 'main', CASE WHEN has_incident THEN 'incident' ELSE 'active' END, {title},
           issued_at, issued_at, CASE WHEN has_incident THEN {sql_time(CLOCK)} - to_days(CAST(1 + i % 40 AS BIGINT))
                                      ELSE issued_at END,
           CASE WHEN has_incident THEN 'active' END,
           CASE WHEN has_incident THEN {sql_time(CLOCK)} - to_days(CAST(1 + i % 40 AS BIGINT)) END,
           serial_number, deal_id, device_model, side, user_id, user_name, birth_date, phone, guardian_name,
           region, issued_at, issued_on, manager
    FROM gen_services s""")


def _insert_feedback(con) -> None:
    restaged = sql_time(LAST_RESTAGE)
    con.execute(f"""
    INSERT INTO items_feedback (id, pipeline, stage, title, created_at, updated_at, stage_entered_at, held_from,
        held_at, service, serial_number, period_no, period_label, questions, planned_at, user_id, user_name, phone,
        guardian_name, birth_date, issued_at, issued_on, device_model, operator, collected_at, uses_prosthesis,
        q_wear_hours, q_fit, q_pain, q_skin, q_grip, q_satisfaction)
    SELECT f.id, 'main',
           CASE WHEN done THEN 'done' WHEN has_incident THEN 'incident' ELSE date_stage END,
           CASE WHEN child THEN '👶 ' ELSE '🧑 ' END || label || ' · ' || user_name || ' · ' || device_model,
           created_at, coalesce(collected_at, greatest(created_at, {restaged})),
           CASE WHEN done THEN collected_at WHEN has_incident THEN held_at ELSE greatest(created_at, {restaged}) END,
           CASE WHEN NOT done AND has_incident THEN date_stage END,
           CASE WHEN NOT done AND has_incident THEN held_at END,
           f.i + 1, serial_number, idx, label, questions, planned_at, user_id, user_name, phone, guardian_name,
           birth_date, issued_at, issued_on, device_model,
           CASE WHEN done THEN (CASE WHEN f.i % 2 = 0 THEN 'smirnova' ELSE 'kuznetsov' END) END,
           collected_at, CASE WHEN done THEN TRUE END,
           CASE WHEN done THEN 4 + (f.i + idx) % 9 END, CASE WHEN done THEN 'good' END,
           CASE WHEN done THEN FALSE END, CASE WHEN done THEN 'ok' END, CASE WHEN done THEN TRUE END,
           CASE WHEN done AND list_contains(questions, 'q_satisfaction') THEN 3 + (f.i + idx) % 3 END
    FROM gen_feedback f""")


def _insert_incidents(con, first_id: int) -> int:
    reasons = _array(REASONS)
    stage = " ".join(f"WHEN '{r}' THEN '{FIRST_TASK[r][0]}'" for r in REASONS)
    con.execute(f"""
    CREATE TEMP TABLE gen_incidents AS
    SELECT {first_id} + row_number() OVER (ORDER BY s.i) AS id, row_number() OVER (ORDER BY s.i) AS k, s.*,
           {reasons}[1 + (s.i // {INCIDENT_EVERY}) % {len(REASONS)}] AS reason,
           (SELECT min(f.id) FROM gen_feedback f WHERE f.i = s.i AND NOT f.done) AS feedback,
           {sql_time(CLOCK)} - to_days(CAST(1 + s.i % 40 AS BIGINT)) AS opened_at
    FROM gen_services s WHERE has_incident""")
    con.execute(f"""
    INSERT INTO items_incident (id, pipeline, stage, title, created_at, updated_at, stage_entered_at, number,
        reason, comment, service, feedback, serial_number, user_id, user_name, phone, is_child, reported_by)
    SELECT id, reason, CASE reason {stage} END,
           'INC-2026-' || CASE WHEN k < 10000 THEN lpad(CAST(k AS VARCHAR), 4, '0') ELSE CAST(k AS VARCHAR) END
               || ' · ' || CASE WHEN child THEN '👶 ' ELSE '🧑 ' END || user_name || ' · № ' || serial_number,
           opened_at, opened_at, opened_at,
           'INC-2026-' || CASE WHEN k < 10000 THEN lpad(CAST(k AS VARCHAR), 4, '0') ELSE CAST(k AS VARCHAR) END,
           reason, 'Протез не используется', i + 1, feedback, serial_number, user_id, user_name, phone, child,
           'kuznetsov'
    FROM gen_incidents""")
    task = " ".join(f"WHEN '{r}' THEN '{FIRST_TASK[r][1]}'" for r in REASONS)
    role = " ".join(f"WHEN '{r}' THEN 'role:{FIRST_TASK[r][2]}'" for r in REASONS)
    con.execute(f"""
    INSERT INTO rd_tasks (id, process, item, name, title, assignee, due_at, outcomes, status, created_at, rule)
    SELECT k, 'incident', id, CASE reason {task} END, 'Задача по инциденту ' || CAST(k AS VARCHAR),
           CASE reason {role} END, opened_at + INTERVAL 2 DAY, ['received'], 'open', opened_at, 'repair_start'
    FROM gen_incidents""")
    return con.execute("SELECT count(*) FROM gen_incidents").fetchone()[0]


def _insert_history(con) -> None:
    """Journal rows, fired timers and the events that built the deployment."""
    clock = sql_time(CLOCK)
    for table, process in (("items_service", "service"), ("items_feedback", "feedback"),
                           ("items_incident", "incident")):
        con.execute(f"""
        INSERT INTO {JOURNAL} SELECT nextval('rd_journal_seq'), created_at, id, '{process}', 'created', NULL, NULL,
               stage, 'generator', NULL, NULL, 0 FROM {table}""")
    con.execute(f"""
    INSERT INTO {FIRED} SELECT 'call_day_reminder', id, planned_at FROM items_feedback WHERE planned_at <= {clock}""")
    con.execute(f"""
    INSERT INTO {FIRED} SELECT 'overdue_escalation', id, stage_entered_at + INTERVAL 14 DAY FROM items_feedback
    WHERE stage = 'overdue' AND stage_entered_at + INTERVAL 14 DAY <= {clock}""")
    con.execute(f"""
    INSERT INTO {EVENTS} SELECT nextval('rd_event_seq'), 'crm-' || deal_id || '-issued', 'prosthesis_issued',
           issued_at + INTERVAL 5 HOUR, issued_at + INTERVAL 5 HOUR,
           json_object('deal_id', deal_id, 'serial_number', serial_number, 'device_model', device_model,
                       'user_id', user_id, 'user_name', user_name, 'birth_date', birth_date, 'phone', phone,
                       'issued_at', issued_at)
    FROM items_service ORDER BY id""")
    con.execute(f"""
    INSERT INTO {EVENTS} SELECT nextval('rd_event_seq'), 'cs-' || serial_number || '-p' || CAST(period_no AS VARCHAR),
           'feedback_collected', collected_at, collected_at,
           json_object('serial_number', serial_number, 'period_no', period_no, 'operator', operator)
    FROM items_feedback WHERE stage = 'done' ORDER BY collected_at""")


def generate(path: Path, cards: int) -> Deployment:
    """Create the database at ``path`` with about ``cards`` feedback cards."""
    from ruledeck.engine import Engine, load_project

    for stale in (path, Path(str(path) + ".wal")):
        if stale.exists():
            stale.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    Engine.open(load_project(PROJECT), str(path)).close()
    patients = patients_for(cards)
    con = connect(path)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(_services_sql(patients))
        con.execute(_feedback_sql(patients))
        service_title = ("CASE WHEN child THEN '👶 ' ELSE '🧑 ' END || user_name || ' · ' || device_model "
                         "|| ' № ' || serial_number")
        _insert_services(con, service_title)
        _insert_feedback(con)
        feedback = con.execute("SELECT count(*) FROM gen_feedback").fetchone()[0]
        incidents = _insert_incidents(con, patients + feedback)
        last_id = patients + feedback + incidents
        _insert_history(con)
        con.execute(f"INSERT OR REPLACE INTO {COUNTERS} VALUES ('item_id', ?), "
                    "('sequence.incident.number.2026', ?), ('task_id', ?)", [last_id, incidents, incidents])
        con.execute(f"INSERT OR REPLACE INTO {CLOCK_ROW} VALUES (1, ?)", [CLOCK])
        con.execute("COMMIT")
        counts = con.execute("SELECT count(*) FILTER (WHERE stage IN ('overdue', 'this_month', 'next_month', "
                             "'later')), count(*) FILTER (WHERE stage = 'incident') FROM items_feedback").fetchone()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    info = Deployment(patients, patients, feedback, incidents, counts[0], counts[1], last_id)
    Path(str(path) + ".json").write_text(json.dumps(asdict(info)), encoding="utf-8")
    return info


def cached(folder: Path, cards: int) -> tuple[Path, Deployment]:
    """The generated database for ``cards`` in ``folder``, generating it unless a current one exists."""
    path = folder / f"deployment-{cards}.duckdb"
    meta = Path(str(path) + ".json")
    if path.exists() and meta.exists():
        info = json.loads(meta.read_text(encoding="utf-8"))
        if info.get("version") == GENERATOR_VERSION:
            return path, Deployment(**info)
    return path, generate(path, cards)


def main() -> None:
    """``python bench/gen_data.py --n 100000 --out deployment.duckdb``"""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="feedback cards (about 7.6 per patient)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(asdict(generate(args.out, args.n))))


if __name__ == "__main__":
    main()
