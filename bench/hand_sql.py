"""The hand-written SQL each workload is compared with: what a developer would write for the same work.

Every function does the same changes as the engine on the same database
(items, journal rows, timers, outbox, clock), set-based, in one transaction,
so the fingerprints of both runs can be compared.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from common import CLOCK_ROW, COUNTERS, DOCUMENTS, EVENTS, FIRED, JOURNAL, OUTBOX, sql_time

OPEN_STAGES = "('overdue', 'this_month', 'next_month', 'later')"


def restage_case(now: dt.datetime, column: str = "planned_at") -> str:
    """The ``restage_feedback`` rule's CASE, written by hand."""
    at = sql_time(now)
    month = f"date_trunc('month', CAST({at} AS DATE))"
    return (f"CASE WHEN {column} < {at} THEN 'overdue' "
            f"WHEN {column} < CAST({month} + INTERVAL 1 MONTH AS DATE) THEN 'this_month' "
            f"WHEN {column} < CAST({month} + INTERVAL 2 MONTH AS DATE) THEN 'next_month' ELSE 'later' END")


def restage(con: duckdb.DuckDBPyConnection, now: dt.datetime, *, transaction: bool = True) -> None:
    """Monthly re-staging: one journal INSERT (old → new) and one UPDATE of the open cards whose stage changes."""
    at, case = sql_time(now), restage_case(now)
    if transaction:
        con.execute("BEGIN TRANSACTION")
    con.execute(f"""
    INSERT INTO {JOURNAL}
    SELECT nextval('rd_journal_seq'), {at}, id, 'feedback', 'stage', 'stage', stage, new_stage, 'tick', ?,
           'restage_feedback', 1
    FROM (SELECT id, stage, {case} AS new_stage FROM items_feedback WHERE stage IN {OPEN_STAGES})
    WHERE new_stage <> stage""", [now.isoformat()])
    con.execute(f"""
    UPDATE items_feedback SET stage = {case}, updated_at = {at}, stage_entered_at = {at}
    WHERE stage IN {OPEN_STAGES} AND {case} <> stage""")
    con.execute(f"INSERT OR REPLACE INTO {CLOCK_ROW} VALUES (1, ?)", [now])
    if transaction:
        con.execute("COMMIT")


def _next_ids(counter: str) -> str:
    return f"(SELECT coalesce(max(value), 0) FROM rd_counters WHERE name = '{counter}')"


def _bump(con: duckdb.DuckDBPyConnection, counter: str, amount_sql: str) -> None:
    con.execute(f"INSERT OR REPLACE INTO {COUNTERS} SELECT '{counter}', {_next_ids(counter)} + ({amount_sql})")


def month(con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime,
          crons: list[dt.datetime]) -> None:
    """One simulated month (start, end]: the 1st-of-month re-staging, the call-day reminders, the escalations."""
    lower, upper = sql_time(start), sql_time(end)
    con.execute("BEGIN TRANSACTION")
    for moment in crons:
        restage(con, moment, transaction=False)
    con.execute("CREATE OR REPLACE TEMP TABLE due_calls AS SELECT id, planned_at AS due, stage, title, phone, "
                f"questions FROM items_feedback WHERE planned_at > {lower} AND planned_at <= {upper}")
    con.execute(f"INSERT INTO {FIRED} SELECT 'call_day_reminder', id, due FROM due_calls")
    base = _next_ids("outbox_id")
    con.execute(f"""
    INSERT INTO {OUTBOX} SELECT {base} + row_number() OVER (ORDER BY due, id), 'feedback', id,
           'role:client_service',
           'Сегодня звонок: ' || title || ', тел. ' || coalesce(phone, '') || '. Вопросы: '
               || array_to_string(questions, ', '), due, 'call_day_reminder'
    FROM due_calls WHERE stage IN {OPEN_STAGES}""")
    _bump(con, "outbox_id", f"SELECT count(*) FROM due_calls WHERE stage IN {OPEN_STAGES}")
    con.execute("CREATE OR REPLACE TEMP TABLE due_dwell AS SELECT id, stage_entered_at + INTERVAL 14 DAY AS due, "
                "title, planned_at FROM items_feedback WHERE stage = 'overdue' AND stage_entered_at + INTERVAL 14 DAY "
                f"> {lower} AND stage_entered_at + INTERVAL 14 DAY <= {upper}")
    con.execute(f"INSERT INTO {FIRED} SELECT 'overdue_escalation', id, due FROM due_dwell")
    base = _next_ids("outbox_id")
    con.execute(f"""
    INSERT INTO {OUTBOX} SELECT {base} + row_number() OVER (ORDER BY due, id), 'feedback', id,
           'role:client_service_lead',
           'Звонок просрочен более чем на 2 недели: ' || title || ' (план ' || strftime(planned_at, '%d.%m.%Y') || ')',
           due, 'overdue_escalation'
    FROM due_dwell""")
    _bump(con, "outbox_id", "SELECT count(*) FROM due_dwell")
    con.execute(f"INSERT OR REPLACE INTO {CLOCK_ROW} VALUES (1, ?)", [end])
    con.execute("COMMIT")


def _event_row(con: duckdb.DuckDBPyConnection, event_id: str, kind: str, at: dt.datetime, payload: str) -> None:
    con.execute(f"INSERT INTO {EVENTS} VALUES (nextval('rd_event_seq'), ?, ?, ?, ?, ?)",
                [event_id, kind, at, at, payload])


def incident_open(con: duckdb.DuckDBPyConnection, serial: str, period_no: int, at: dt.datetime,
                  event_id: str) -> str:
    """An incident from one card: the Incident card and its task, every open card and service of the user held."""
    now = sql_time(at)
    tail = [event_id, "start_incident", 0]
    con.execute("BEGIN TRANSACTION")
    _event_row(con, event_id, "incident_reported", at, '{"reason": "repair"}')
    user = con.execute("SELECT user_id FROM items_feedback WHERE serial_number = ? AND period_no = ?",
                       [serial, period_no]).fetchone()[0]
    con.execute(f"UPDATE items_feedback SET uses_prosthesis = FALSE, incident_reason = 'repair', "
                f"notes = 'Не раскрывается кисть', updated_at = {now} WHERE serial_number = ? AND period_no = ?",
                [serial, period_no])
    number = con.execute("SELECT 'INC-2026-' || lpad(CAST(coalesce(max(value), 0) + 1 AS VARCHAR), 4, '0') "
                         "FROM rd_counters WHERE name = 'sequence.incident.number.2026'").fetchone()[0]
    item = con.execute("SELECT coalesce(max(value), 0) + 1 FROM rd_counters WHERE name = 'item_id'").fetchone()[0]
    con.execute(f"""
    INSERT INTO items_incident (id, pipeline, stage, title, created_at, updated_at, stage_entered_at, number, reason,
        comment, service, feedback, serial_number, user_id, user_name, phone, is_child, reported_by)
    SELECT ?, 'repair', 'received', ? || ' · ' || user_name || ' · № ' || serial_number, {now}, {now}, {now}, ?,
           'repair', 'Не раскрывается кисть', service, id, serial_number, user_id, user_name, phone,
           date_diff('year', birth_date, issued_on) < 18, 'kuznetsov'
    FROM items_feedback WHERE serial_number = ? AND period_no = ?""", [item, number, number, serial, period_no])
    con.execute(f"INSERT OR REPLACE INTO {COUNTERS} VALUES ('item_id', ?), ('sequence.incident.number.2026', "
                "(SELECT value + 1 FROM rd_counters WHERE name = 'sequence.incident.number.2026'))", [item])
    task = con.execute("SELECT coalesce(max(value), 0) + 1 FROM rd_counters WHERE name = 'task_id'").fetchone()[0]
    con.execute(f"INSERT INTO rd_tasks (id, process, item, name, title, assignee, due_at, outcomes, status, "
                f"created_at, rule) VALUES (?, 'incident', ?, 'arrange_pickup', 'Принять протез в ремонт', "
                f"'role:client_service', {now} + INTERVAL 2 DAY, ['received'], 'open', {now}, 'repair_start')",
                [task, item])
    con.execute(f"INSERT OR REPLACE INTO {COUNTERS} VALUES ('task_id', ?)", [task])
    for table, process, open_stages in (("items_feedback", "feedback", OPEN_STAGES),
                                        ("items_service", "service", "('active')")):
        con.execute(f"""
        INSERT INTO {JOURNAL} SELECT nextval('rd_journal_seq'), {now}, id, '{process}', 'stage', 'stage', stage,
               'incident', 'event', ?, ?, ? FROM {table} WHERE user_id = ? AND stage IN {open_stages}""",
                    [*tail, user])
        con.execute(f"UPDATE {table} SET held_from = stage, held_at = {now}, stage = 'incident', updated_at = {now}, "
                    f"stage_entered_at = {now} WHERE user_id = ? AND stage IN {open_stages}", [user])
    con.execute(f"INSERT INTO {JOURNAL} VALUES (nextval('rd_journal_seq'), {now}, ?, 'incident', 'created', NULL, "
                "NULL, 'received', 'event', ?, ?, ?)", [item, *tail])
    outbox = con.execute("SELECT coalesce(max(value), 0) + 1 FROM rd_counters WHERE name = 'outbox_id'").fetchone()[0]
    con.execute(f"INSERT INTO {OUTBOX} VALUES (?, 'incident', ?, 'role:client_service_lead', ?, ?, "
                "'announce_incident')", [outbox, item, f"Новый инцидент {number}", at])
    con.execute(f"INSERT OR REPLACE INTO {COUNTERS} VALUES ('outbox_id', ?)", [outbox])
    con.execute(f"INSERT OR REPLACE INTO {CLOCK_ROW} VALUES (1, ?)", [at])
    con.execute("COMMIT")
    return number


def incident_close(con: duckdb.DuckDBPyConnection, number: str, at: dt.datetime, event_id: str) -> None:
    """Close the incident: cancel its tasks, write the closure document, resume the held cards shifted by the pause."""
    now = sql_time(at)
    tail = [event_id, "resume_after_incident", 1]
    con.execute("BEGIN TRANSACTION")
    _event_row(con, event_id, "incident_closed", at, '{"outcome": "resolved"}')
    item, user = con.execute("SELECT id, user_id FROM items_incident WHERE number = ?", [number]).fetchone()
    con.execute(f"UPDATE items_incident SET stage = 'resolved', resolution = 'Заменён привод кисти', closed_at = {now},"
                f" updated_at = {now}, stage_entered_at = {now} WHERE id = ?", [item])
    con.execute(f"UPDATE rd_tasks SET status = 'cancelled', closed_at = {now} WHERE item = ? AND process = 'incident' "
                "AND status = 'open'", [item])
    document = con.execute("SELECT coalesce(max(value), 0) + 1 FROM rd_counters WHERE name = 'document_id'"
                           ).fetchone()[0]
    con.execute(f"INSERT INTO {DOCUMENTS} SELECT ?, 'incident', id, 'incident_closure', 'incident-' || number || "
                f"'.md', '# Акт закрытия инцидента ' || number, {now}, 'resume_after_incident' FROM items_incident "
                "WHERE id = ?", [document, item])
    con.execute(f"INSERT OR REPLACE INTO {COUNTERS} VALUES ('document_id', ?)", [document])
    shifted = f"planned_at + ({now} - held_at)"
    case = restage_case(at, shifted)
    con.execute(f"""
    INSERT INTO {JOURNAL} SELECT nextval('rd_journal_seq'), {now}, id, 'feedback', 'stage', 'stage', 'incident',
           {case}, 'event', ?, ?, ? FROM items_feedback WHERE user_id = ? AND stage = 'incident'""", [*tail, user])
    con.execute(f"UPDATE items_feedback SET stage = {case}, planned_at = {shifted}, held_from = NULL, held_at = NULL, "
                f"updated_at = {now}, stage_entered_at = {now} WHERE user_id = ? AND stage = 'incident'", [user])
    con.execute(f"UPDATE items_service SET stage = held_from, held_from = NULL, held_at = NULL, updated_at = {now}, "
                f"stage_entered_at = {now} WHERE user_id = ? AND stage = 'incident'", [user])
    outbox = con.execute("SELECT coalesce(max(value), 0) + 1 FROM rd_counters WHERE name = 'outbox_id'").fetchone()[0]
    con.execute(f"INSERT INTO {OUTBOX} VALUES (?, 'incident', ?, 'role:client_service', ?, ?, "
                "'resume_after_incident')", [outbox, item, f"Инцидент {number} закрыт", at])
    con.execute(f"INSERT OR REPLACE INTO {COUNTERS} VALUES ('outbox_id', ?)", [outbox])
    con.execute(f"INSERT OR REPLACE INTO {CLOCK_ROW} VALUES (1, ?)", [at])
    con.execute("COMMIT")


SERVICE_FIELDS = ["serial_number", "deal_id", "device_model", "side", "user_id", "user_name", "birth_date", "phone",
                  "guardian_name", "region", "issued_at", "issued_on", "manager"]
FEEDBACK_FIELDS = ["service", "serial_number", "period_no", "period_label", "questions", "planned_at", "user_id",
                   "user_name", "phone", "guardian_name", "birth_date", "issued_at", "issued_on", "device_model"]
PAYLOAD = ("STRUCT(deal_id VARCHAR, serial_number VARCHAR, device_model VARCHAR, side VARCHAR, user_id VARCHAR, "
           "user_name VARCHAR, birth_date DATE, phone VARCHAR, guardian_name VARCHAR, region VARCHAR, "
           "issued_at TIMESTAMPTZ, manager VARCHAR)")


def _journal_fields(con: duckdb.DuckDBPyConnection, table: str, process: str, fields: list[str], rule: str,
                    depth: int) -> None:
    casts = ", ".join(f"CAST({f} AS VARCHAR) AS {f}" for f in fields)
    con.execute(f"""
    INSERT INTO {JOURNAL}
    SELECT nextval('rd_journal_seq'), ev_time, id, '{process}', 'field', name, NULL, value, 'event',
           event_id, '{rule}', {depth}
    FROM (UNPIVOT (SELECT id, ev_time, event_id, {casts} FROM {table})
          ON {', '.join(fields)} INTO NAME name VALUE value)""")


def ingest_issued(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """A file of ``prosthesis_issued`` events in one pass: events, services, first cards, journal, counters."""
    con.execute("BEGIN TRANSACTION")
    con.execute(f"""
    CREATE TEMP TABLE ev AS
    SELECT row_number() OVER () AS k, j.* FROM read_json('{path}', format = 'newline_delimited',
        columns = {{'id': 'VARCHAR', 'type': 'VARCHAR', 'time': 'TIMESTAMPTZ', 'payload': '{PAYLOAD}'}}) j
    WHERE j.id NOT IN (SELECT id FROM rd_events)""")
    con.execute(f"INSERT INTO {EVENTS} SELECT nextval('rd_event_seq'), id, type, time, time, to_json(payload) FROM ev")
    base = con.execute("SELECT coalesce(max(value), 0) FROM rd_counters WHERE name = 'item_id'").fetchone()[0]
    con.execute(f"""
    CREATE TEMP TABLE sv AS
    SELECT {base} + 2 * k - 1 AS id, time AS ev_time, id AS event_id, payload.*,
           CAST(payload.issued_at AS DATE) AS issued_on,
           date_diff('year', payload.birth_date, CAST(payload.issued_at AS DATE))
               - CASE WHEN payload.birth_date + to_years(CAST(date_diff('year', payload.birth_date,
                          CAST(payload.issued_at AS DATE)) AS INTEGER)) > CAST(payload.issued_at AS DATE)
                      THEN 1 ELSE 0 END < 18 AS child
    FROM ev""")
    con.execute(f"""
    INSERT INTO items_service (id, pipeline, stage, title, created_at, updated_at, stage_entered_at, {', '.join(
        SERVICE_FIELDS)})
    SELECT id, 'main', 'active', CASE WHEN child THEN '👶 ' ELSE '🧑 ' END || user_name || ' · ' || device_model
           || ' № ' || serial_number, ev_time, ev_time, ev_time, {', '.join(SERVICE_FIELDS)} FROM sv""")
    con.execute("""
    CREATE TEMP TABLE fb AS
    SELECT s.id + 1 AS id, s.id AS service, s.ev_time, s.event_id, s.child, s.serial_number, pr.idx AS period_no,
           pr.label AS period_label, pr.questions,
           s.issued_at + to_months(pr.offset_months) + to_days(pr.offset_days) + to_seconds(pr.offset_seconds)
               AS planned_at,
           s.user_id, s.user_name, s.phone, s.guardian_name, s.birth_date, s.issued_at, s.issued_on, s.device_model
    FROM sv s JOIN period_followup pr ON pr.idx = 0 AND pr.variant = CASE WHEN s.child THEN 'child' ELSE 'adult' END""")
    month = "date_trunc('month', CAST(ev_time AS DATE))"
    stage = (f"CASE WHEN planned_at < ev_time THEN 'overdue' "
             f"WHEN planned_at < CAST({month} + INTERVAL 1 MONTH AS DATE) THEN 'this_month' "
             f"WHEN planned_at < CAST({month} + INTERVAL 2 MONTH AS DATE) THEN 'next_month' ELSE 'later' END")
    con.execute(f"""
    INSERT INTO items_feedback (id, pipeline, stage, title, created_at, updated_at, stage_entered_at, {', '.join(
        FEEDBACK_FIELDS)})
    SELECT id, 'main', {stage}, CASE WHEN child THEN '👶 ' ELSE '🧑 ' END || period_label || ' · ' || user_name
           || ' · ' || device_model, ev_time, ev_time, ev_time, {', '.join(FEEDBACK_FIELDS)} FROM fb""")
    con.execute(f"""
    INSERT INTO {JOURNAL}
    SELECT nextval('rd_journal_seq'), ev_time, id, 'service', 'created', NULL, NULL, 'active', 'event', event_id,
           'open_service_on_issue', 0 FROM sv
    UNION ALL
    SELECT nextval('rd_journal_seq'), ev_time, id, 'feedback', 'created', NULL, NULL, 'later', 'event', event_id,
           'first_feedback_card', 1 FROM fb""")
    _journal_fields(con, "sv", "service", SERVICE_FIELDS, "open_service_on_issue", 0)
    _journal_fields(con, "fb", "feedback", FEEDBACK_FIELDS, "first_feedback_card", 1)
    con.execute(f"""
    INSERT INTO {JOURNAL}
    SELECT nextval('rd_journal_seq'), ev_time, id, 'feedback', 'stage', 'stage', 'later', new_stage,
           'event', event_id, 'restage_feedback', 3
    FROM (SELECT *, {stage} AS new_stage FROM fb) WHERE new_stage <> 'later'""")
    con.execute(f"INSERT OR REPLACE INTO {COUNTERS} VALUES ('item_id', coalesce((SELECT max(id) FROM fb), ?))", [base])
    con.execute(f"INSERT OR REPLACE INTO {CLOCK_ROW} VALUES (1, coalesce((SELECT max(time) FROM ev), "
                "(SELECT now FROM rd_clock WHERE id = 1)))")
    con.execute("COMMIT")
    con.execute("DROP TABLE ev; DROP TABLE sv; DROP TABLE fb")


def board(con: duckdb.DuckDBPyConnection, per_column: int = 10) -> list[tuple]:
    """The ``feedback_calls`` board: per stage the card count and the first cards by planned date.

    One scan keeps the top ids per stage (``min_by(…, k)``, a bounded heap per group, no sort of the
    whole table); the wide card columns are joined for those ids only.
    """
    return con.execute(f"""
    WITH top AS (
        SELECT stage, count(*) AS cards, min_by(id, (planned_at, id), {int(per_column)}) AS ids
        FROM items_feedback WHERE pipeline = 'main' AND stage <> 'done' GROUP BY stage)
    SELECT t.stage, t.cards, f.id, f.title, f.planned_at, f.period_label, f.phone, f.questions
    FROM top t, unnest(t.ids) u(id) JOIN items_feedback f ON f.id = u.id
    ORDER BY t.stage, f.planned_at, f.id""").fetchall()


OUTCOME_PAYLOAD = ("STRUCT(serial_number VARCHAR, period_no BIGINT, operator VARCHAR, uses_prosthesis BOOLEAN, "
                   "q_fit VARCHAR)")
OUTCOME_FIELDS = ["collected_at", "operator", "uses_prosthesis", "q_fit"]
OPEN_FEEDBACK = "('overdue', 'this_month', 'next_month', 'later')"
HELD_OR_OPEN = "('overdue', 'this_month', 'next_month', 'later', 'incident')"


def ingest_outcomes(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """A file of ``feedback_collected`` events on existing cards in one pass: events, the cards' answers and
    stage, the services whose last call it was completed, and the journal rows of both."""
    con.execute("BEGIN TRANSACTION")
    con.execute(f"""
    CREATE TEMP TABLE ev AS
    SELECT j.* FROM read_json('{path}', format = 'newline_delimited',
        columns = {{'id': 'VARCHAR', 'type': 'VARCHAR', 'time': 'TIMESTAMPTZ', 'payload': '{OUTCOME_PAYLOAD}'}}) j
    WHERE j.id NOT IN (SELECT id FROM rd_events)""")
    con.execute(f"INSERT INTO {EVENTS} SELECT nextval('rd_event_seq'), id, type, time, time, to_json(payload) FROM ev")
    con.execute(f"""
    CREATE TEMP TABLE ch AS
    SELECT f.id, f.service, f.stage AS old_stage, e.time AS ev_time, e.id AS event_id, e.time AS collected_at,
           e.payload.operator AS operator, e.payload.uses_prosthesis AS uses_prosthesis, e.payload.q_fit AS q_fit
    FROM ev e JOIN items_feedback f ON f.serial_number = e.payload.serial_number AND f.period_no = e.payload.period_no
    WHERE f.stage IN {OPEN_FEEDBACK}""")
    con.execute("""
    UPDATE items_feedback SET collected_at = ch.collected_at, operator = ch.operator,
           uses_prosthesis = ch.uses_prosthesis, q_fit = ch.q_fit, stage = 'done', updated_at = ch.ev_time,
           stage_entered_at = ch.ev_time
    FROM ch WHERE items_feedback.id = ch.id""")
    casts = ", ".join(f"CAST({f} AS VARCHAR) AS {f}" for f in OUTCOME_FIELDS)
    con.execute(f"""
    INSERT INTO {JOURNAL}
    SELECT nextval('rd_journal_seq'), ev_time, id, 'feedback', 'field', name, NULL, value, 'event', event_id,
           'feedback_collected', 0
    FROM (UNPIVOT (SELECT id, ev_time, event_id, {casts} FROM ch) ON {', '.join(OUTCOME_FIELDS)}
          INTO NAME name VALUE value)""")
    con.execute(f"""
    INSERT INTO {JOURNAL}
    SELECT nextval('rd_journal_seq'), ev_time, id, 'feedback', 'stage', 'stage', old_stage, 'done', 'event', event_id,
           'feedback_collected', 0 FROM ch""")
    con.execute(f"""
    CREATE TEMP TABLE done_services AS
    SELECT s.id, max(ch.ev_time) AS ev_time, arg_max(ch.event_id, ch.ev_time) AS event_id
    FROM items_service s JOIN ch ON ch.service = s.id
    WHERE s.stage = 'active'
      AND NOT EXISTS (SELECT 1 FROM items_feedback f WHERE f.service = s.id AND f.stage IN {HELD_OR_OPEN})
      AND (SELECT count(*) FROM items_feedback f WHERE f.service = s.id AND f.stage = 'done') > 1
    GROUP BY s.id""")
    con.execute("UPDATE items_service SET stage = 'completed', updated_at = d.ev_time, stage_entered_at = d.ev_time "
                "FROM done_services d WHERE items_service.id = d.id")
    con.execute(f"""
    INSERT INTO {JOURNAL}
    SELECT nextval('rd_journal_seq'), ev_time, id, 'service', 'stage', 'stage', 'active', 'completed', 'event',
           event_id, 'service_completed', 2 FROM done_services""")
    con.execute(f"INSERT OR REPLACE INTO {CLOCK_ROW} VALUES (1, coalesce((SELECT max(time) FROM ev), "
                "(SELECT now FROM rd_clock WHERE id = 1)))")
    con.execute("COMMIT")
    con.execute("DROP TABLE ev; DROP TABLE ch; DROP TABLE done_services")
