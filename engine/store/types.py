"""Field types of the language mapped to DuckDB column types."""

from __future__ import annotations

from ..definitions.model import FieldDef
from .names import quote

SCALAR_SQL = {
    "string": "VARCHAR",
    "text": "VARCHAR",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMPTZ",
    "enum": "VARCHAR",
    "ref": "BIGINT",
    "person": "VARCHAR",
    "role": "VARCHAR",
    "assignee": "VARCHAR",
}


def sql_type(field: FieldDef) -> str:
    """The column type of a stored field, e.g. ``DECIMAL(18,2)`` or ``VARCHAR[]``.

    >>> from ruledeck.engine.definitions.model import FieldDef, Loc
    >>> sql_type(FieldDef("serials", "string", None, many=True))
    'VARCHAR[]'
    """
    if field.type == "list":  # a list of records: each element a struct of the record's fields
        return "STRUCT(" + ", ".join(f"{quote(n)} {sql_type(f)}" for n, f in (field.of or {}).items()) + ")[]"
    base = f"DECIMAL(18,{field.scale})" if field.type == "decimal" else SCALAR_SQL[field.type]
    return base + "[]" if field.many else base


def stored(field: FieldDef) -> bool:
    """Whether a field is a column (computed and rollup fields are evaluated when read)."""
    return field.compute is None and field.rollup is None
