"""The timing package lists its public API (its doctests run in tests/test_docs.py)."""

from __future__ import annotations

import ruledeck.engine.timing as timing


def test_public_api_is_listed():
    assert sorted(timing.__all__) == sorted(name for name in dir(timing) if name in timing.__all__)
    for name in timing.__all__:
        assert getattr(timing, name).__doc__ or name == "Zone", name
