"""Run scenario specs: each in its own in-memory database, steps in order, expectations after each.

A step that cannot be applied – an event rejected that the step did not
expect, an engine error – stops its spec with a positioned error; a failed
expectation does not (the next ones still tell something).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..definitions.model import Loc, Project
from ..definitions.project_files import display_path, find_projects
from ..errors import DefinitionError, Finding, RuledeckError
from ..runtime.engine import Engine
from ..runtime.events import RawEvent, read_jsonl
from ..runtime.ingest import IngestSummary
from ..store.scratch import fresh_database
from ..timing import parse_datetime, parse_duration
from ..validation import validate_project
from .check import check_spec
from .expect import Checker
from .results import ProjectRun, SpecResult, SuiteResult
from .spec import Spec, default_event_id, load_spec, spec_files, step_kind

Progress = Callable[[SpecResult], None]


class StepFailed(RuledeckError):
    """A step could not be applied; the spec stops here."""

    def __init__(self, loc: Loc, message: str, hint: str = ""):
        pos = loc.position()
        self.finding = Finding(loc.file, pos.line, pos.col, "E-SPEC-STEP", message, hint=hint)
        super().__init__(message)


def run_paths(paths: list[Path], select: str | None = None, progress: Progress | None = None,
              database: str | None = None) -> SuiteResult:
    """Run the specs of every project found at ``paths`` (a project, or a folder of projects).

    ``database``: a ``postgresql://`` URL to run each spec in a fresh schema of (default: in-memory DuckDB).
    """
    roots: list[Path] = []
    for path in paths:
        roots += [r for r in find_projects(path) if r not in roots]
    suite = SuiteResult()
    for root in roots:
        suite.projects.append(run_project(root, select, progress, database))
    return suite


def run_project(root: Path, select: str | None = None, progress: Progress | None = None,
                database: str | None = None) -> ProjectRun:
    """Run the specs in ``root/tests`` whose file name or title contains ``select``."""
    result = validate_project(root)
    run = ProjectRun(root, result.project.name if result.project else root.name)
    if result.project is None:
        run.findings = result.errors
        return run
    for path in spec_files(root):
        spec, findings = load_spec(path)
        if select and not _selected(path, spec, select):
            continue
        outcome = run_spec(spec, result.project, findings, database) if spec else SpecResult(
            path, display_path(path), path.stem, run.name, findings)
        run.specs.append(outcome)
        if progress:
            progress(outcome)
    return run


def _selected(path: Path, spec: Spec | None, select: str) -> bool:
    words = [path.stem, str(path)] + ([spec.title] if spec else [])
    return any(select.lower() in w.lower() for w in words)


def run_spec(spec: Spec, project: Project, findings: list[Finding] | None = None,
             database: str | None = None) -> SpecResult:
    """Check then run one spec in a fresh database (in memory; in a new schema of ``database``, a URL, if given)."""
    result = SpecResult(spec.path, spec.doc.file, spec.title, project.name, list(findings or []))
    if not result.findings:
        result.findings = check_spec(spec, project)
    if result.findings:
        return result
    started = time.perf_counter()
    with fresh_database(database) as target:
        engine = Engine.open(project, target)
        checker = Checker(engine)
        try:
            _run_steps(spec, engine, checker)
        except StepFailed as exc:
            result.error = exc.finding
        except DefinitionError as exc:
            result.findings = exc.findings
        finally:
            engine.close()
            result.checks = checker.checks
            result.seconds = time.perf_counter() - started
    return result


def _run_steps(spec: Spec, engine: Engine, checker: Checker) -> None:
    tz = engine.project.timezone
    if "start" in spec.data:
        _guard(spec.loc("start"), lambda: engine.tick(parse_datetime(str(spec.data["start"]), tz)))
    for index, step in enumerate(spec.steps()):
        loc = spec.loc("steps", index)
        kind = step_kind(step)
        if kind != "expect":
            summary = _guard(loc.at(kind), lambda k=kind, s=step, i=index: _apply(spec, engine, k, s, i))
            if summary is not None:
                _check_rejections(loc.at(kind), summary, step.get("expect") or {})
        if isinstance(step.get("expect"), dict):
            checker.run(loc.at("expect"), step["expect"])


def _guard(loc: Loc, action: Callable[[], Any]) -> Any:
    """Run a step's action; an engine error becomes a positioned :class:`StepFailed`."""
    try:
        return action()
    except StepFailed:
        raise
    except DefinitionError:
        raise
    except RuledeckError as exc:
        raise StepFailed(loc, str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - an engine bug: report it at the step, never a traceback
        raise StepFailed(loc, f"the engine failed: {type(exc).__name__}: {exc}",
                         "this is a bug in ruledeck, not in the spec") from None


def _apply(spec: Spec, engine: Engine, kind: str, step: dict[str, Any], index: int) -> IngestSummary | None:
    """Apply one step; returns the ingest summary of the steps that feed events."""
    loc = spec.loc("steps", index, kind)
    default_id = default_event_id(spec, index)
    if kind == "tick":
        tick = step["tick"]
        target = tick if isinstance(tick, str) else tick.get("to")
        actor = None if isinstance(tick, str) else tick.get("actor")
        if target is not None:
            engine.tick(parse_datetime(str(target), engine.project.timezone), actor=actor)
        else:
            now = engine.clock()
            if now is None:
                raise StepFailed(loc, "the clock has not started: give 'start:' or tick with 'to:' first")
            engine.tick(parse_duration(str(tick["by"])).add_to(now, engine.zone), actor=actor)
        return None
    if kind == "ingest":
        target = step["ingest"]
        source = target if isinstance(target, str) else target["file"]
        actor = None if isinstance(target, str) else target.get("actor")
        return engine.ingest(_file_records(spec, loc, target), source=source, actor=actor)
    if kind == "event":
        events = [step["event"]]
    elif kind == "events":
        events = step["events"]
    else:
        events = [_task_done_event(step["task_done"])]
    records = [_record(engine, loc, event, f"{default_id}" + (f".{i + 1}" if len(events) > 1 else ""), i)
               for i, event in enumerate(events)]
    return engine.ingest(records, source=spec.doc.file)


def _task_done_event(spec: dict[str, Any]) -> dict[str, Any]:
    task = spec["task"] if "task" in spec else {"process": spec["process"], "match": spec.get("match") or {},
                                                  "name": spec["name"]}
    payload = {"task": task, "outcome": spec["outcome"]}
    for key in ("comment", "fields"):
        if key in spec:
            payload[key] = spec[key]
    event = {"type": "task_done", "payload": payload}
    for key in ("id", "time", "actor"):
        if key in spec:
            event[key] = spec[key]
    return event


def _record(engine: Engine, loc: Loc, event: dict[str, Any], default_id: str, line: int) -> RawEvent:
    data = {"id": event.get("id", default_id), "type": event["type"], "time": event.get("time"),
            "payload": event.get("payload") or {}}
    if event.get("actor") is not None:
        data["actor"] = event["actor"]
    if data["time"] is None:
        now = engine.clock()
        if now is None:
            raise StepFailed(loc, "the event has no time and the clock has not started",
                             "give the event a time, or the spec a 'start:'")
        data["time"] = now.isoformat()
    data["time"] = str(data["time"])
    return RawEvent(line + 1, json.dumps(data, ensure_ascii=False, default=str), data)


def _file_records(spec: Spec, loc: Loc, target: str | dict) -> Iterator[RawEvent]:
    name, until = (target, None) if isinstance(target, str) else (target["file"], target.get("until"))
    path = spec.path.parent / name
    with open(path, encoding="utf-8") as stream:
        seen = False
        for record in read_jsonl(stream):
            yield record
            if until is not None and isinstance(record.data, dict) and str(record.data.get("id")) == str(until):
                seen = True
                break
    if until is not None and not seen:
        raise StepFailed(loc, f"there is no event '{until}' in {name}")


def _check_rejections(loc: Loc, summary: IngestSummary, expect: dict[str, Any]) -> None:
    expected = {str(entry.get("id")) for entry in expect.get("rejected") or []}
    unexpected = [r for r in summary.rejected if r.event_id not in expected]
    if unexpected:
        first = unexpected[0]
        more = f" (and {len(unexpected) - 1} more)" if len(unexpected) > 1 else ""
        raise StepFailed(loc, f"event {first.event_id} was rejected: {first.reason}{more}",
                         "fix the event, or list it under expect: rejected: if the rejection is the point")
