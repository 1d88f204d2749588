"""Running a project: events, rules, actions, tasks, the clock."""
