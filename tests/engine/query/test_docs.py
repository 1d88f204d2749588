"""Every example in the query modules' (and the CLI's text helpers') docstrings runs (STYLE.md §8)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import ruledeck.engine.query as query

MODULES = [query.__name__] + [f"{query.__name__}.{m.name}" for m in pkgutil.iter_modules(query.__path__)]
MODULES += ["ruledeck.cli.textwidth", "ruledeck.cli.query_options"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    failures, _ = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert failures == 0


def test_public_api_is_listed():
    for name in query.__all__:
        assert getattr(query, name).__doc__, name
