"""CLI tests run the real command group through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from ruledeck.cli.main import ruledeck

REPO = Path(__file__).parents[2]


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(ruledeck, list(args), input=input, catch_exceptions=False)

    return invoke
