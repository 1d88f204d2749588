"""Operator commands that change state: ``ingest``, ``tick``, ``clock``, ``plan``."""

from __future__ import annotations

import shutil
import sys
from functools import partial
from pathlib import Path

import click
from ruledeck.engine import UsageError

from ..exit_codes import ExitCode
from ..options import FORMATS_TABLE as FORMATS
from ..options import (
    EngineDefault,
    actor_option_for,
    db_option,
    engine_default,
    format_option,
    project_option,
    wait_option,
)
from ..project import open_engine
from ..render import table, to_json


@click.command()
@click.argument("source", type=click.Path(allow_dash=True, dir_okay=False, path_type=str))
@project_option
@db_option
@wait_option
@click.option("--csv-type", "csv_type", metavar="EVENT_TYPE",
              help="Read SOURCE as CSV, every row an event of this type (columns id, time, payload fields).")
@click.option("--dry-run", is_flag=True, help="Apply to a throw-away copy and show what would change.")
@click.option("--batch-size", type=click.IntRange(min=1), default=engine_default("INGEST_BATCH_SIZE"),
              show_default=True, cls=EngineDefault, metavar="N",
              help="Apply up to N consecutive events of a batchable type together (1: one at a time). "
                   "The result is the same either way, only faster.")
@actor_option_for(" in the events that name no actor: journaled, read by rules as 'actor'")
@format_option(("text", "json"))
@click.pass_context
def ingest(ctx: click.Context, source: str, project_path: Path, db_path: str | None, wait_seconds: float,
           csv_type: str | None, dry_run: bool, batch_size: int, actor: str | None, fmt: str) -> None:
    """Apply events from a JSON Lines file (or CSV, or - for standard input).

    Each event is applied exactly once (by id), all or nothing with all it
    causes; the clock first moves to the event's time. Rejected events are kept
    with their reason and the rest still go in. Exit 1 if any was rejected.
    Events that only create items go in batches (see docs/ingest.md).
    --as PERSON acts in the events that name no actor of their own.

    \b
    Example:
      ruledeck ingest samples/complaints/events.jsonl -p definitions/complaints
      ruledeck ingest calls.jsonl --as smirnova -p definitions/prosthesis_followup
    """
    from ruledeck.engine import JOURNAL_COLUMNS, journal_after, journal_length, read_csv, read_jsonl

    with open_engine(project_path, db_path, wait_seconds) as engine:
        target, folder = (engine.dry_run_copy() if dry_run else (engine, None))
        before = journal_length(target)
        stream = sys.stdin if source == "-" else _open(source)
        try:
            records = read_csv(stream, csv_type) if csv_type else read_jsonl(stream)
            summary = target.ingest(records, source, batch_size, actor)
        finally:
            if stream is not sys.stdin:
                stream.close()
        changes = []
        if dry_run:
            changes = journal_after(target, before)
            target.close()
            shutil.rmtree(folder, ignore_errors=True)
    rejected = [{"event": r.event_id, "line": r.line, "reason": r.reason} for r in summary.rejected]
    if fmt == "json":
        click.echo(to_json({"accepted": summary.accepted, "without_effect": summary.without_effect,
                            "duplicates": summary.duplicates,
                            "rejected": rejected, "late": summary.late, "dry_run": dry_run,
                            "changes": [list(c) for c in changes]}))
    else:
        for r in rejected:
            click.echo(f"rejected {r['event']} (line {r['line']}): {r['reason']}", err=True)
        if dry_run:
            columns = list(JOURNAL_COLUMNS)
            rows = [dict(zip(columns, c, strict=True)) for c in changes]
            click.echo(table(rows, "text", columns) if rows else "no changes")
        verb = "would be " if dry_run else ""
        idle = f" ({len(summary.without_effect)} without effect)" if summary.without_effect else ""
        click.echo(f"{summary.accepted} accepted{idle}, {summary.duplicates} duplicate, {len(rejected)} rejected"
                   f"{f', {summary.late} late' if summary.late else ''}" + (f" ({verb}applied)" if dry_run else ""))
    ctx.exit(ExitCode.FINDINGS if rejected else ExitCode.OK)


def _open(source: str):
    try:
        return open(source, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None


@click.command()
@click.option("--to", "to_text", metavar="DATETIME", help="Move the clock to this time (project time zone).")
@click.option("--by", "by_text", metavar="DURATION", help="Move the clock forward by a duration, e.g. 1d, 1 month.")
@click.option("--now", "use_now", is_flag=True, help="Move the clock to the wall clock (for cron/systemd).")
@project_option
@db_option
@wait_option
@actor_option_for(": journaled with what the tick fires, read by its rules as 'actor'")
@format_option(("text", "json"))
def tick(to_text: str | None, by_text: str | None, use_now: bool, project_path: Path, db_path: str | None,
         wait_seconds: float, actor: str | None, fmt: str) -> None:
    """Move the clock forward and fire everything that falls due, in time order.

    Prints each occurrence that fired with its due time, then the clock's move
    and the count per rule.

    \b
    Example:
      ruledeck tick --by "1 month" -p definitions/prosthesis_followup
      ruledeck tick --to 2027-01-01 --as volkova
    """
    import datetime as dt

    from ruledeck.engine import parse_datetime, parse_duration

    if sum(bool(x) for x in (to_text, by_text, use_now)) != 1:
        raise UsageError("give exactly one of --to, --by or --now")
    with open_engine(project_path, db_path, wait_seconds) as engine:
        current = engine.clock()
        if to_text:
            target = parse_datetime(to_text, engine.project.timezone)
        elif by_text:
            if current is None:
                raise UsageError("the clock has not started: use --to the first time")
            target = parse_duration(by_text).add_to(current, engine.zone)
        else:
            target = dt.datetime.now(engine.zone)
        progress = _progress_bar() if sys.stderr.isatty() and fmt == "text" else None
        try:
            summary = engine.tick(target, progress.update if progress else None, actor)
        finally:
            if progress:
                progress.finish()
    from .tick_report import tick_dict, tick_text

    click.echo(to_json(tick_dict(summary)) if fmt == "json" else tick_text(summary, engine.zone))


class _progress_bar:
    """A progress bar on stderr, driven by the fraction of the tick done."""

    def __init__(self):
        self.bar = click.progressbar(length=1000, label="ticking", file=sys.stderr, show_eta=True)
        self.bar.__enter__()
        self.done = 0

    def update(self, fraction: float, moment) -> None:
        step = int(fraction * 1000) - self.done
        if step > 0:
            self.bar.label = f"ticking {moment:%Y-%m-%d}"
            self.bar.update(step)
            self.done += step

    def finish(self) -> None:
        self.bar.__exit__(None, None, None)


@click.command()
@project_option
@db_option
@wait_option
@format_option(("text", "json"))
def clock(project_path: Path, db_path: str | None, wait_seconds: float, fmt: str) -> None:
    """Show the engine's clock and what falls due next.

    \b
    Example:
      ruledeck clock -p definitions/prosthesis_followup
    """
    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        now = engine.clock()
        upcoming = engine.upcoming(limit=5) if now is not None else []
    if fmt == "json":
        click.echo(to_json({"now": now, "next": [{"at": at, "rule": rule, "items": n} for at, rule, n in upcoming]}))
        return
    click.echo(f"clock: {now.isoformat() if now else 'not started (ingest an event or tick --to)'}")
    for at, rule, count in upcoming:
        click.echo(f"next: {at.isoformat()}  {rule}" + (f"  ({count} item(s))" if count is not None else ""))


@click.command()
@project_option
@db_option
@wait_option
def plan(project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """Show the database changes the current definitions need (nothing is changed).

    Exit 1 when a change would lose data: 'ruledeck' refuses to run until the
    definitions or the data are adjusted.

    \b
    Example:
      ruledeck plan -p definitions/complaints
    """
    from ruledeck.engine import Engine

    from ..project import project_at

    project = project_at(project_path)
    engine = Engine.open(project, db_path, wait_seconds, migrate_schema=False)
    try:
        changes = engine.pending_migration()
    finally:
        engine.close()
    if not changes:
        click.echo("the database matches the definitions")
        return
    for change in changes:
        click.echo(f"{'REFUSED' if change.loss else 'apply  '}  {change.description}"
                   + (f": {change.loss}" if change.loss else ""))
    if any(c.loss for c in changes):
        raise click.exceptions.Exit(ExitCode.FINDINGS)


@click.command()
@click.option("--to", "to_text", required=True, metavar="DATETIME", help="Look ahead to this time.")
@project_option
@db_option
@wait_option
@format_option(FORMATS)
def preview(to_text: str, project_path: Path, db_path: str | None, wait_seconds: float, fmt: str) -> None:
    """List what would fire between the clock and --to, changing nothing.

    The tick is rehearsed on a throw-away copy of the database, so cascades and
    their effects on later due times are included.

    \b
    Example:
      ruledeck preview --to 2027-01-01 -p definitions/prosthesis_followup
    """
    from ruledeck.engine import parse_datetime

    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        summary = engine.preview(parse_datetime(to_text, engine.project.timezone))
    rows = [{"at": o.due.isoformat(), "rule": o.rule, "items": o.items} for o in summary.occurrences]
    click.echo(table(rows, fmt, ["at", "rule", "items"]) if rows or fmt != "text" else "nothing would fire")


@click.command()
@project_option
@db_option
@wait_option
def verify(project_path: Path, db_path: str | None, wait_seconds: float) -> None:
    """Replay every accepted event and command from scratch and compare with the database.

    Exit 0 when items, tasks, documents, outbox, journal and clock all match;
    1 with the differences otherwise. Consecutive events are replayed in
    batches, as ingest applies them; a progress bar shows on a terminal. The
    database is only read (other read-only commands may run meanwhile).

    \b
    Example:
      ruledeck verify -p definitions/complaints
    """
    with open_engine(project_path, db_path, wait_seconds, read_only=True) as engine:
        if sys.stderr.isatty():
            with click.progressbar(length=1, label="replaying", file=sys.stderr, show_eta=True) as bar:
                result = engine.verify(partial(_replayed, bar))
        else:
            result = engine.verify()
    if not result.differences:
        click.echo(f"verified: {result.events} event(s) and {result.commands} command(s) replayed; "
                   f"{len(result.tables)} tables match")
        return
    for diff in result.differences:
        click.echo(f"{diff.table}: {diff.only_live} row(s) only in the database, {diff.only_replay} only in the "
                   "replay")
        for example in diff.examples:
            click.echo(f"  {example[0]}: {example[1:]}")
    raise click.exceptions.Exit(ExitCode.FINDINGS)


def _replayed(bar, done: int, total: int) -> None:
    """Move the verify bar to ``done`` of ``total`` inputs (redrawn once per thousandth, not per event)."""
    bar.length = max(total, 1)
    if done - bar.pos >= max(1, total // 1000) or done == total:
        bar.update(done - bar.pos)
