"""Titles, notifications and documents: Jinja2 templates in a sandbox.

A template may read the item's fields and use a few filters; it can reach no
Python internals. Documents and notifications also read ruledeck's own values
under one reserved name, ``ruledeck`` (:data:`CONTEXT_NAMES`), so a field is
never shadowed by them. Validation refuses any attribute or variable starting with
an underscore before a template ever runs, and rendering happens in Jinja2's
``ImmutableSandboxedEnvironment`` as a second line of defence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes, pass_eval_context
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.filters import do_join
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import RuledeckError

CONTEXT = "ruledeck"
"""The one name under which documents and notifications read ruledeck's own values (no field may take it)."""

CONTEXT_NAMES = {
    "project": "the project's name (ruledeck.yaml's name)",
    "now": "the moment the document or message is made",
    "rule": "the rule that made it",
    "actor": "who acts (--as, the event's actor; empty for nobody)",
    "actor_name": "the acting person's name from people (empty for nobody)",
}
"""What ``ruledeck.NAME`` gives in a document or notification template."""


@dataclass(frozen=True)
class TemplateContext:
    """ruledeck's own values in a template, read as ``ruledeck.project``, ``ruledeck.now``, …"""

    project: str
    now: dt.datetime | None = None
    rule: str | None = None
    actor: str | None = None
    actor_name: str | None = None

    @classmethod
    def of(cls, project: Any, now: dt.datetime, rule: str | None, actor: str | None) -> TemplateContext:
        """The values for a rule of ``project`` firing at ``now`` with ``actor`` acting (their name from people)."""
        person = project.people.get(actor) if actor else None
        name = (person.spec.get("name") or actor) if person is not None else None
        return cls(project.name, now, rule, actor, name)


class TemplateError(RuledeckError):
    """A template does not parse, uses an unknown name, or tried to leave the sandbox."""

    def __init__(self, message: str, line: int = 1, hint: str = ""):
        self.message, self.line, self.hint = message, line, hint
        super().__init__(message + (f" ({hint})" if hint else ""))


@dataclass(frozen=True)
class TemplateProblem:
    """One problem found in a template, with its line inside the template text."""

    code: str
    message: str
    line: int = 1
    hint: str = ""


def _format_date(value: Any, pattern: str = "%d.%m.%Y") -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.strftime(pattern)
    return "" if value is None else str(value)


def _empty_none(value: Any) -> Any:
    return "" if value is None else value


@cache
def environment() -> ImmutableSandboxedEnvironment:
    """The one sandboxed Jinja2 environment every template renders in."""
    # finalize: an empty field prints as nothing, never as "None" on a card or in a letter.
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                                        finalize=_empty_none)
    env.filters["date"] = _format_date
    env.filters["join"] = _join
    return env


@pass_eval_context
def _join(context, value, *args, **kwargs) -> str:
    """Jinja's ``join``, with an empty many-valued field (NULL, not ``[]``) joined as nothing instead of failing."""
    return "" if value is None else do_join(context, value, *args, **kwargs)


def template_problems(text: str, names: Iterable[str],
                      namespaces: Mapping[str, Iterable[str] | None] | None = None) -> list[TemplateProblem]:
    """Static problems of a template: syntax, unknown names, sandbox escapes, ambiguous names.

    ``names`` are the bare names it may read (the item's fields); ``namespaces``
    the names it reads attributes of (``ruledeck``, ``event``), each with the
    attributes it has (None: not checked). A namespace that is also a field is
    ambiguous: the field wins, with a warning.

    >>> [p.code for p in template_problems("{{ ''.__class__ }}", [])]
    ['E-TEMPLATE-UNSAFE']
    >>> template_problems("{{ nmae }}", ["name"])[0].hint
    "did you mean 'name'?"
    >>> template_problems("{{ now }}", ["name"], {"ruledeck": CONTEXT_NAMES})[0].hint
    "ruledeck's own value is written 'ruledeck.now'"
    >>> template_problems("{{ ruledeck.projet }}", [], {"ruledeck": CONTEXT_NAMES})[0].message
    "template uses 'ruledeck.projet': 'ruledeck.' has no 'projet'"
    """
    from .suggest import did_you_mean

    syntax, unsafe, loaded, attributes = _template_facts(text)
    if syntax is not None:
        return [syntax]
    problems = list(unsafe)
    fields, spaces = set(names), dict(namespaces or {})
    context = spaces.get(CONTEXT, ())
    for name, line in loaded:
        if name in fields and name in spaces and name != CONTEXT:  # a field named 'ruledeck' is refused
            problems.append(TemplateProblem("W-TEMPLATE-AMBIGUOUS",
                                            f"template reads '{name}', which is both a field and '{name}.' here: "
                                            "the field wins", line, f"rename the field to read '{name}.…'"))
        elif name not in fields and name not in spaces:
            hint = (f"ruledeck's own value is written '{CONTEXT}.{name}'" if context and name in context
                    else "'event.' is read in rules triggered by an event" if name == "event" and context
                    else did_you_mean(name, fields | set(spaces)))
            problems.append(TemplateProblem("E-TEMPLATE-UNKNOWN-NAME",
                                            f"template uses '{name}', which is not a field here", line, hint))
    for name, attribute, line in attributes:
        known = spaces.get(name)
        if name in fields or known is None or attribute in known:
            continue
        problems.append(TemplateProblem("E-TEMPLATE-UNKNOWN-NAME",
                                        f"template uses '{name}.{attribute}': '{name}.' has no '{attribute}'",
                                        line, did_you_mean(attribute, known) or f"'{name}.' has {', '.join(known)}"))
    return problems


@lru_cache(maxsize=2048)
def _template_facts(text: str) -> tuple[TemplateProblem | None, tuple[TemplateProblem, ...],
                                        tuple[tuple[str, int], ...], tuple[tuple[str, str, int], ...]]:
    """What a template's text alone says: its syntax error, its sandbox escapes, the names it reads (and where),
    and the attributes it reads of them (``ruledeck.now``: name, attribute, line)."""
    try:
        tree = environment().parse(text)
    except TemplateSyntaxError as exc:
        return (TemplateProblem("E-TEMPLATE-SYNTAX", f"template syntax error: {exc.message}", exc.lineno or 1),
                (), (), ())
    unsafe = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        attr = getattr(node, "attr", None) or getattr(node, "name", None)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value
        if isinstance(attr, str) and attr.startswith("_"):
            unsafe.append(TemplateProblem("E-TEMPLATE-UNSAFE",
                                          f"template uses '{attr}': names starting with '_' are not allowed",
                                          node.lineno, "templates may only read the item's fields"))
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    loaded = tuple((node.name, node.lineno) for node in tree.find_all(nodes.Name)
                   if node.ctx == "load" and node.name not in assigned and not node.name.startswith("_")
                   and node.name not in ("loop", "true", "false", "none"))
    loaded_names = {name for name, _ in loaded}
    attributes = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(node.node, nodes.Name) and node.node.name in loaded_names and isinstance(attr, str):
            attributes.append((node.node.name, attr, node.lineno))
    return None, tuple(unsafe), loaded, tuple(attributes)


def template_attributes(text: str, name: str) -> frozenset[str]:
    """The attributes a template reads of ``name`` (``{{ task.reason }}``: ``reason``); none if it does not parse.

    >>> sorted(template_attributes("{{ task.reason }} {{ task['outcome'] }} {{ reason }}", "task"))
    ['outcome', 'reason']
    """
    syntax, _, _, attributes = _template_facts(text)
    return frozenset() if syntax else frozenset(a for n, a, _ in attributes if n == name)


@lru_cache(maxsize=512)
def _compiled(text: str):
    return environment().from_string(text)


@lru_cache(maxsize=512)
def _globals(text: str) -> dict[str, Any]:
    """A template's globals as a plain dict (``Template.globals`` is a ChainMap, slow to merge per row)."""
    return dict(_compiled(text).globals)


def render(text: str, values: Mapping[str, Any]) -> str:
    """Render a template with ``values``; problems raise :class:`TemplateError`.

    >>> render("{{ '👶' if child else '🧑' }} {{ name }}", {"child": True, "name": "Ann"})
    '👶 Ann'
    >>> render("tel. {{ phone }}", {"phone": None})
    'tel. '
    """
    template = _compiled(text)
    try:
        # A shared context over our own dict: what Template.render does, without copying it twice.
        context = template.new_context({**_globals(text), **values}, shared=True)
        return template.environment.concat(template.root_render_func(context))
    except SecurityError as exc:
        raise TemplateError(f"template refused: {exc}") from None
    except UndefinedError as exc:
        raise TemplateError(f"template uses an unknown name: {exc.message}") from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", exc.lineno or 1) from None
