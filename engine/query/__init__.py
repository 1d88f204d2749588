"""Read-only queries: boards, item lists, tasks, cards and their explanations."""
