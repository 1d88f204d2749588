"""Titles, notifications and documents: Jinja2 templates in a sandbox.

A template may read the item's fields and use a few filters; it can reach no
Python internals. Validation refuses any attribute or variable starting with
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


def template_problems(text: str, names: Iterable[str]) -> list[TemplateProblem]:
    """Static problems of a template: syntax, unknown names, sandbox escapes.

    >>> [p.code for p in template_problems("{{ ''.__class__ }}", [])]
    ['E-TEMPLATE-UNSAFE']
    >>> template_problems("{{ nmae }}", ["name"])[0].hint
    "did you mean 'name'?"
    """
    from .suggest import did_you_mean

    syntax, unsafe, loaded = _template_facts(text)
    if syntax is not None:
        return [syntax]
    problems = list(unsafe)
    known = set(names)
    for name, line in loaded:
        if name not in known:
            problems.append(TemplateProblem("E-TEMPLATE-UNKNOWN-NAME",
                                            f"template uses '{name}', which is not a field here",
                                            line, did_you_mean(name, known)))
    return problems


@lru_cache(maxsize=2048)
def _template_facts(text: str) -> tuple[TemplateProblem | None, tuple[TemplateProblem, ...],
                                        tuple[tuple[str, int], ...]]:
    """What a template's text alone says: its syntax error, its sandbox escapes, the names it reads (and where)."""
    try:
        tree = environment().parse(text)
    except TemplateSyntaxError as exc:
        return TemplateProblem("E-TEMPLATE-SYNTAX", f"template syntax error: {exc.message}", exc.lineno or 1), (), ()
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
    return None, tuple(unsafe), loaded


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
