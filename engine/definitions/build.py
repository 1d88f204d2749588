"""Turn schema-valid YAML documents into the :class:`~.model.Project` model."""

from __future__ import annotations

from typing import Any

from ..errors import Finding
from .model import (
    Action,
    Definition,
    EventType,
    FieldDef,
    Loc,
    PeriodRow,
    PeriodTable,
    PeriodVariant,
    Pipeline,
    Process,
    Project,
    Requirement,
    Rule,
    Stage,
    TaskKind,
    Trigger,
)
from .project_files import SECTIONS, ProjectFiles
from .task_forms import build_task_form

TRIGGER_KINDS = ("event", "created", "entered", "left", "changed", "cron", "date", "dwell", "task", "called")
TRIGGER_OPTIONS = ("missed", "offset", "for", "outcome")
SIMPLE_SECTIONS = ("roles", "people", "lookups", "templates", "boards", "reports")


def build_project(files: ProjectFiles, broken: dict[str, set[str]]) -> tuple[Project, list[Finding]]:
    """Model every definition not listed in ``broken``; report names defined twice."""
    config = files.config.data if files.config and isinstance(files.config.data, dict) else {}
    project = Project(
        root=files.root,
        name=str(config.get("name", files.root.name)),
        timezone=str(config.get("timezone", "UTC")),
        database=str(config.get("database", "ruledeck.duckdb")),
        documents_dir=str(config.get("documents", config.get("documents_dir", "documents"))),
        cascade_depth=_int(config.get("cascade_depth"), 10),
        late_events=str(config.get("late_events", "apply_at_clock")),
        late_events_grace=str(config["late_events_grace"]) if config.get("late_events_grace") else None,
        loc=Loc(files.config) if files.config else None,
        broken=broken,
    )
    findings: list[Finding] = []
    seen: dict[tuple[str, str], Loc] = {}
    documents = ([files.config] if files.config else []) + files.documents
    for doc in documents:
        if not isinstance(doc.data, dict):
            continue
        for section in SECTIONS:
            entries = doc.data.get(section)
            if not isinstance(entries, dict):
                continue
            for name, spec in entries.items():
                loc = Loc(doc, (section, name))
                if (section, name) in seen:
                    findings.append(_duplicate(section, name, loc, seen[(section, name)]))
                    continue
                seen[(section, name)] = loc
                if name in broken.get(section, set()) or not isinstance(spec, dict):
                    continue
                getattr(project, section)[name] = _BUILDERS[section](name, spec, loc)
    return project, findings


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _duplicate(section: str, name: str, loc: Loc, first: Loc) -> Finding:
    pos, first_pos = loc.position(key=True), first.position(key=True)
    kind = section.rstrip("s").replace("_", " ") if section != "people" else "person"
    return Finding(loc.file, pos.line, pos.col, "E-NAME-DUPLICATE",
                   f"{kind} '{name}' is defined twice (first at {first.file}:{first_pos.line})",
                   path=f"{section}.{name}", hint="names must be unique across the project's files")


def build_fields(specs: dict | None, loc: Loc) -> dict[str, FieldDef]:
    """Field declarations -> :class:`FieldDef` objects."""
    fields: dict[str, FieldDef] = {}
    for name, spec in (specs or {}).items():
        spec = spec or {}
        values = spec.get("values") or ()
        fields[name] = FieldDef(
            name=name,
            type=spec.get("type", "string"),
            loc=loc.at(name),
            many=bool(spec.get("many", False)),
            required=bool(spec.get("required", False)),
            default=spec.get("default"),
            values=tuple(str(v) for v in values),
            process=spec.get("process"),
            sequence=spec.get("sequence"),
            compute=spec.get("compute"),
            rollup=spec.get("rollup"),
            label=spec.get("label", ""),
            scale=int(spec.get("scale", 2)),
            unique=tuple(unique) if isinstance(unique := spec.get("unique", False), list) else unique is True,
            min=spec.get("min"),
            max=spec.get("max"),
            min_length=spec.get("min_length"),
            max_length=spec.get("max_length"),
            pattern=spec.get("pattern"),
            of=build_fields(spec["of"], loc.at(name, "of")) if isinstance(spec.get("of"), dict) else None,
        )
    return fields


def build_requirements(specs: Any, loc: Loc, fields: dict[str, FieldDef] | None = None,
                       default_message: str = "") -> list[Requirement]:
    """A ``require:`` list -> :class:`Requirement` objects.

    With ``fields`` (a stage's), a bare field name is shorthand for "filled": non-blank for text, not null
    otherwise, refused with ``default_message`` (``{field}`` is replaced by the field's name).
    """
    requirements = []
    for index, spec in enumerate(specs if isinstance(specs, list) else []):
        rloc = loc.at(index)
        if isinstance(spec, str) and fields is not None:
            declared = fields.get(spec)
            if declared is not None and declared.many:
                that = f"cardinality({spec}) > 0"
            elif declared is not None and declared.type in ("string", "text"):
                that = f"trim({spec}) <> ''"
            else:
                that = f"{spec} is not null"
            requirements.append(Requirement(that, default_message.replace("{field}", spec), rloc, spec))
        elif isinstance(spec, dict) and isinstance(spec.get("that"), str):
            requirements.append(Requirement(spec["that"], str(spec.get("message", "")), rloc))
    return requirements


def _process(name: str, spec: dict, loc: Loc) -> Process:
    pipelines: dict[str, Pipeline] = {}
    fields = build_fields(spec.get("fields"), loc.at("fields"))
    for pname, pspec in (spec.get("pipelines") or {}).items():
        ploc = loc.at("pipelines", pname)
        stages = {}
        for sname, sspec in ((pspec or {}).get("stages") or {}).items():
            sspec, sloc = sspec or {}, ploc.at("stages", sname)
            message = (f"{{% if id %}}'{name}' item {{{{ id }}}}{{% else %}}a new '{name}'{{% endif %}} "
                       f"cannot enter stage '{sname}': field '{{field}}' is empty")
            stages[sname] = Stage(sname, sspec.get("kind", "open"), sloc, sspec.get("label", ""),
                                  build_requirements(sspec.get("require"), sloc.at("require"), fields, message))
        pipelines[pname] = Pipeline(pname, stages, ploc, (pspec or {}).get("label", ""))
    tasks = {
        tname: TaskKind(tname, loc.at("tasks", tname), tspec.get("title", ""), tspec.get("assignee"),
                        tspec.get("due"), tuple(tspec.get("outcomes") or ()), tspec.get("completed_by"))
        for tname, tspec in (spec.get("tasks") or {}).items()
        for tspec in [tspec or {}]
    }
    for tname, tspec in (spec.get("tasks") or {}).items():
        build_task_form(tasks[tname], tspec or {}, loc.at("tasks", tname))
    initial = spec.get("initial") or {}
    first_pipeline = next(iter(pipelines), "")
    initial_pipeline = initial.get("pipeline", first_pipeline)
    stages = pipelines[initial_pipeline].stages if initial_pipeline in pipelines else {}
    return Process(
        name=name,
        loc=loc,
        fields=fields,
        pipelines=pipelines,
        tasks=tasks,
        title=spec.get("title"),
        label=spec.get("label", ""),
        initial_pipeline=initial_pipeline,
        initial_stage=initial.get("stage", next(iter(stages), "")),
        key=spec.get("key"),
    )


def _event_type(name: str, spec: dict, loc: Loc) -> EventType:
    return EventType(name, loc, build_fields(spec.get("fields"), loc.at("fields")), spec.get("label", ""),
                     build_requirements(spec.get("require"), loc.at("require")))


def _trigger(spec: dict, loc: Loc) -> Trigger:
    kind = next((k for k in TRIGGER_KINDS if k in spec), "")
    options = {k: v for k, v in spec.items() if k in TRIGGER_OPTIONS}
    return Trigger(kind, spec.get(kind), loc, options)


def build_actions(specs: list | None, loc: Loc) -> list[Action]:
    """An action list -> :class:`Action` objects, nested ``update`` and ``for_each`` lists included."""
    actions = []
    for index, spec in enumerate(specs or []):
        if not isinstance(spec, dict) or len(spec) != 1:
            continue
        (kind, body), = spec.items()
        aloc = loc.at(index)
        children = []
        if kind in ("update", "for_each") and isinstance(body, dict):
            children = build_actions(body.get("then"), aloc.at(kind, "then"))
        actions.append(Action(kind, body, aloc, children))
    return actions


def _rule(name: str, spec: dict, loc: Loc) -> Rule:
    return Rule(
        name=name,
        loc=loc,
        trigger=_trigger(spec.get("when") or {}, loc.at("when")),
        actions=build_actions(spec.get("then"), loc.at("then")),
        process=spec.get("process"),
        pipeline=spec.get("pipeline"),
        condition=spec.get("if"),
        label=spec.get("label", ""),
        enabled=spec.get("enabled", True),
    )


def _period_table(name: str, spec: dict, loc: Loc) -> PeriodTable:
    variants = []
    for vname, vspec in (spec.get("variants") or {}).items():
        vloc = loc.at("variants", vname)
        rows = [
            PeriodRow(str(r.get("offset", "")), str(r.get("label", "")), vloc.at("rows", i),
                      tuple(str(q) for q in r.get("questions") or ()))
            for i, r in enumerate(vspec.get("rows") or [])
        ]
        variants.append(PeriodVariant(vname, vloc, rows, vspec.get("when"), bool(vspec.get("default"))))
    return PeriodTable(name, loc, variants, spec.get("label", ""))


def _simple(name: str, spec: dict, loc: Loc) -> Definition:
    return Definition(name, loc, spec)


_BUILDERS: dict[str, Any] = {
    "processes": _process,
    "event_types": _event_type,
    "rules": _rule,
    "period_tables": _period_table,
    **{section: _simple for section in SIMPLE_SECTIONS},
}

