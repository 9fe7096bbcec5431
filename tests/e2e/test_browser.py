"""The dashboard in Debian's chromium against `streamlit run`, with the internet blocked."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import screenshot, settle

pytestmark = pytest.mark.e2e

PAGES = {"overview": 3, "profile": 2, "compare": 1, "routes": 2, "about": 0}
PATHS = {"overview": ""}  # the default page lives at the root URL


def _no_error_box(tab) -> None:
    assert tab.locator('[data-testid="stException"]').count() == 0, "a traceback is shown"
    errors = tab.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.all_inner_texts()
    assert page_dialogs(tab) == [], "no 'page not found' or other dialog"


def page_dialogs(tab) -> list[str]:
    return tab.locator('[role="dialog"]').all_inner_texts()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders(page, server, name):
    page.goto(f"{server}/{PATHS.get(name, name)}")
    settle(page, charts=PAGES[name])
    _no_error_box(page)
    assert page.locator("h1").count() >= 1
    screenshot(page, name)


def test_map_draws_its_shapes(page, server):
    page.goto(server)
    settle(page, charts=3)
    canvas = page.locator(".js-plotly-plot canvas.maplibregl-canvas").first
    canvas.wait_for(state="visible")
    png = canvas.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int).reshape(-1, 3)
    coloured = int(((pixels.max(axis=1) - pixels.min(axis=1)) > 40).sum())  # neither white nor grey
    assert coloured > 0.05 * len(pixels), f"only {coloured} of {len(pixels)} map pixels are coloured"


def test_a_shared_url_reopens_the_same_view(page, server, browser):
    query = "indicator=Asylum+applicants&geo=Germany&geo=France&view=Absolute&years=2012&years=2020"
    link = f"{server}/compare?{query}"
    page.goto(link)
    settle(page, charts=1)
    _no_error_box(page)
    chips = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert "Germany" in chips and "France" in chips
    summary = page.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()

    other = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        other.goto(page.url)
        settle(other, charts=1)
        assert other.locator('[data-testid="stMarkdownContainer"]').all_inner_texts() == summary
    finally:
        other.close()


def test_changing_a_widget_writes_the_url(page, server):
    page.goto(server)
    settle(page, charts=3)
    page.get_by_role("radio", name="Absolute").click()
    page.wait_for_function("location.search.includes('view=')")
    settle(page, charts=3)
    assert parse_qs(urlparse(page.url).query)["view"] == ["Absolute"]
    assert "per 100,000" not in page.locator("h1").first.inner_text()


def test_a_link_with_a_bad_value_shows_a_notice(page, server):
    page.goto(f"{server}/?geo=Atlantis&indicator=Unicorns")
    settle(page, charts=3)
    _no_error_box(page)
    notices = " ".join(page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts())
    assert "Atlantis" in notices and "Unicorns" in notices


def test_an_empty_view_in_a_link_shows_the_default_view_and_a_notice(page, server):
    page.goto(f"{server}/?view=")
    settle(page, charts=3)
    _no_error_box(page)
    notices = " ".join(page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts())
    assert "view" in notices and "not available" in notices, notices
    assert page.get_by_role("radio", name="Per capita").is_checked(), "the control shows the view drawn"
    assert "per 100,000" in page.locator("h1").first.inner_text()
    page.wait_for_function("!location.search.includes('view=')", timeout=10_000)
    page.get_by_role("radio", name="Absolute").click()
    page.wait_for_function("location.search.includes('view=Absolute')")
    settle(page, charts=3)
    _no_error_box(page)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0, "the notice is not repeated"


def test_changing_the_theme_after_a_link_gives_no_notice(page, server):
    """The URL still names the link's indicator while the new theme's rerun starts: not a bad link."""
    page.goto(f"{server}/?indicator=First-time+asylum+applicants")
    settle(page, charts=3)
    assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Returns").click()
    page.wait_for_function("location.search.includes('theme=Returns')")
    settle(page, charts=3)
    _no_error_box(page)
    notices = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert notices == [], notices


def test_routes_say_months_without_a_record_are_gaps(page, server):
    page.goto(f"{server}/routes")
    settle(page, charts=2)
    _no_error_box(page)
    assert page.get_by_text("Months without a record in the source are gaps").count() == 1


def test_download_equals_the_filtered_view(page, server):
    page.goto(f"{server}/compare?geo=Germany&geo=Italy&years=2015&years=2020")
    settle(page, charts=1)
    # keyed by geo code: a trace's name may say more than the geo's name (e.g. "EU27 (sum of 27)")
    drawn = page.evaluate(
        """() => Object.fromEntries(document.querySelector('.js-plotly-plot').data
              .filter(t => t.hovertext)
              .map(t => [t.customdata[0], t.y.filter(v => v !== null).length]))"""
    )
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").first.click()
    content = info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert rows, "the download has rows"
    assert {r["geo"] for r in rows} == {"DE", "IT", "EU27_2020"}
    assert all("2015" <= r["period"][:4] <= "2020" for r in rows)
    downloaded: dict[str, int] = {}
    for r in rows:
        if r["value"] != "":
            downloaded[r["geo"]] = downloaded.get(r["geo"], 0) + 1
    assert downloaded == drawn
    for column in ("unit", "flag", "source_dataset", "snapshot_built_at", "publisher_last_update"):
        assert column in rows[0]


def test_clicking_a_bar_opens_that_profile(page, server):
    page.goto(f"{server}/?geo=Malta&view=Absolute")
    settle(page, charts=3)
    bar_chart = page.locator(".js-plotly-plot").nth(1)
    first_bar = bar_chart.locator("g.point path").last  # largest value, drawn on top
    first_bar.scroll_into_view_if_needed()
    box = first_bar.bounding_box()
    # plotly listens on its drag layer above the bars: click where the bar is, as a person would
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/profile**", timeout=30_000)
    settle(page, charts=2)
    _no_error_box(page)
    heading = page.locator("h1").first.inner_text()
    assert "Member state profile" in heading
    page.wait_for_function("location.search.includes('state=')", timeout=10_000)
    chosen = parse_qs(urlparse(page.url).query)["state"][0]
    assert chosen in heading, "the link names the state shown, so it can be shared"
    query = parse_qs(urlparse(page.url).query)
    assert query["geo"] == ["Malta"] and query["view"] == ["Absolute"], "the sidebar's choices come along"


def _pick(tab, n: int, name: str) -> None:
    tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(n).click()
    tab.get_by_role("option", name=name, exact=True).click()
    tab.wait_for_timeout(300)
    settle(tab, charts=3)


def test_a_copied_link_reopens_the_view_after_theme_changes(page, server, browser):
    """Theme, indicator, theme back: the URL must not keep the indicator the theme change replaced."""
    page.goto(server)
    settle(page, charts=3)
    _pick(page, 0, "Asylum decisions")
    _pick(page, 1, "Recognition rate (first instance)")
    page.wait_for_function("location.search.includes('indicator=')")
    _pick(page, 0, "Asylum applications")
    heading = page.locator("h1").first.inner_text()
    assert "indicator" not in parse_qs(urlparse(page.url).query), page.url
    other = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        other.goto(page.url)
        settle(other, charts=3)
        assert other.locator("h1").first.inner_text() == heading
    finally:
        other.close()
