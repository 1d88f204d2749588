"""Where an engine workload spends its time: SQL statements by kind, and the Python functions around them.

    python bench/profile_workload.py WORKLOAD [--n N] [--top K] [--cache DIR]

Runs the workload's engine variant in this process with every statement the
engine sends to DuckDB timed (a thin proxy over ``engine.con``) and under
cProfile, both limited to the measured sections (not the setup). Prints:
wall time, statements and their total time grouped by kind (temp tables by
prefix), then the cProfile top entries by own time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from common import Stopwatch
from workloads import BY_NAME, Context

_NAME_DIGITS = re.compile(r"\b([a-z_]+?)\d+\b")
_TEMP = re.compile(r"^CREATE (?:OR REPLACE )?TEMP(?:ORARY)? TABLE (\S+)", re.IGNORECASE)


def statement_kind(sql: str) -> str:
    """A short, stable label for a statement: its first words, numbered temp tables collapsed (``m12`` → ``m*``).

    >>> statement_kind("CREATE OR REPLACE TEMP TABLE rd_m12 AS SELECT 1")
    'CREATE TEMP TABLE rd_m*'
    """
    text = " ".join(sql.split())
    temp = _TEMP.match(text)
    words = f"CREATE TEMP TABLE {temp.group(1)}" if temp else " ".join(text.split()[:4])
    return _NAME_DIGITS.sub(r"\1*", words)[:60]


class TracingConnection:
    """Forwards to a DuckDB connection and times every ``execute`` by statement kind."""

    def __init__(self, con: Any):
        self._con = con
        self.count: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def execute(self, sql: str, parameters: Any = None):
        start = time.perf_counter()
        try:
            return self._con.execute(sql, parameters) if parameters is not None else self._con.execute(sql)
        finally:
            if Stopwatch.measuring:
                self._note(sql, time.perf_counter() - start)

    def _note(self, sql: str, seconds: float) -> None:
        kind = statement_kind(sql)
        self.count[kind] = self.count.get(kind, 0) + 1
        self.seconds[kind] = self.seconds.get(kind, 0.0) + seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def report(self, top: int) -> str:
        total, statements = sum(self.seconds.values()), sum(self.count.values())
        lines = [f"{statements} statements, {total:.3f} s in DuckDB",
                 f"{'seconds':>9} {'count':>7} {'ms each':>8}  kind"]
        for kind, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]:
            count = self.count[kind]
            lines.append(f"{seconds:9.3f} {count:7d} {seconds / count * 1000:8.2f}  {kind}")
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(BY_NAME))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "ruledeck-bench")
    parser.add_argument("--params", default="{}", help="JSON, e.g. '{\"months\": 1}' for two_years")
    parser.add_argument("--no-cprofile", action="store_true", help="statement timings only, at full speed")
    args = parser.parse_args()
    import json

    tracers: list[TracingConnection] = []

    def install(engine: Any) -> None:
        tracer = TracingConnection(engine.con)
        engine.con = tracer
        tracers.append(tracer)

    args.cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ruledeck-profile-") as scratch:
        ctx = Context(args.n, args.cache, Path(scratch), json.loads(args.params), on_open=install)
        profiler = None if args.no_cprofile else cProfile.Profile()
        Stopwatch.profiler = profiler
        outcome = BY_NAME[args.workload].engine(ctx)
    how = "without cProfile" if profiler is None else "under cProfile"
    print(f"{args.workload} at n={args.n:,}: {outcome.seconds:.3f} s measured ({how}), extra {outcome.extra}")
    for tracer in tracers:
        print(tracer.report(args.top))
    if profiler is None:
        return
    for order in ("tottime", "cumulative"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(order).print_stats(args.top)
        text = stream.getvalue()
        print(f"\n--- cProfile by {order} ---")
        print(text[text.index("ncalls"):] if "ncalls" in text else text)


if __name__ == "__main__":
    main()
