"""Start-up of light commands (issue #15): whole-process wall time and what they import.

    python bench/startup.py [--repeat R]

Each command runs R times (default 10) as a fresh ``ruledeck`` process; the
table shows the median and best wall time, then the heavy modules the
command left in ``sys.modules`` and the cumulative ``-X importtime`` of
``ruledeck.cli.main``. ``validate`` of a shipped project runs twice: from
the validated-project cache (warm, after one run that fills it) and with
``RULEDECK_NO_CACHE=1`` (cold: every run validates). No test asserts these
times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULEDECK = Path(sys.executable).with_name("ruledeck")
SHIPPED = str(REPO / "definitions" / "complaints")
NO_CACHE = {"RULEDECK_NO_CACHE": "1"}
COMMANDS: tuple[tuple[list[str], dict[str, str]], ...] = (
    (["--help"], {}), (["schema", "--list"], {}), (["schema", "rule"], {}), (["init", "--help"], {}),
    (["validate", "--help"], {}), (["show", "--help"], {}), (["validate", SHIPPED], {}),
    (["validate", SHIPPED], NO_CACHE),
)
HEAVY = ("duckdb", "sqlglot", "jinja2", "jsonschema", "croniter", "tabulate")
PROBE = ("import atexit, sys; atexit.register(lambda: print('HEAVY:' + ','.join(m for m in {heavy!r} "
         "if m in sys.modules), file=sys.stderr)); sys.argv = ['ruledeck', *{args!r}]; "
         "from ruledeck.cli.main import main; main()")


def wall(args: list[str], repeat: int, cwd: str, env: dict[str, str] | None = None) -> list[float]:
    """Seconds per run of ``ruledeck ARGS`` as its own process (after one unmeasured run filling any cache)."""
    environment = {**os.environ, **(env or {})}
    subprocess.run([str(RULEDECK), *args], cwd=cwd, capture_output=True, check=True, env=environment)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([str(RULEDECK), *args], cwd=cwd, capture_output=True, check=True, env=environment)
        times.append(time.perf_counter() - start)
    return times


def heavy_modules(args: list[str], cwd: str, env: dict[str, str] | None = None) -> str:
    """The heavy modules ``ruledeck ARGS`` loaded."""
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY, args=args)], cwd=cwd,
                            capture_output=True, text=True, env={**os.environ, **(env or {})})
    marker = [line for line in result.stderr.splitlines() if line.startswith("HEAVY:")]
    return marker[-1].removeprefix("HEAVY:") or "none" if marker else "?"


def import_time() -> float:
    """Cumulative ``-X importtime`` of ``ruledeck.cli.main``, in milliseconds."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import ruledeck.cli.main"],
                            capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    line = next(line for line in result.stderr.splitlines() if line.rstrip().endswith("| ruledeck.cli.main"))
    return int(line.split("|")[1]) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cwd:
        print(f"{'command':40} {'median':>8} {'best':>8}  heavy modules loaded")
        for command, env in COMMANDS:
            times = wall(command, args.repeat, cwd, env)
            name = " ".join(["ruledeck", *(a.replace(str(REPO) + "/", "") for a in command)])
            name += " (no cache)" if env else ""
            print(f"{name:40} {statistics.median(times):7.3f}s {min(times):7.3f}s  "
                  f"{heavy_modules(command, cwd, env)}")
    print(f"import ruledeck.cli.main: {import_time():.1f} ms (-X importtime, cumulative)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
