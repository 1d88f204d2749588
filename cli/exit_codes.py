"""Exit codes of every ruledeck command, in one place."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What a ruledeck process tells its caller."""

    OK = 0
    """Everything worked; warnings may have been printed."""
    FINDINGS = 1
    """Definitions have errors, input was rejected, an expectation failed, or the database is busy."""
    USAGE = 2
    """The command was called wrongly: unknown option, bad value, missing project."""
