"""Every SQL identifier the engine writes, validated and quoted in one place.

Names from definitions match ``^[a-z][a-z0-9_]{0,62}$`` (the schema and the
loader enforce it); they are checked again here and always quoted, so a
reserved word such as ``at`` or ``order`` is a fine field name.
"""

from __future__ import annotations

import re

from sqlglot import exp

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_INTERNAL = re.compile(r"^[a-z][a-z0-9_]{0,80}$")


def checked(name: str) -> str:
    """``name`` if it is a valid definition name; a ValueError (a bug, never user input) otherwise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"not a valid identifier: {name!r}")
    return name


def checked_internal(name: str) -> str:
    """``name`` if it is a valid name for one of ruledeck's own objects (a ValueError, a bug, otherwise)."""
    if not isinstance(name, str) or not _INTERNAL.match(name):
        raise ValueError(f"not a valid identifier: {name!r}")
    return name


def quote(name: str) -> str:
    """A quoted SQL identifier.

    >>> quote("at")
    '"at"'
    """
    if _NAME.match(name) or _INTERNAL.match(name):
        return f'"{name}"'  # nothing to escape: the pattern admits no quote
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def items_table(process: str) -> str:
    """The table holding a process's items."""
    return f"items_{checked(process)}"


def lookup_table(lookup: str) -> str:
    """The table holding a lookup's rows."""
    return f"lookup_{checked(lookup)}"


def period_table(table: str) -> str:
    """The table holding a period table's rows."""
    return f"period_{checked(table)}"


def column(table_alias: str, name: str) -> exp.Column:
    """A qualified, quoted column reference as a sqlglot node."""
    return exp.Column(this=exp.to_identifier(checked(name), quoted=True),
                      table=exp.to_identifier(table_alias, quoted=True))
