"""Shared constants and helpers of the benchmark suite: the project, the clock, timers, memory."""

from __future__ import annotations

import cProfile
import datetime as dt
import os
import resource
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PROJECT = REPO / "definitions" / "prosthesis_followup"
ZONE_NAME = "Europe/Moscow"
ZONE = ZoneInfo(ZONE_NAME)

CLOCK = dt.datetime(2026, 6, 1, 5, 0, tzinfo=ZONE)
"""The clock of a generated deployment: one hour before the monthly re-staging cron (06:00 on the 1st)."""
LAST_RESTAGE = dt.datetime(2026, 5, 1, 6, 0, tzinfo=ZONE)
"""The re-staging the generated stages are as of."""
NEXT_RESTAGE = dt.datetime(2026, 6, 1, 6, 0, tzinfo=ZONE)
CARDS_PER_PATIENT = 7.6
"""Feedback cards per patient: 20 % children (10 periods), 80 % adults (7 periods)."""


def patients_for(cards: int) -> int:
    """How many patients (one prosthesis each) give about ``cards`` feedback cards."""
    return max(1, round(cards / CARDS_PER_PATIENT))


def sql_time(value: dt.datetime) -> str:
    """A TIMESTAMPTZ literal for an aware datetime."""
    return f"TIMESTAMPTZ '{value.isoformat(sep=' ')}'"


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A plain DuckDB connection in the project's time zone (what the engine's connect does)."""
    con = duckdb.connect(str(path))
    con.execute(f"SET TimeZone = '{ZONE_NAME}'")
    return con


def copy_database(source: Path, target: Path) -> Path:
    """A fresh copy of a generated database (each measured run mutates its own copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".wal"):
        stale = Path(str(target) + suffix)
        if stale.exists():
            stale.unlink()
    shutil.copyfile(source, target)
    return target


class Stopwatch:
    """Accumulates wall time of the measured sections only.

    ``Stopwatch.profiler`` (set by ``profile_workload.py``) is enabled inside
    measured sections only, and ``Stopwatch.measuring`` tells a statement
    tracer whether a statement belongs to the measurement.
    """

    profiler: cProfile.Profile | None = None
    measuring: bool = False

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        nested = Stopwatch.measuring
        Stopwatch.measuring = True
        if Stopwatch.profiler is not None and not nested:
            Stopwatch.profiler.enable()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - start
            if Stopwatch.profiler is not None and not nested:
                Stopwatch.profiler.disable()
            Stopwatch.measuring = nested


def _status_mb(key: str) -> float | None:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return None


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (``VmHWM``; ru_maxrss as a fallback)."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident set size of this process now, in MiB (``VmRSS``; the peak where /proc is missing)."""
    now = _status_mb("VmRSS")
    return now if now is not None else peak_rss_mb()


def machine() -> dict[str, str]:
    """nproc, RAM, Python and DuckDB versions, for the results header."""
    import platform

    ram = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    return {"nproc": str(os.cpu_count()), "ram": ram, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "date": dt.date.today().isoformat()}

# The engine's system tables with explicit column lists (positional INSERTs would break on a schema change).
JOURNAL = "rd_journal (seq, at_time, item, process, kind, field, old, new, cause, cause_id, rule, depth)"
EVENTS = "rd_events (seq, id, type, time, applied_at, payload)"
OUTBOX = "rd_outbox (id, process, item, recipient, text, created_at, rule)"
DOCUMENTS = "rd_documents (id, process, item, template, filename, body, created_at, rule)"
FIRED = "rd_fired (rule, item, due)"
CLOCK_ROW = "rd_clock (id, now)"
COUNTERS = "rd_counters (name, value)"
