"""Fixtures for the dashboard tests: which snapshot to run against, and a fresh AppTest.

They run against the committed snapshot in data/ (every clone has it), so what they check is what users
see: the publishers' real numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
REAL_DATA = ROOT / "data"
PAGES = ("overview", "profile", "compare", "routes", "about")


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    """The committed snapshot."""
    return REAL_DATA


@pytest.fixture
def app(snapshot_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """make(page=..., **query_params) -> an AppTest that has run once on that page with that URL."""
    monkeypatch.setenv("CROSSROADS_DATA_DIR", str(snapshot_dir))

    def make(page: str = "overview", **query: str | list[str]) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(query)
        if page != "overview":
            at.run()  # st.navigation registers the pages on the first run
            at.switch_page(f"views/{page}.py")
            at.query_params.update(query)
        return at.run()

    return make
