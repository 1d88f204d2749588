"""The expression language: parse, type-check, compile to SQL, evaluate in Python.

>>> from ruledeck.engine.expressions import Scope, Type, check, parse
>>> expr = parse("age_at_issue < 18 and stage = 'later'")
>>> check(expr, Scope({"age_at_issue": Type.of("int"), "stage": Type.of("string")}), expect=Type.of("bool"))
Type(kind='bool', many=False, values=(), process=None)

See docs/expressions.md for the language.
"""

from .check import Scope, check
from .evaluate import evaluate
from .functions import FUNCTIONS, Function
from .parse import Expression, names_used, parse
from .to_sql import Resolver, to_sql
from .types import ANY, BOOL, DATE, DATETIME, DECIMAL, INT, INTERVAL, NULL, STRING, TEXT, Type

__all__ = [
    "Expression", "Scope", "Type", "Resolver", "Function", "FUNCTIONS",
    "parse", "check", "names_used", "to_sql", "evaluate",
    "ANY", "BOOL", "DATE", "DATETIME", "DECIMAL", "INT", "INTERVAL", "NULL", "STRING", "TEXT",
]  # fmt: skip
