"""ruledeck benchmark suite: the engine against hand-written SQL on the same data (issue #7).

    python bench/run.py [--n N] [--only NAME[,NAME…]] [--repeat R] [--format text|markdown|json]

Every measurement runs in its own process (``worker.py``) on its own copy of
the generated database, so its peak RSS is that of a clean process. The
engine and the SQL runs alternate, R times each; the table shows medians.
``--n`` is the number of feedback cards of the generated deployment (about
7.6 per patient); ``--n 1000000`` is the full-scale run of the issue.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import BENCH, machine
from report import render
from workloads import (
    BY_NAME,
    WORKLOADS,
    Workload,
    applied_database,
    definition_files,
    ingest_events,
    loaded_events,
    stream_events,
    two_year_cards,
)

DEFAULT_N = 200_000
WORKER_TIMEOUT = 3600


@dataclass
class Measured:
    """All runs of one workload."""

    workload: Workload
    label: str
    engine: list[dict[str, Any]] = field(default_factory=list)
    sql: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def median(self, variant: str) -> float | None:
        values = [r["seconds"] for r in getattr(self, variant) if r.get("seconds") is not None]
        return statistics.median(values) if values else None

    def peak_rss(self, variant: str) -> float | None:
        values = [r["rss_mb"] for r in getattr(self, variant) if "rss_mb" in r]
        return max(values) if values else None

    def same_result(self) -> bool | None:
        """Whether the engine and the SQL left the same fingerprint (None: nothing to compare)."""
        if not self.engine or not self.sql:
            return None
        a, b = self.engine[0].get("fingerprint"), self.sql[0].get("fingerprint")
        return None if not a and not b else a == b


def run_worker(name: str, variant: str, args: argparse.Namespace, work: Path, params: dict) -> dict[str, Any]:
    """One measurement in a fresh process; its last stdout line is the JSON result."""
    command = [sys.executable, str(BENCH / "worker.py"), name, variant, "--n", str(args.n), "--cache",
               str(args.cache), "--work", str(work), "--params", json.dumps(params)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=WORKER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {WORKER_TIMEOUT} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1][:300]}
    return json.loads(lines[-1])


def prepare(args: argparse.Namespace, names: list[str]) -> None:
    """Generate the databases, event files and definitions the selected workloads need (cached)."""
    import gen_data
    import gen_definitions

    sizes = set()
    if {"restage", "incident", "ingest_loaded", "board", "open"} & set(names):
        sizes.add(args.n)
    if "incident_small" in names:
        sizes.add(max(100, args.n // 10))
    if "two_years" in names:
        sizes.add(two_year_cards(args.n))
    for cards in sorted(sizes):
        start = time.perf_counter()
        _, info = gen_data.cached(args.cache, cards)
        log(args, f"deployment {cards} cards ({info.patients} patients): {time.perf_counter() - start:.1f} s")
    if "validate" in names:
        gen_definitions.cached(args.cache, definition_files(args.n))
    if "ingest_stream" in names:
        applied_database(args.cache, stream_events(args.n))


def log(args: argparse.Namespace, message: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)


def measure(workload: Workload, args: argparse.Namespace, work: Path) -> Measured:
    """R alternating engine and SQL runs of one workload."""
    result = Measured(workload, workload.label(args.n))
    params: dict[str, Any] = {"budget_s": args.budget}
    for repeat in range(args.repeat):
        for variant in ("engine", "sql"):
            if variant == "sql" and workload.sql is None:
                continue
            start = time.perf_counter()
            outcome = run_worker(workload.name, variant, args, work, params)
            if "error" in outcome:
                result.errors.append(f"{variant}: {outcome['error']}")
                log(args, f"  {workload.name} {variant} #{repeat + 1}: ERROR {outcome['error']}")
                continue
            getattr(result, variant).append(outcome)
            if workload.name == "two_years" and variant == "engine" and "months" not in params:
                params["months"] = outcome["extra"]["months"]
            log(args, f"  {workload.name} {variant} #{repeat + 1}: {outcome.get('seconds')} s "
                      f"({time.perf_counter() - start:.1f} s with setup)")
        if result.errors and not result.engine:
            break
    return result


def select(only: str | None) -> list[Workload]:
    """The workloads named by ``--only`` (comma-separated, prefixes allowed), or all of them."""
    if not only:
        return list(WORKLOADS)
    chosen = []
    for wanted in only.split(","):
        matches = [w for w in WORKLOADS if w.name == wanted] or [w for w in WORKLOADS if w.name.startswith(wanted)]
        if not matches:
            raise SystemExit(f"unknown workload {wanted!r}; choose from {', '.join(BY_NAME)}")
        chosen += [w for w in matches if w not in chosen]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"feedback cards (default {DEFAULT_N:,})")
    parser.add_argument("--only", help=f"comma-separated workloads: {', '.join(BY_NAME)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the table shows medians")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of engine ticking in two_years before extrapolating to 24 months")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "ruledeck-bench",
                        help="where generated data is kept between runs")
    parser.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--save", type=Path, help="also write the raw results as JSON to this file")
    args = parser.parse_args()
    chosen = select(args.only)
    args.cache.mkdir(parents=True, exist_ok=True)
    log(args, f"ruledeck bench: n={args.n:,} cards, repeat={args.repeat}, ingest {ingest_events(args.n)} / "
              f"{loaded_events(args.n)} events, cache {args.cache}")
    started = time.perf_counter()
    prepare(args, [w.name for w in chosen])
    results = []
    with tempfile.TemporaryDirectory(prefix="ruledeck-bench-") as scratch:
        for workload in chosen:
            log(args, f"{workload.name}: {workload.label(args.n)}")
            results.append(measure(workload, args, Path(scratch)))
    wall, host = time.perf_counter() - started, machine()
    print(render(results, args.n, args.format, host, wall))
    if args.save:
        args.save.write_text(render(results, args.n, "json", host, wall), encoding="utf-8")


if __name__ == "__main__":
    main()
