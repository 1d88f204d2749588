"""Sample event streams (package data ``ruledeck.samples``): one folder per shipped project."""
