"""Display-width text helpers: emoji and CJK take two cells, Cyrillic one, control characters none."""

from __future__ import annotations

import pytest
from ruledeck.cli.textwidth import clean, clip, display, pad, width, wrap


@pytest.mark.parametrize(("text", "cells"), [
    ("abc", 3), ("Маша", 4), ("👶", 2), ("李小龙", 6), ("e\u0301", 1), ("🧑 Маша · КИБИ", 14),
])
def test_width(text, cells):
    assert width(text) == cells


def test_pad_and_clip_use_display_cells():
    assert width(pad("👶 Маша", 10)) == 10
    assert clip("李小龙 Trading", 6) == "李小…"
    assert width(clip("👶👶👶👶", 5)) <= 5


@pytest.mark.parametrize("cells", [8, 12, 17, 25])
def test_wrap_never_exceeds_the_width(cells):
    text = "👶 12 месяцев · Маша Соколова · 李小龙 Trading averyveryverylongwordwithoutspaces"
    for line in wrap(text, cells, indent="  "):
        assert width(line) <= cells


def test_wrap_caps_lines_with_an_ellipsis():
    assert wrap("one two three four five six seven", 10, max_lines=2) == ["one two", "three fou…"]
    assert wrap("one two three", 10, max_lines=2) == ["one two", "three"]
    assert wrap("one two three four five", 14, max_lines=1) == ["one two three…"]


def test_clean_drops_escape_sequences_and_line_breaks():
    assert clean("a\x1b[2Jb\nc\td") == "a[2Jb c d"


def test_display_values():
    from decimal import Decimal

    assert [display(v) for v in (None, False, Decimal("1.50"), 2.5, 3.0, [1, "a"])] == ["", "no", "1.50", "2.50",
                                                                                     "3", "1, a"]
