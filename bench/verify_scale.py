"""How ``verify`` grows with the history (issue #15): ingest N events, then time ``Engine.verify()``.

    python bench/verify_scale.py [--sizes 1000,10000,100000] [--tick-every K]

For each N a fresh database of the prosthesis follow-up project gets N
``prosthesis_issued`` events (bench/gen_events.py, one every ``--step``
seconds: at 1 s, events after the first day meet the calls falling due and
go one at a time, in the live ingest and in the replay alike), in one
ingest, or with a ``tick`` command after every K events (so the replay has
commands between runs of events, as a deployment's log does). The table
shows the ingest time, the verify time and verify's microseconds per input.
No test asserts these times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT, ZONE
from gen_events import issued_events
from ruledeck.engine import Engine, load_project, read_jsonl

START = dt.datetime(2026, 6, 1, 10, 0, tzinfo=ZONE)


def build(path: Path, events: Path, tick_every: int | None) -> tuple[Engine, float]:
    """A database fed with ``events`` (and ticks); the engine and the seconds it took."""
    engine = Engine.open(load_project(PROJECT), str(path))
    started = time.perf_counter()
    with open(events, encoding="utf-8") as stream:
        records = read_jsonl(stream)
        if tick_every is None:
            engine.ingest(records)
        else:
            while chunk := list(itertools.islice(records, tick_every)):
                engine.ingest(chunk)
                engine.tick(engine.clock() + dt.timedelta(seconds=1))
    return engine, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--tick-every", type=int, default=None)
    parser.add_argument("--step", type=float, default=1.0,
                        help="seconds between events (at 1 s, 100k events reach the first calls due a day later)")
    args = parser.parse_args()
    print(f"{'events':>8} {'commands':>8} {'ingest':>9} {'verify':>9} {'µs/input':>9}  result")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="ruledeck-verify-bench-") as folder:
            events = issued_events(Path(folder) / "events.jsonl", size, START, step_seconds=args.step)
            engine, ingest_seconds = build(Path(folder) / "live.duckdb", events, args.tick_every)
            started = time.perf_counter()
            result = engine.verify()
            seconds = time.perf_counter() - started
            engine.close()
        inputs = result.events + result.commands
        status = "match" if not result.differences else f"{len(result.differences)} table(s) differ"
        print(f"{result.events:>8} {result.commands:>8} {ingest_seconds:>8.2f}s {seconds:>8.2f}s "
              f"{seconds / inputs * 1e6:>9.0f}  {status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
