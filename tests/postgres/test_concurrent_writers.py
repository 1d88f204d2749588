"""Several ruledeck processes writing one PostgreSQL database at once: they take turns, nothing is lost or doubled."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]


def test_parallel_ingests_of_overlapping_files_apply_each_event_once(tmp_path, pg_url):
    project = shutil.copytree(REPO / "definitions" / "complaints", tmp_path / "complaints",
                              ignore=shutil.ignore_patterns("documents", "*.duckdb*"))
    lines = (REPO / "samples" / "complaints" / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    # Overlapping prefixes of one stream: whichever process takes the database first, the events go in in the
    # stream's order (a file starting in the middle, if it went first, would meet events it depends on missing).
    parts = [lines[:16], lines[:24], lines]
    files = []
    for number, part in enumerate(parts):
        files.append(tmp_path / f"part{number}.jsonl")
        files[-1].write_text("".join(part), encoding="utf-8")
    command = [sys.executable, "-c", "from ruledeck.cli.main import main; main()"]
    runs = [subprocess.Popen([*command, "ingest", str(f), "-p", str(project), "--db", pg_url, "--wait", "120"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    accepted = [int(out.split(" accepted")[0].split()[-1]) for out, _ in outputs]
    assert sum(accepted) == len(lines)  # each event applied by exactly one of them
    verify = subprocess.run([*command, "verify", "-p", str(project), "--db", pg_url],
                            capture_output=True, text=True, timeout=300)
    assert (verify.returncode, verify.stdout) == (0, f"verified: {len(lines)} event(s) and 0 command(s) replayed; "
                                                     "8 tables match\n")
