"""``lookup(TABLE, KEY[, COLUMN])``: a value from a lookup table, type-checked against its declaration.

The scope lists the lookups a place may read (:attr:`Scope.lookups`: name -> (key field, column types)).
The call compiles to one scalar subquery on the lookup's table, matched on its key; no row gives null.
"""

from __future__ import annotations

from sqlglot import exp

from ..errors import ExpressionError
from ..suggest import did_you_mean
from .types import Type, comparable

LookupTypes = dict[str, tuple[str, dict[str, Type]]]
"""Lookup name -> (its key field, its columns with their types)."""


def _literal_name(node: exp.Expr, what: str, at: int) -> str:
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise ExpressionError(f"the {what} of lookup() must be a literal name, e.g. lookup('vat_rates', country)",
                              at, "E-EXPR-TYPE", "")
    return node.name


def lookup_type(lookups: LookupTypes, args: list[exp.Expr], types: list[Type],
                offsets: list[int]) -> tuple[Type, dict[str, str]]:
    """The type ``lookup(...)`` gives and the key and column it reads, or :class:`ExpressionError`."""
    if len(args) not in (2, 3):
        raise ExpressionError(f"lookup() takes 2 to 3 arguments, got {len(args)}", offsets[0] if offsets else 0,
                              "E-EXPR-TYPE", "write lookup(table, key[, column])")
    table = _literal_name(args[0], "table", offsets[0])
    if table not in lookups:
        hint = did_you_mean(table, list(lookups)) or (f"lookups: {', '.join(lookups)}" if lookups else
                                                        "lookup() reads the lookups: section in rules' conditions "
                                                        "and actions")
        raise ExpressionError(f"there is no lookup '{table}'", offsets[0], "E-EXPR-UNKNOWN-FIELD", hint)
    key, columns = lookups[table]
    if types[1].many or (types[1].kind not in ("null", "any") and not comparable(columns[key], types[1])):
        raise ExpressionError(f"the key of lookup '{table}' is {columns[key]} ('{key}'), got {types[1]}",
                              offsets[1], "E-EXPR-TYPE", "")
    others = [name for name in columns if name != key]
    if len(args) == 3:
        column = _literal_name(args[2], "column", offsets[2])
        if column not in columns:
            hint = did_you_mean(column, list(columns)) or f"its columns: {', '.join(columns)}"
            raise ExpressionError(f"lookup '{table}' has no column '{column}'", offsets[2], "E-EXPR-UNKNOWN-FIELD",
                                  hint)
    elif len(others) == 1:
        column = others[0]
    else:
        raise ExpressionError(f"lookup '{table}' has several columns: name one, e.g. lookup('{table}', …, "
                              f"'{others[0] if others else key}')", offsets[0], "E-EXPR-TYPE", "")
    return columns[column], {"key": key, "column": column}


def lookup_sql(args: list[exp.Expr], sources: list[exp.Expr], read: dict[str, str]) -> exp.Expr:
    """``(SELECT l.column FROM lookup_table l WHERE l.key = KEY LIMIT 1)`` – names quoted, never pasted."""
    table, column, key = sources[0].name, read["column"], read["key"]
    select = (exp.select(exp.column(exp.to_identifier(column, quoted=True), table="l"))
              .from_(exp.alias_(exp.Table(this=exp.to_identifier(f"lookup_{table}", quoted=True)), "l", table=True))
              .where(exp.EQ(this=exp.column(exp.to_identifier(key, quoted=True), table="l"), expression=args[1]))
              .limit(1))
    return exp.Subquery(this=select)
