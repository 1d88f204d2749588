"""Turn engine results into text, JSON, CSV, Markdown or GitHub annotations."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruledeck.engine import Finding

MAX_FINDINGS = 50


def _excerpt(finding: Finding) -> list[str]:
    try:
        lines = Path(finding.file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    if not 0 < finding.line <= len(lines):
        return []
    width = len(str(finding.line))
    gutter = " " * width
    return [f"  {finding.line} | {lines[finding.line - 1]}", f"  {gutter} | {' ' * (finding.col - 1)}^"]


def finding_line(finding: Finding) -> str:
    """``file:line:col: severity CODE at ELEMENT: message (hint)``, naming the element when it is known.

    >>> from ruledeck.engine import Finding
    >>> print(finding_line(Finding("rules.yaml", 12, 7, "E-REF-STAGE", "no stage 'x'", path="rules.r.then[0].move")))
    rules.yaml:12:7: error E-REF-STAGE at rules.r.then[0].move: no stage 'x'
    """
    where = f" at {finding.path}" if finding.path else ""
    head = f"{finding.file}:{finding.line}:{finding.col}: {finding.severity.value} {finding.code}{where}"
    text = f"{head}: {finding.message}"
    return text + (f" ({finding.hint})" if finding.hint else "")


def findings_text(findings: Sequence[Finding], limit: int = MAX_FINDINGS, excerpts: bool = True) -> str:
    """One :func:`finding_line` per finding with a source excerpt, capped at ``limit``."""
    out: list[str] = []
    for finding in findings[:limit]:
        out.append(finding_line(finding))
        if excerpts:
            out.extend(_excerpt(finding))
    if len(findings) > limit:
        out.append(f"… and {len(findings) - limit} more")
    return "\n".join(out)


def findings_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow annotations, one per finding."""
    lines = []
    for f in findings:
        level = "error" if f.severity.value == "error" else "warning"
        message = f.message + (f" ({f.hint})" if f.hint else "")
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        lines.append(f"::{level} file={f.file},line={f.line},col={f.col},title={f.code}::{message}")
    return "\n".join(lines)


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding as a JSON-ready mapping."""
    return {
        "file": finding.file, "line": finding.line, "col": finding.col, "severity": finding.severity.value,
        "code": finding.code, "message": finding.message, "hint": finding.hint, "path": finding.path,
    }


def to_json(value: Any) -> str:
    """Indented JSON; dates and decimals as strings."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def table(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Render rows of dicts as text (aligned), markdown, json or csv."""
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        return to_json([{c: r.get(c) for c in columns} for r in rows])
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if r.get(c) is None else r.get(c) for c in columns] for r in rows])
        return buffer.getvalue().rstrip("\n")
    from tabulate import tabulate  # only when a table is printed: it costs ~50 ms of start-up

    data = [["" if r.get(c) is None else r.get(c) for c in columns] for r in rows]
    return tabulate(data, headers=columns, tablefmt="github" if fmt == "markdown" else "simple",
                    disable_numparse=True)
