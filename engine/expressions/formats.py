"""``format(VALUE, PATTERN)``: a number or a date/datetime as text, by a small pattern language.

Number patterns are spreadsheet-like: ``0`` (a whole number), ``0.00`` (two
places), ``0,00`` (a decimal comma), and a grouping written in front of the
last digit, ``#,##0.00``, ``# ##0,00``, ``#.##0,00``, ``#'##0.00``. Values are
rounded half away from zero, as ``round()`` and ``concat()`` do, with no float
artefacts. Date patterns are made of ``YYYY``, ``YY``, ``MM``, ``DD``,
``HH``, ``mm``, ``ss``; everything else is written as it stands
(``DD.MM.YYYY HH:mm``). A datetime is shown in the project's time zone.

The pattern is a literal, checked when the expression is: one pattern gives
one fixed SQL expression, the same for every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from zoneinfo import ZoneInfo

from sqlglot import exp

_NUMBER = re.compile(r"(?:#(?P<group>[ ,.'\u00a0\u202f])##)?0(?:(?P<mark>[.,])(?P<places>0{1,6}))?")
_DATE_TOKENS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_DATE_LETTERS = frozenset("YMDHms")
_TIME_TOKENS = frozenset({"HH", "mm", "ss"})
NUMBER_EXAMPLES = "'0', '0.00', '0,00', '#,##0.00' or '# ##0,00'"
DATE_EXAMPLES = "'DD.MM.YYYY' or 'YYYY-MM-DD HH:mm'"


class PatternError(ValueError):
    """A format() pattern that does not fit the value's kind; the message names the fix."""


@dataclass(frozen=True)
class NumberPattern:
    """How a number is written: decimal places, the decimal mark, the group separator (or none)."""

    places: int
    mark: str
    group: str


def number_pattern(text: str) -> NumberPattern:
    """Read a number pattern, or :class:`PatternError`.

    >>> number_pattern("# ##0,00")
    NumberPattern(places=2, mark=',', group=' ')
    """
    found = _NUMBER.fullmatch(text)
    if found is None or (found["group"] and found["group"] == found["mark"]):
        raise PatternError(f"'{text}' is not a number pattern: write {NUMBER_EXAMPLES}")
    return NumberPattern(len(found["places"] or ""), found["mark"] or ".", found["group"] or "")


def date_pattern(text: str, kind: str) -> str:
    """A date pattern as a strftime format, or :class:`PatternError` (hours on a date, a stray letter).

    >>> date_pattern("DD.MM.YYYY", "date")
    '%d.%m.%Y'
    """
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char not in _DATE_LETTERS:
            out.append("%%" if char == "%" else char)
            index += 1
            continue
        end = index
        while end < len(text) and text[end] == char:
            end += 1
        token = text[index:end]
        if token not in _DATE_TOKENS:
            raise PatternError(f"'{token}' is not part of a date pattern: use YYYY, YY, MM, DD, HH, mm or ss, "
                               f"e.g. {DATE_EXAMPLES}")
        if kind == "date" and token in _TIME_TOKENS:
            raise PatternError(f"a date has no time of day: '{token}' needs a datetime value")
        out.append(_DATE_TOKENS[token])
        index = end
    if not any(token in text for token in _DATE_TOKENS):
        raise PatternError(f"'{text}' is not a date pattern: write {DATE_EXAMPLES}")
    return "".join(out)


def check_pattern(text: str, kind: str) -> None:
    """:class:`PatternError` unless ``text`` is a pattern for a value of ``kind``."""
    if kind in ("int", "decimal"):
        number_pattern(text)
    elif kind in ("date", "datetime"):
        date_pattern(text, kind)


def format_sql(value: exp.Expr, kind: str, pattern: str) -> exp.Expr:
    """The SQL writing ``value`` (of ``kind``) by ``pattern``: string functions, no UDF."""
    if kind in ("date", "datetime"):
        return exp.TimeToStr(this=value, format=exp.Literal.string(date_pattern(pattern, kind)))
    spec = number_pattern(pattern)
    rounded = exp.Cast(this=value, to=exp.DataType.build(f"DECIMAL(38, {spec.places})"))
    digits = exp.Cast(this=exp.Abs(this=rounded.copy()), to=exp.DataType.build("varchar"))
    whole = _part(digits, 1) if spec.places else digits
    if spec.group:
        grouped = exp.RegexpReplace(this=exp.Reverse(this=whole), expression=exp.Literal.string(r"(\d{3})"),
                                    replacement=exp.Literal.string("\\1" + spec.group))
        whole = exp.Reverse(this=exp.Trim(this=grouped, expression=exp.Literal.string(spec.group),
                                          position="TRAILING"))
    parts: list[exp.Expr] = [whole]
    if spec.places:
        parts += [exp.Literal.string(spec.mark), _part(digits, 2)]
    sign = exp.Case(ifs=[exp.If(this=exp.LT(this=rounded.copy(), expression=exp.Literal.number(0)),
                                true=exp.Literal.string("-"))], default=exp.Literal.string(""))
    joined = exp.DPipe(this=sign, expression=parts[0], safe=True)
    for part in parts[1:]:
        joined = exp.DPipe(this=joined, expression=part, safe=True)
    return exp.Paren(this=joined)


def _part(digits: exp.Expr, index: int) -> exp.Expr:
    """The whole (1) or fractional (2) digits of a number written as ``1234.50``."""
    return exp.SplitPart(this=digits.copy(), delimiter=exp.Literal.string("."), part_index=exp.Literal.number(index))


def format_value(value: int | Decimal | float | date | datetime, pattern: str, tz: ZoneInfo) -> str:
    """``value`` written by ``pattern``, in Python (the reference interpreter's ``format``).

    >>> format_value(Decimal("1234567.005"), "# ##0,00", ZoneInfo("UTC"))
    '1 234 567,01'
    >>> format_value(date(2026, 3, 9), "DD.MM.YYYY", ZoneInfo("UTC"))
    '09.03.2026'
    """
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime(date_pattern(pattern, "datetime"))
    if isinstance(value, date):
        return value.strftime(date_pattern(pattern, "date"))
    spec = number_pattern(pattern)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    with localcontext() as context:
        context.prec = 80
        rounded = number.quantize(Decimal(1).scaleb(-spec.places), ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    if spec.group:
        whole = f"{int(whole):,}".replace(",", spec.group)
    text = whole + (spec.mark + fraction if spec.places else "")
    return ("-" if rounded < 0 else "") + text
