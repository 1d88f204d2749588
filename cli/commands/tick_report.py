"""What ``ruledeck tick`` prints: every occurrence that fired with its due time, then the summary line."""

from __future__ import annotations

from typing import Any

from ..textwidth import pad, width

SHOWN = 50
"""Occurrences listed in text; the rest are counted (``--format json`` lists them all)."""


def tick_text(summary: Any, zone: Any) -> str:
    """The occurrences, one a line (``restage_monthly  2026-04-01 06:00 ×1``), then ``clock A -> B: …``."""
    occurrences = summary.occurrences
    cells = max((width(o.rule) for o in occurrences[:SHOWN]), default=0)
    lines = [f"{pad(o.rule, cells)}  {o.due.astimezone(zone):%Y-%m-%d %H:%M} ×{o.count}" for o in occurrences[:SHOWN]]
    if len(occurrences) > SHOWN:
        lines.append(f"… and {len(occurrences) - SHOWN} more (--format json lists them all)")
    fired = ", ".join(f"{name} ×{count}" for name, count in summary.fired.items()) or "nothing fired"
    start = summary.start.isoformat() if summary.start else "(not started)"
    lines.append(f"clock {start} -> {summary.end.isoformat()}: {summary.steps} step(s); {fired}")
    return "\n".join(lines)


def tick_dict(summary: Any) -> dict[str, Any]:
    """``tick --format json``: the clock's move, the counts per rule and every occurrence with its due time."""
    return {"from": summary.start, "to": summary.end, "steps": summary.steps, "fired": summary.fired,
            "occurrences": [{"rule": o.rule, "due": o.due, "count": o.count, "items": o.items}
                            for o in summary.occurrences]}
