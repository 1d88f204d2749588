"""How rules read a completed task's form values (``task.reason``): typed values out of ``rd_tasks.form``.

The form is kept as one JSON object per task; a value is read with
``json_extract_string`` and cast to its field's type, so a rule over many
completed tasks stays one statement.
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp

from ..definitions.model import FieldDef
from ..store.names import column

_SQL_TYPES = {"int": "BIGINT", "bool": "BOOLEAN", "date": "DATE", "datetime": "TIMESTAMPTZ"}


@lru_cache(maxsize=1024)
def _form_value(alias: str, name: str, kind: str, many: bool, scale: int) -> exp.Expression:
    path = exp.Literal.string(f"$.{name}")
    if many:
        return exp.Cast(this=exp.Anonymous(this="json_extract", expressions=[column(alias, "form"), path]),
                        to=exp.DataType.build("VARCHAR[]" if kind not in _SQL_TYPES else f"{_SQL_TYPES[kind]}[]"))
    sql_type = f"DECIMAL(18, {int(scale)})" if kind == "decimal" else _SQL_TYPES.get(kind, "VARCHAR")
    return exp.Cast(this=exp.Anonymous(this="json_extract_string", expressions=[column(alias, "form"), path]),
                    to=exp.DataType.build(sql_type))


def form_value_sql(alias: str, declared: FieldDef) -> exp.Expression:
    """The value of form field ``declared`` of the task row ``alias``, typed (null before completion)."""
    return _form_value(alias, declared.name, declared.type, declared.many, declared.scale).copy()
