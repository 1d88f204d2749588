"""Generate event files (JSON Lines) for definitions/prosthesis_followup/events.yaml.

``prosthesis_issued`` streams are written by DuckDB (``COPY … TO … (FORMAT
JSON)``, one object per line) from ``range()``; the two incident events are a
couple of lines of Python.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import duckdb
from common import ZONE_NAME

MODELS = "['КИБИ', 'Манипула', 'INDY', 'Стилус']"


def issued_events(path: Path, count: int, start: dt.datetime, first_patient: int = 10_000_000,
                  step_seconds: float = 1) -> Path:
    """``count`` independent ``prosthesis_issued`` events, one every ``step_seconds`` from ``start``.

    Patients are numbered from ``first_patient`` so they never meet a generated
    deployment's. Every 5th is a child; the prosthesis was issued an hour before
    the event (so its first call is due a day later).
    """
    offset = start.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    local = start.replace(tzinfo=None).isoformat(sep=" ")
    step_us = round(step_seconds * 1_000_000)
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{ZONE_NAME}'")
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
    COPY (
        WITH base AS (
            SELECT k, {first_patient} + k AS i,
                   TIMESTAMP '{local}' + to_microseconds(CAST(k * {step_us} AS BIGINT)) AS at_local
            FROM range({int(count)}) r(k))
        SELECT 'bench-issued-' || CAST(i AS VARCHAR) AS id, 'prosthesis_issued' AS type,
               strftime(at_local, '%Y-%m-%dT%H:%M:%S') || '{offset}' AS time,
               {{'deal_id': 'SD-' || CAST(i AS VARCHAR),
                 'serial_number': 'SN-' || CAST(i AS VARCHAR),
                 'device_model': {MODELS}[1 + i % 4],
                 'side': CASE WHEN i % 2 = 0 THEN 'left' ELSE 'right' END,
                 'user_id': 'U-' || CAST(i AS VARCHAR),
                 'user_name': 'Пользователь ' || CAST(i AS VARCHAR),
                 'birth_date': strftime(CAST(at_local AS DATE) - INTERVAL (CASE WHEN i % 5 = 0 THEN 9 ELSE 40 END)
                                        YEAR, '%Y-%m-%d'),
                 'phone': '+7 900 ' || lpad(CAST(i % 10000000 AS VARCHAR), 7, '0'),
                 'region': 'Москва',
                 'issued_at': strftime(at_local - INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%S') || '{offset}',
                 'manager': 'petrov'}} AS payload
        FROM base ORDER BY k)
    TO '{path}' (FORMAT JSON)""")
    con.close()
    return path


def incident_events(serial: str, period_no: int, number: str, opened: dt.datetime,
                    closed: dt.datetime) -> tuple[str, str]:
    """The ``incident_reported`` and ``incident_closed`` lines for one feedback card (as in the sample)."""
    reported = {"id": f"bench-{serial}-incident", "type": "incident_reported", "time": opened.isoformat(),
                "payload": {"serial_number": serial, "period_no": period_no, "reason": "repair",
                            "comment": "Не раскрывается кисть", "reported_by": "kuznetsov"}}
    closing = {"id": f"bench-{serial}-closed", "type": "incident_closed", "time": closed.isoformat(),
               "payload": {"incident_number": number, "outcome": "resolved",
                           "resolution": "Заменён привод кисти по гарантии"}}
    return (json.dumps(reported, ensure_ascii=False) + "\n", json.dumps(closing, ensure_ascii=False) + "\n")


def main() -> None:
    """``python bench/gen_events.py --count 100000 --out issued.jsonl``"""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--start", default="2026-06-01T10:00:00+03:00")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    issued_events(args.out, args.count, dt.datetime.fromisoformat(args.start))


if __name__ == "__main__":
    main()
