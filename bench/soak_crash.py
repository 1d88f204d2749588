"""Soak test: kill ruledeck hundreds of times during ingest and tick, then compare with a clean run.

    python bench/soak_crash.py [--kills 300] [--scenario complaints] [--seed 1]

Prints the number of kills that landed while a command ran and exits 1 on
any difference from the uninterrupted run.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.reliability.crash_harness import crash_until_done, dump, run, timed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--scenario", default="complaints")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    from ruledeck.engine import load_project

    processes = list(load_project(REPO / "definitions" / args.scenario).processes)
    events = str(REPO / "samples" / args.scenario / "events.jsonl")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        reference = base / "reference"
        shutil.copytree(REPO / "definitions" / args.scenario, reference / "project")
        ingest = ["ingest", events, "-p", "project", "--db", "state.duckdb"]
        tick = ["tick", "--to", "2027-01-01", "-p", "project", "--db", "state.duckdb"]
        duration = timed(ingest, reference)
        run(tick, reference)
        expected = dump(reference / "state.duckdb", processes, reference / "project" / "documents")
        landed, rounds = 0, 0
        while landed < args.kills:
            rounds += 1
            work = base / f"round{rounds}"
            shutil.copytree(REPO / "definitions" / args.scenario, work / "project")
            landed += crash_until_done(ingest, work, rng, duration * 1.2, kills=10)
            landed += crash_until_done(tick, work, rng, 2.0, kills=3)
            actual = dump(work / "state.duckdb", processes, work / "project" / "documents")
            bad = [key for key in expected if actual[key] != expected[key]]
            if bad:
                print(f"round {rounds}: differs in {', '.join(bad)} after {landed} kills")
                return 1
            shutil.rmtree(work)
            print(f"round {rounds}: ok ({landed} kills so far)", flush=True)
    print(f"{landed} kills in {rounds} rounds: every run ended in the uninterrupted state")
    return 0


if __name__ == "__main__":
    sys.exit(main())
