"""A snapshot built once per test session from the real files, shared by build and indicator tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from loaders.build import build


@pytest.fixture(scope="session")
def built_snapshot(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ folder built by `loaders build` from ../shared/data into a temporary folder."""
    out = tmp_path_factory.mktemp("snapshot")
    build(shared_data, out, progress=False)
    return out


@pytest.fixture(scope="module")
def ind(built_snapshot: Path) -> pd.DataFrame:
    """The indicators table of the session's build."""
    return pd.read_parquet(built_snapshot / "indicators.parquet")


@pytest.fixture(scope="module")
def obs(built_snapshot: Path):
    """name -> that observation table of the session's build."""
    return lambda name: pd.read_parquet(built_snapshot / "observations" / f"{name}.parquet")
