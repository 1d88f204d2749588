"""The compiled model of a project: typed definitions with their source places.

Built from schema-valid YAML by :mod:`.build`; semantic checks read it and the
engine runs it. Every definition keeps a :class:`Loc` so any later finding can
point at the YAML that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .yaml_loader import Position, YamlDocument

STAGE_KINDS = ("open", "success", "failure", "on_hold")
FIELD_TYPES = ("string", "text", "int", "decimal", "bool", "date", "datetime", "enum", "ref", "person", "role",
               "assignee")
SYSTEM_FIELDS = {
    "id": "int",
    "title": "string",
    "pipeline": "string",
    "stage": "string",
    "stage_kind": "string",
    "created_at": "datetime",
    "updated_at": "datetime",
    "stage_entered_at": "datetime",
    "held_from": "string",
    "held_at": "datetime",
}


@dataclass(frozen=True)
class Loc:
    """A place in a definition file: the document and the path inside it."""

    doc: YamlDocument
    path: tuple = ()

    def at(self, *sub: str | int) -> Loc:
        """The place of a child node."""
        return Loc(self.doc, (*self.path, *sub))

    def position(self, *, key: bool = False) -> Position:
        """Line and column of this place (of its key when ``key``)."""
        return self.doc.position(self.path, key=key)

    @property
    def file(self) -> str:
        return self.doc.file


@dataclass
class FieldDef:
    """A typed field of a process, an event type or a lookup."""

    name: str
    type: str
    loc: Loc
    many: bool = False
    required: bool = False
    default: Any = None
    values: tuple[str, ...] = ()
    process: str | None = None
    sequence: str | None = None
    compute: str | None = None
    rollup: dict | None = None
    label: str = ""
    scale: int = 2
    unique: bool | tuple[str, ...] = False
    """``True``: no two items of the process share a value; a tuple: not within the same values of those fields."""
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    of: dict[str, FieldDef] | None = None
    """A ``list`` field's record: the fields of each element (event payloads only)."""

    @property
    def constrained(self) -> bool:
        """Whether a value of this field is checked beyond its type (bounds, length, pattern, non-blank, unique;
        an ``assignee`` names a person or a role)."""
        return bool(self.unique or self.min is not None or self.max is not None or self.min_length is not None
                    or self.max_length is not None or self.pattern is not None
                    or (self.required and self.type in ("string", "text")) or self.type == "assignee")

    @property
    def settable(self) -> bool:
        """Whether actions may set it (computed and rollup fields are read-only)."""
        return self.compute is None and self.rollup is None


@dataclass
class Requirement:
    """What must hold (``that``, an expression) or else the input is refused with ``message`` (a template).

    A stage's ``require: [FIELD, ...]`` shorthand is a requirement whose ``field`` is set: filled and non-blank.
    """

    that: str
    message: str
    loc: Loc
    field: str | None = None


@dataclass
class Stage:
    """One column of a pipeline."""

    name: str
    kind: str
    loc: Loc
    label: str = ""
    require: list[Requirement] = field(default_factory=list)
    """What must hold for an item to enter the stage."""


@dataclass
class Pipeline:
    """An ordered list of stages."""

    name: str
    stages: dict[str, Stage]
    loc: Loc
    label: str = ""


@dataclass
class OutcomeRule:
    """What completing a task with one outcome needs: form fields filled in, a comment."""

    loc: Loc
    require: tuple[str, ...] = ()
    comment_required: bool = False


@dataclass
class TaskForm:
    """A task kind's ``form:``: the fields a completion fills in, and per outcome what it needs."""

    fields: EventType
    """The form's fields as an event type, so completions are checked like event payloads."""
    outcomes: dict[str, OutcomeRule] = field(default_factory=dict)


@dataclass
class TaskKind:
    """A kind of task a process's rules may create."""

    form: ClassVar[TaskForm | None] = None
    """Fields a completion fills in (``--set``, a ``task_done`` event's ``fields``), read by rules as ``task.NAME``.

    Set per kind by ``build_task_form`` (an instance attribute; the class keeps None for kinds without a form).
    """

    name: str
    loc: Loc
    title: str = ""
    assignee: dict | None = None
    due: str | None = None
    outcomes: tuple[str, ...] = ()
    completed_by: str | dict | None = None
    """Who may complete it from outside: ``assignee``, ``{role: NAME}`` or a condition over the item and ``actor``."""


@dataclass
class Process:
    """A kind of work item with its fields, pipelines and task kinds."""

    name: str
    loc: Loc
    fields: dict[str, FieldDef]
    pipelines: dict[str, Pipeline]
    tasks: dict[str, TaskKind] = field(default_factory=dict)
    title: str | None = None
    label: str = ""
    initial_pipeline: str = ""
    initial_stage: str = ""
    key: str | None = None
    """A field whose value names an item in events (e.g. an external CRM id)."""

    def stage_names(self) -> set[str]:
        """Every stage name in any of its pipelines."""
        return {s for p in self.pipelines.values() for s in p.stages}


@dataclass
class EventType:
    """A declared event and its payload fields."""

    name: str
    loc: Loc
    fields: dict[str, FieldDef]
    label: str = ""
    require: list[Requirement] = field(default_factory=list)
    """Cross-field checks on the payload, made before any rule runs."""


@dataclass
class Trigger:
    """The ``when`` of a rule: its kind, its main argument and modifiers."""

    kind: str
    value: Any
    loc: Loc
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Action:
    """One step of a rule's ``then``; ``children`` are nested actions (``update``)."""

    kind: str
    spec: Any
    loc: Loc
    children: list[Action] = field(default_factory=list)


@dataclass
class Rule:
    """When something happens, if a condition holds, run actions."""

    name: str
    loc: Loc
    trigger: Trigger
    actions: list[Action]
    process: str | None = None
    pipeline: str | None = None
    condition: str | None = None
    label: str = ""
    enabled: bool = True


@dataclass
class PeriodRow:
    """One follow-up period: an offset from the anchor, a label, its questions."""

    offset: str
    label: str
    loc: Loc
    questions: tuple[str, ...] = ()


@dataclass
class PeriodVariant:
    """Rows that apply when the variant's condition holds (or by default)."""

    name: str
    loc: Loc
    rows: list[PeriodRow]
    when: str | None = None
    default: bool = False


@dataclass
class PeriodTable:
    """Follow-up periods with variants chosen by a condition."""

    name: str
    loc: Loc
    variants: list[PeriodVariant]
    label: str = ""


@dataclass
class Definition:
    """A definition kept as validated data (roles, people, lookups, templates, boards, reports)."""

    name: str
    loc: Loc
    spec: dict


@dataclass
class Project:
    """A whole project: settings from ``ruledeck.yaml`` and every definition."""

    root: Path
    name: str
    timezone: str
    database: str = "ruledeck.duckdb"
    documents_dir: str = "documents"
    cascade_depth: int = 10
    late_events: str = "apply_at_clock"
    """What an event older than the clock gets: applied at the clock's time, or ``reject``-ed."""
    late_events_grace: str | None = None
    """With ``late_events: reject``: how far behind the clock an event may still be (applied at the clock)."""
    loc: Loc | None = None
    processes: dict[str, Process] = field(default_factory=dict)
    event_types: dict[str, EventType] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    period_tables: dict[str, PeriodTable] = field(default_factory=dict)
    roles: dict[str, Definition] = field(default_factory=dict)
    people: dict[str, Definition] = field(default_factory=dict)
    lookups: dict[str, Definition] = field(default_factory=dict)
    templates: dict[str, Definition] = field(default_factory=dict)
    boards: dict[str, Definition] = field(default_factory=dict)
    reports: dict[str, Definition] = field(default_factory=dict)
    broken: dict[str, set[str]] = field(default_factory=dict)
    compiled_sql: dict[tuple, tuple[str, dict[str, str]]] = field(default_factory=dict, repr=False, compare=False)
    """SQL text of the expressions compiled over this project, with their joins (see ``runtime.frame.compile_sql``)."""
    """Names whose definitions failed the schema: they exist, but are not modelled."""

    def known(self, section: str, name: str) -> bool:
        """Whether ``name`` is defined in ``section`` (modelled or broken)."""
        return name in getattr(self, section) or name in self.broken.get(section, set())
