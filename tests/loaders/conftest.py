"""A snapshot built once per test session from the real files, shared by build and indicator tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.build import build


@pytest.fixture(scope="session")
def built_snapshot(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ folder built by `loaders build` from ../shared/data into a temporary folder."""
    out = tmp_path_factory.mktemp("snapshot")
    build(shared_data, out, progress=False)
    return out
