"""Every ruledeck command, registered on the group in this order."""

from __future__ import annotations

from .schema import schema
from .validate import validate

COMMANDS = (validate, schema)

__all__ = ["COMMANDS"]
