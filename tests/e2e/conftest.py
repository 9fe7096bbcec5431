"""Browser fixtures: a real `streamlit run` on 127.0.0.1 and Debian's chromium driven by Playwright.

Every request to a host other than 127.0.0.1/localhost is blocked and recorded, so a test can assert that
the dashboard fetched nothing from the internet. Without /usr/bin/chromium the tests skip and say why;
with CROSSROADS_REQUIRE_BROWSER=1 (CI) they fail instead.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
VIEWPORT = {"width": 1400, "height": 900}


def _need_browser() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run browser tests"
    )
    if os.environ.get("CROSSROADS_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def e2e_data() -> Path:
    """The committed snapshot (every clone has it): the browser sees the publishers' real numbers."""
    return ROOT / "data"


@pytest.fixture(scope="session")
def server(e2e_data: Path) -> Iterator[str]:
    """Base URL of a dashboard server for the whole session; stopped at the end."""
    _need_browser()
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    process = start_server(e2e_data, port, log=ARTIFACTS / "streamlit.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Blocked(list):
    """URLs of requests that tried to leave 127.0.0.1."""


@pytest.fixture
def page(browser, server) -> Iterator:
    """A fresh browser page whose requests outside 127.0.0.1 are blocked and recorded."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    blocked = Blocked()

    def guard(route) -> None:
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    tab.route("**/*", guard)
    tab.blocked = blocked
    yield tab
    context.close()
    assert not blocked, f"requests outside 127.0.0.1: {blocked}"


def settle(tab, charts: int = 0, timeout: float = 30_000) -> None:
    """Wait until the script has finished and at least `charts` plotly charts are drawn."""
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    if charts:
        tab.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}", timeout=timeout
        )
    tab.wait_for_timeout(300)  # let plotly and maplibre finish painting


def screenshot(tab, name: str) -> Path:
    """The whole page (Streamlit scrolls inside its main block, so grow the viewport first)."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = tab.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], section.main, body')]"
        ".map(e => e.scrollHeight))"
    )
    tab.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 50, 6000)})
    tab.wait_for_timeout(400)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(VIEWPORT)
    return path
