"""Shared fixtures: where the real publisher files are, and what happens when they are not there.

A user's fresh clone has no ../shared/data: tests on real files skip and say why. CI sets
CROSSROADS_REQUIRE_SHARED=1, and there a missing ../shared/data is a failure, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CROSSROADS_SHARED_DATA", ROOT.parent / "shared" / "data"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _require_shared() -> bool:
    return os.environ.get("CROSSROADS_REQUIRE_SHARED") == "1"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real publisher files; skip (or fail in CI) when it is absent."""
    if not (SHARED_DATA / "README.md").exists():
        message = (
            f"real publisher files not found at {SHARED_DATA}: this clone has no ../shared/data "
            "(set CROSSROADS_SHARED_DATA to point at a copy); the small fixtures still cover each reader"
        )
        if _require_shared():
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """Folder of our own small hand-written sample files."""
    return FIXTURES
