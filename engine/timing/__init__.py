"""Time in ruledeck: durations, calendar arithmetic, cron schedules and user-typed times.

Every function takes the time it works on as an argument and never reads
the wall clock (the engine's clock only moves by ``tick``). Local times are
read in the project's zone: a wall time skipped by DST moves forward by the
gap, a repeated one means the first (see ``zones``). The user-facing page is
``docs/time.md``.
"""

from .calendar import (
    add_days,
    add_months,
    age_years,
    days_between,
    end_of_month,
    start_of_month,
    start_of_next_month,
    to_local,
)
from .clock_input import parse_date, parse_datetime
from .cron import CronSchedule, Missed, parse_cron
from .durations import Duration, parse_duration
from .zones import Zone, localize, zone

__all__ = [
    "CronSchedule",
    "Duration",
    "Missed",
    "Zone",
    "add_days",
    "add_months",
    "age_years",
    "days_between",
    "end_of_month",
    "localize",
    "parse_cron",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "start_of_month",
    "start_of_next_month",
    "to_local",
    "zone",
]
