"""``ruledeck test``: run the scenario specs in each project's ``tests/`` folder."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import click
from ruledeck.engine import CheckStatus as Status
from ruledeck.engine import UsageError

from ..exit_codes import ExitCode
from ..options import format_option
from ..render import findings_text

if TYPE_CHECKING:
    from ruledeck.engine import Finding, ProjectRun, SpecResult, SuiteResult

MAX_FAILURES = 20
LABELS = {"passed": "PASS ", "failed": "FAIL ", "error": "ERROR"}


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-k", "select", metavar="SUBSTRING", help="Run only specs whose file name or title contains it.")
@format_option(("text", "junit"))
@click.option("--db", "database", default=None, metavar="URL",
              help="Run each spec in a new schema of this PostgreSQL database (postgresql://…), dropped afterwards.")
@click.pass_context
def test(ctx: click.Context, paths: tuple[Path, ...], select: str | None, fmt: str, database: str | None) -> None:
    """Run the scenario specs (tests/*.yaml) of projects against a simulated clock.

    Each spec runs in its own in-memory database (with --db, its own schema
    of a PostgreSQL database): it sets the clock, feeds
    events, completes tasks and ticks, and after any step checks items,
    tasks, documents, messages, boards and rejected events. A failed
    expectation prints its file:line, expected and actual. Exit 0 when all
    pass, 1 when any fails.

    \b
    Example:
      ruledeck test definitions
      ruledeck test definitions/complaints -k resubmit --format junit > report.xml
    """
    from ruledeck.engine import run_specs

    live = fmt == "text"
    suite = run_specs(list(paths) or [Path(".")], select, _progress if live else None, database)
    if not suite.specs and not any(p.findings for p in suite.projects):
        where = ", ".join(str(p.root) for p in suite.projects)
        hint = f" matching '{select}'" if select else ""
        raise UsageError(f"no specs{hint} in {where}: put scenario specs in PROJECT/tests/*.yaml")
    if fmt == "junit":
        click.echo(junit(suite))
    else:
        for project in suite.projects:
            if project.findings:
                click.echo(f"{project.root}: the project has errors, no spec was run", err=True)
                click.echo(findings_text(project.findings), err=True)
        click.echo(summary(suite))
    ctx.exit(ExitCode.OK if suite.ok else ExitCode.FINDINGS)


def _progress(result: SpecResult) -> None:
    """Print one spec's outcome as soon as it is known, with its failures."""
    line = f"{LABELS[result.status]} {result.file}  {result.title}"
    if result.status != "error":
        line += f"  ({len(result.checks)} expectations, {result.seconds:.1f}s)"
    click.echo(line)
    for text in spec_details(result):
        click.echo(text)
    sys.stdout.flush()


def spec_details(result: SpecResult) -> list[str]:
    """The indented lines under a spec: errors, failures (with the source line), xfails."""
    lines: list[str] = []
    if result.findings:
        lines += ["    " + line for line in findings_text(result.findings).splitlines()]
    failures = sorted(result.failures, key=lambda c: (c.line, c.col))
    for check in failures[:MAX_FAILURES]:
        lines.append(f"    {check.location()}: {check.message()}")
        lines += ["    " + text for text in _excerpt(check.file, check.line, check.col)]
    if len(failures) > MAX_FAILURES:
        lines.append(f"    … and {len(failures) - MAX_FAILURES} more failed expectations")
    if result.error is not None:
        lines += ["    " + line for line in findings_text([result.error]).splitlines()]
        lines.append("    (the spec stopped at this step)")
    for check in result.checks:
        if check.status is Status.XFAILED and check.what:
            lines.append(f"    xfail {check.location()}: {check.subject}: {check.what} ({check.reason})")
    return lines


def _excerpt(file: str, line: int, col: int) -> list[str]:
    try:
        text = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    if not 0 < line <= len(text):
        return []
    gutter = " " * len(str(line))
    return [f"  {line} | {text[line - 1]}", f"  {gutter} | {' ' * (col - 1)}^"]


def project_line(project: ProjectRun) -> str:
    """``prosthesis-followup: 5 specs, 140 expectations`` (and what failed)."""
    specs = project.specs
    bad = [s for s in specs if s.status != "passed"]
    text = f"{project.name}: {len(specs)} spec(s), {project.expectations} expectations"
    return text + (f", {len(bad)} not passing" if bad else "")


def summary(suite: SuiteResult) -> str:
    """The closing lines: one per project, then the totals."""
    specs = suite.specs
    by_status = {s: sum(1 for r in specs if r.status == s) for s in ("passed", "failed", "error")}
    lines = [""] + [project_line(p) for p in suite.projects]
    lines.append(f"{len(specs)} spec(s): {by_status['passed']} passed, {by_status['failed']} failed, "
                 f"{by_status['error']} error(s); {suite.expectations} expectations: "
                 f"{suite.count(Status.PASSED)} passed, {suite.count(Status.FAILED)} failed, "
                 f"{suite.count(Status.XFAILED)} xfailed, {suite.count(Status.XPASSED)} xpassed")
    return "\n".join(lines)


def junit(suite: SuiteResult) -> str:
    """JUnit XML: a testsuite per project, a testcase per spec."""
    root = ET.Element("testsuites", name="ruledeck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for project in suite.projects:
        cases = [_case(project, spec) for spec in project.specs]
        if project.findings:
            cases.append(_finding_case(project, project.findings))
        counts = {"tests": len(cases), "failures": sum(c.find("failure") is not None for c in cases),
                  "errors": sum(c.find("error") is not None for c in cases), "skipped": 0}
        element = ET.SubElement(root, "testsuite", name=project.name,
                                time=f"{sum(s.seconds for s in project.specs):.3f}",
                                **{k: str(v) for k, v in counts.items()})
        element.extend(cases)
        for key, value in counts.items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _case(project: ProjectRun, spec: SpecResult) -> ET.Element:
    case = ET.Element("testcase", classname=project.name, name=f"{spec.path.stem}: {spec.title}",
                      file=spec.file, time=f"{spec.seconds:.3f}")
    details = "\n".join(spec_details(spec))
    if spec.status == "error":
        first = (spec.findings[0] if spec.findings else spec.error)
        ET.SubElement(case, "error", message=first.message if first else "error").text = details
    elif spec.status == "failed":
        failures = spec.failures
        ET.SubElement(case, "failure", message=f"{len(failures)} expectation(s) failed: "
                                               f"{failures[0].message()}").text = details
    out = f"{len(spec.checks)} expectations, {spec.count(Status.XFAILED)} xfailed"
    ET.SubElement(case, "system-out").text = out + ("\n" + details if details and spec.status == "passed" else "")
    return case


def _finding_case(project: ProjectRun, findings: list[Finding]) -> ET.Element:
    case = ET.Element("testcase", classname=project.name, name="definitions", file=str(project.root))
    ET.SubElement(case, "error", message=findings[0].message).text = findings_text(findings, excerpts=False)
    return case
