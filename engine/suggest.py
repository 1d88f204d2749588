"""Did-you-mean hints for misspelt names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or ``""`` when none is close.

    >>> did_you_mean("postponed", ["postpone", "done"])
    "did you mean 'postpone'?"
    >>> did_you_mean("zzz", ["postpone"])
    ''
    """
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""
