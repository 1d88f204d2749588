"""Render the benchmark results: one table (medians), then the figures behind each verdict."""

from __future__ import annotations

import json
import statistics
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

if TYPE_CHECKING:
    from run import Measured

RSS_LIMIT_MB = 1024
INGEST_TARGET = 50_000
STREAM_GROWTH_MB = 10
"""Peak RSS growth from the first quarter of a stream to its end that still counts as flat."""


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4f}" if value < 0.1 else f"{value:.3f}" if value < 10 else f"{value:,.1f}"


def _extra(result: Measured, key: str) -> list[Any]:
    return [r["extra"][key] for r in result.engine if key in r.get("extra", {})]


def _events_per_second(result: Measured) -> float | None:
    rates = _extra(result, "events_per_s")
    return statistics.median(rates) if rates else None


def verdict(result: Measured, by_name: dict[str, Measured]) -> tuple[str, str]:
    """(target, met) for one workload; ``met`` is yes / NO (by how much) / report."""
    name, engine, sql = result.workload.name, result.median("engine"), result.median("sql")
    if engine is None:
        return result.workload.target, "error"
    if name == "restage" and sql:
        ratio = engine / sql
        return result.workload.target, "yes" if ratio <= 1.5 else f"NO ({ratio / 1.5:.1f}x over)"
    if name == "incident" and "incident_small" in by_name and by_name["incident_small"].median("engine"):
        growth = engine / by_name["incident_small"].median("engine")
        return f"{result.workload.target} ({growth:.2f}x)", "yes" if growth <= 2 else f"NO ({growth:.1f}x)"
    if name in ("ingest", "ingest_loaded"):
        rate = _events_per_second(result) or 0.0
        met = "yes" if rate >= INGEST_TARGET else f"NO ({INGEST_TARGET / max(rate, 1e-9):,.0f}x short)"
        return f"{result.workload.target} (got {rate:,.1f}/s)", met
    if name == "ingest_stream":
        growth = max(_extra(result, "growth_mb") or [0.0])
        return f"{result.workload.target} (+{growth:.0f} MB)", "yes" if growth <= STREAM_GROWTH_MB else "NO"
    if name == "board":
        return result.workload.target, "yes" if engine <= 0.3 else f"NO ({engine / 0.3:.1f}x over)"
    if name == "validate":
        return result.workload.target, "yes" if engine <= 1.0 else f"NO ({engine:.1f}x over)"
    return result.workload.target, "report"


def rows(results: list[Measured]) -> list[dict[str, str]]:
    """One row per workload."""
    by_name = {r.workload.name: r for r in results}
    table = []
    for result in results:
        engine, sql = result.median("engine"), result.median("sql")
        ratio = f"{engine / sql:,.1f}x" if engine is not None and sql else "n/a"
        target, met = verdict(result, by_name)
        same = result.same_result()
        rss = result.peak_rss("engine")
        table.append({"workload": result.label, "engine s": _seconds(engine), "baseline s": _seconds(sql),
                      "ratio": ratio, "peak RSS MB": f"{rss:,.0f}" if rss else "n/a",
                      "target": target, "met": met,
                      "same result": {True: "yes", False: "DIFF", None: "-"}[same]})
    return table


def notes(results: list[Measured], n: int) -> list[str]:
    """The figures behind the table: extrapolations, memory over time, baselines, errors."""
    lines = []
    for result in results:
        name = result.workload.name
        if result.workload.baseline != "hand-written SQL":
            lines.append(f"{result.label}: baseline is {result.workload.baseline}")
        if name in ("ingest", "ingest_loaded") and result.engine:
            rate = _events_per_second(result)
            extra = result.engine[0]["extra"]
            lines.append(f"{result.label}: {rate:,.1f} events/s measured on {extra['events']} events; "
                         f"100k events extrapolated: {100_000 / rate:,.0f} s (EXTRAPOLATED); "
                         f"RSS at each quarter of the stream: {extra['rss_quarters_mb']} MB")
        if name == "ingest_stream" and result.engine:
            extra = result.engine[0]["extra"]
            lines.append(f"{result.label}: RSS at each quarter of the {extra['events']:,}-event stream: "
                         f"{extra['rss_quarters_mb']} MB (the input path: read, check, duplicate lookup)")
        if name == "two_years" and result.engine:
            extra = result.engine[0]["extra"]
            per_month = statistics.median(_extra(result, "per_month_s"))
            sql_month = statistics.median([r["extra"]["per_month_s"] for r in result.sql]) if result.sql else None
            label = "EXTRAPOLATED from" if extra["extrapolated"] else "measured over"
            lines.append(f"{result.label}: {label} {extra['months']} month(s): engine {per_month:.2f} s per "
                         f"simulated month ({extra['steps']} tick steps in the first run), 24 months "
                         f"{per_month * 24:,.0f} s; SQL {_seconds(sql_month)} s per month")
        if name == "incident" and result.engine:
            hold = statistics.median(_extra(result, "hold_s"))
            resume = statistics.median(_extra(result, "resume_s"))
            lines.append(f"{result.label}: hold {hold:.3f} s + resume {resume:.3f} s")
        for error in result.errors:
            lines.append(f"{result.label}: ERROR {error}")
    peaks = [r.peak_rss("engine") for r in results if r.peak_rss("engine")]
    if peaks:
        peak = max(peaks)
        verdict_text = "yes" if peak <= RSS_LIMIT_MB else f"NO ({peak / RSS_LIMIT_MB:.1f}x over)"
        lines.append(f"peak RSS of any engine run at n={n:,}: {peak:,.0f} MB (target <= {RSS_LIMIT_MB} MB: "
                     f"{verdict_text})")
    return lines


def render(results: list[Measured], n: int, fmt: str, host: dict[str, str], wall: float) -> str:
    """The whole report in ``fmt`` (text, markdown or json)."""
    if fmt == "json":
        return json.dumps({"n": n, "machine": host, "wall_s": round(wall, 1),
                           "results": [{"workload": r.workload.name, "label": r.label, "engine": r.engine,
                                        "sql": r.sql, "errors": r.errors} for r in results]},
                          default=str, ensure_ascii=False, indent=1)
    header = (f"ruledeck bench, n={n:,} cards; nproc {host['nproc']}, RAM {host['ram']}, Python {host['python']}, "
              f"DuckDB {host['duckdb']}, {host['date']}; medians; wall {wall:,.0f} s")
    table = tabulate(rows(results), headers="keys", tablefmt="github" if fmt == "markdown" else "simple",
                     disable_numparse=True)
    bullet = "- " if fmt == "markdown" else "  "
    return "\n".join([header, "", table, "", *(bullet + line for line in notes(results, n))])
