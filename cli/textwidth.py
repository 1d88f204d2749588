"""Text by display width: emoji and CJK take two terminal cells, combining marks none.

Everything a board or card prints goes through :func:`clean` first, so data
cannot move the cursor or recolour the terminal (control characters and
escape sequences are dropped, line breaks and tabs become spaces).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[\t\n\r]+")
ELLIPSIS = "…"


def clean(text: str) -> str:
    """``text`` without control characters; tabs and line breaks become single spaces.

    >>> clean("a\\tb\\x1b[31mc\\nd")
    'a b[31mc d'
    """
    return _CONTROL.sub("", _SPACES.sub(" ", text))


def width(text: str) -> int:
    """Terminal cells ``text`` takes (after :func:`clean`).

    >>> width("👶 Маша"), width("abc")
    (7, 3)
    """
    import wcwidth  # on first use: it costs ~20 ms of start-up

    cells = wcwidth.wcswidth(text)
    if cells >= 0:
        return cells
    return sum(max(wcwidth.wcwidth(ch), 0) for ch in text)


def graphemes(text: str) -> list[str]:
    """User-perceived characters (an emoji with its modifiers stays whole)."""
    import wcwidth

    splitter = getattr(wcwidth, "iter_graphemes", None)
    if splitter is not None:
        return list(splitter(text))
    out: list[str] = []
    for ch in text:
        if out and (unicodedata.combining(ch) or ch in "\u200d\ufe0f" or out[-1].endswith("\u200d")):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def pad(text: str, cells: int) -> str:
    """``text`` followed by spaces up to ``cells`` display cells."""
    return text + " " * max(cells - width(text), 0)


def clip(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` display cells, ending in … when cut.

    >>> clip("Звонок в этом месяце", 10)
    'Звонок в …'
    """
    return text if width(text) <= cells else _ellipsized(text, cells)


def _ellipsized(text: str, cells: int) -> str:
    """As much of ``text`` as fits in ``cells`` together with a closing …."""
    out = ""
    for g in graphemes(text):
        if width(out + g) + 1 > cells:
            break
        out += g
    return out + ELLIPSIS


def wrap(text: str, cells: int, max_lines: int = 0, indent: str = "") -> list[str]:
    """Word-wrap ``text`` to ``cells`` display cells; continuation lines start with ``indent``.

    Words longer than a line are broken; with ``max_lines`` the last line
    kept ends in … when text was left out.

    >>> wrap("👶 12 месяцев · Маша Соколова", 14)
    ['👶 12 месяцев', '· Маша', 'Соколова']
    """
    cells = max(cells, 2)
    lines: list[str] = []
    line = ""
    for word in clean(text).split(" "):
        if not word:
            continue
        prefix = indent if lines else ""
        candidate = f"{line} {word}" if line else prefix + word
        if width(candidate) <= cells:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        line = _long_word(indent + word if lines else word, cells, lines, indent)
    if line or not lines:
        lines.append(line)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _ellipsized(lines[-1] + ELLIPSIS, cells) if width(lines[-1]) >= cells else lines[-1] + ELLIPSIS
    return lines


def _long_word(word: str, cells: int, lines: list[str], indent: str) -> str:
    """Break ``word`` into full lines (appended to ``lines``); return the rest."""
    line = ""
    for g in graphemes(word):
        if width(line + g) > cells:
            lines.append(line)
            line = indent
        line += g
    return line


def display(value: Any) -> str:
    """A field value as a person reads it: dates without seconds, yes/no, lists joined.

    >>> display(dt.datetime(2026, 1, 14, 11, 0)), display(True), display(["a", "b"]), display(None)
    ('2026-01-14 11:00', 'yes', 'a, b', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    return clean(str(value))


def csv_value(value: Any) -> Any:
    """A value for a CSV cell: lists joined with ``;`` (as ``ingest`` reads them), times in ISO form.

    >>> csv_value(["a", "b"]), csv_value(None), csv_value(True), csv_value(dt.date(2026, 1, 2))
    ('a;b', '', 'true', '2026-01-02')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(str(csv_value(v)) for v in value)
    return value
