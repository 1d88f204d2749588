"""The shipped set-ups (package data ``ruledeck.definitions``): one project per scenario of the domain."""
