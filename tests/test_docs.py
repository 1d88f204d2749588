"""Every docstring example in ruledeck runs (STYLE.md §8), in one place for all modules."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import ruledeck.cli
import ruledeck.engine


def _modules(package) -> list[str]:
    return [package.__name__] + [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


MODULES = _modules(ruledeck.engine) + _modules(ruledeck.cli)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
