"""Run one measurement in this (fresh) process and print it as one JSON line.

``python bench/worker.py WORKLOAD engine|sql --n N --cache DIR --work DIR [--params JSON]``

The orchestrator (``run.py``) starts one worker per measurement so that every
peak RSS figure is that of a clean process.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import traceback
from pathlib import Path

from common import peak_rss_mb
from workloads import BY_NAME, Context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(BY_NAME))
    parser.add_argument("variant", choices=["engine", "sql"])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--params", default="{}")
    args = parser.parse_args()
    workload = BY_NAME[args.workload]
    function = workload.engine if args.variant == "engine" else workload.sql
    ctx = Context(args.n, args.cache, args.work, json.loads(args.params))
    try:
        outcome = function(ctx)
    except Exception as exc:  # noqa: BLE001 - reported to the orchestrator, which prints the table anyway
        traceback.print_exc()
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]}))
        sys.exit(1)
    seconds = None if math.isnan(outcome.seconds) else outcome.seconds
    print(json.dumps({"seconds": seconds, "rss_mb": round(peak_rss_mb(), 1), "fingerprint": outcome.fingerprint,
                      "extra": outcome.extra}, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
