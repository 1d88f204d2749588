"""Every action kind, one function each, in one registry; and the loop running an action list."""

from __future__ import annotations

from collections.abc import Callable

from ...definitions.model import Action, Rule
from ..changes import Change
from ..frame import Frame
from ..refusals import do_reject
from ..run import Run
from .create import do_create, do_schedule
from .fields import do_assign, do_hold, do_link, do_move, do_resume, do_set
from .flow import do_run, do_update
from .for_each import do_for_each
from .lists import do_append
from .outputs import do_document, do_notify
from .tasks import do_cancel_tasks, do_complete_tasks, do_task

ActionFunction = Callable[[Run, Rule, Action, Frame, int], list[Change]]

ACTIONS: dict[str, ActionFunction] = {
    "set": do_set,
    "append": do_append,
    "move": do_move,
    "hold": do_hold,
    "resume": do_resume,
    "create": do_create,
    "update": do_update,
    "for_each": do_for_each,
    "task": do_task,
    "complete_tasks": do_complete_tasks,
    "cancel_tasks": do_cancel_tasks,
    "assign": do_assign,
    "link": do_link,
    "notify": do_notify,
    "document": do_document,
    "schedule": do_schedule,
    "run": do_run,
    "reject": do_reject,
}


def run_action_list(run: Run, rule: Rule, actions: list[Action], frame: Frame, depth: int) -> None:
    """Run actions in order over the frame; after each, fire the rules its changes wake."""
    for action in actions:
        for change in ACTIONS[action.kind](run, rule, action, frame, depth):
            run.fire_change(change, depth)
