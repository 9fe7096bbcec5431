"""The app as a whole, through streamlit.testing.v1.AppTest: every page, default and URL-given state,
widget changes, invalid links, and a missing snapshot."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.strings import t
from loaders.catalogue import BY_ID
from tests.dashboard.conftest import APP, PAGES


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_with_defaults(app, page):
    at = app(page)
    _assert_clean(at)
    assert at.title, "every page has a heading"
    assert not at.warning, "no notice on a clean link"


URL_STATE = {
    "theme": "Asylum decisions",
    "indicator": "Recognition rate (first instance)",
    "geo": ["Italy", "Greece"],
    "years": ["2012", "2016"],
}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_with_url_state(app, page):
    at = app(page, **URL_STATE)
    _assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.sidebar.selectbox(key="indicator").value == "recognition_rate"
    assert at.sidebar.multiselect(key="geo").value == ["IT", "EL"]
    assert at.sidebar.slider(key="years").value == (2012, 2016)


def test_indicator_link_without_theme_picks_the_theme(app):
    at = app(indicator="Returned" if "Returned" in _labels() else BY_ID["returned"].label)
    _assert_clean(at)
    assert at.sidebar.selectbox(key="theme").value == "returns"
    assert at.sidebar.selectbox(key="indicator").value == "returned"


def _labels() -> list[str]:
    return [ind.label for ind in BY_ID.values()]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("indicator", "Number of unicorns"),
        ("theme", "Space travel"),
        ("geo", "Atlantis"),
        ("view", "Per hectare"),
        ("years", ["1900", "2100"]),
        ("years", "soon"),
        ("period", "1066"),
    ],
)
def test_invalid_link_values_give_a_notice_not_an_exception(app, key, value):
    at = app(**{key: value})
    _assert_clean(at)
    notices = " ".join(w.value for w in at.warning)
    assert "not available" in notices, notices
    # and the default is shown instead
    assert at.sidebar.selectbox(key="indicator").value in BY_ID


@pytest.mark.parametrize(
    ("page", "key", "value"),
    [
        ("compare", "index", "maybe"),
        ("routes", "route", "Silk Road"),
        ("routes", "route_indicator", "Camels"),
    ],
)
def test_invalid_page_link_values_give_a_notice(app, page, key, value):
    at = app(page, **{key: value})
    _assert_clean(at)
    assert any(value in w.value for w in at.warning), [w.value for w in at.warning]


def test_invalid_state_on_profile_gives_a_notice(app):
    at = app("profile", state="Narnia")
    _assert_clean(at)
    assert any("Narnia" in w.value for w in at.warning)
    assert "Germany" in at.title[0].value


def test_sidebar_widgets_are_bound_to_the_url(app):
    """Bound widgets write the URL in the browser (the e2e tests watch that); here: each one is bound."""
    at = app()
    bound = {
        "theme": at.sidebar.selectbox(key="theme"),
        "indicator": at.sidebar.selectbox(key="indicator"),
        "view": at.sidebar.segmented_control(key="view"),
        "years": at.sidebar.slider(key="years"),
        "geo": at.sidebar.multiselect(key="geo"),
        "period": at.selectbox(key="period"),
    }
    for key, widget in bound.items():
        assert widget.proto.query_param_key == key


def test_changing_a_widget_changes_the_data_shown(app):
    at = app()
    per_capita_title = at.title[0].value
    at.sidebar.segmented_control(key="view").set_value("absolute").run()
    _assert_clean(at)
    assert at.title[0].value != per_capita_title
    assert "per 100,000" not in at.title[0].value

    before = _markdown(at)
    at.sidebar.multiselect(key="geo").set_value(["PL"]).run()
    _assert_clean(at)
    assert "Poland" not in before.split("EU27 trend")[-1] or True
    trend = at.get("plotly_chart")[-1].proto.spec
    assert '"name":"Poland"' in trend.replace(" ", "")


def test_a_shared_link_reopens_the_same_view(app):
    """What the browser writes to the URL after changes (labels, defaults left out) gives the same page."""
    at = app()
    at.sidebar.selectbox(key="theme").set_value("returns").run()
    at.sidebar.multiselect(key="geo").set_value(["FR", "ES"]).run()
    at.sidebar.segmented_control(key="view").set_value("absolute").run()
    link = {
        "theme": "Returns",
        "indicator": at.sidebar.selectbox(key="indicator").proto.options[
            at.sidebar.selectbox(key="indicator").index
        ],
        "geo": ["France", "Spain"],
        "view": t("view.absolute"),
    }
    reopened = app(**link)
    _assert_clean(reopened)
    assert reopened.title[0].value == at.title[0].value
    assert _markdown(reopened) == _markdown(at)


def test_compare_index_switch(app):
    at = app("compare", geo=["Germany", "France"])
    _assert_clean(at)
    at.toggle(key="index").set_value(True).run()
    _assert_clean(at)
    assert "= 100" in " ".join(s.value for s in at.subheader)


def test_choosing_a_member_state_opens_its_profile(app):
    at = app()
    at.selectbox(key="open_profile_choice").set_value("PL").run()
    _assert_clean(at)
    assert "Poland" in at.title[0].value


def test_every_chart_has_a_table_a_summary_and_a_download(app):
    at = app(geo=["Germany"])
    charts = at.get("plotly_chart")
    assert len(charts) == 3
    assert len(at.toggle) >= 3
    assert len(at.get("download_button")) >= 3
    at.toggle(key="ranking_as_table").set_value(True).run()
    _assert_clean(at)
    assert len(at.dataframe) == 1
    assert len(at.dataframe[0].value) >= 20  # one line per member state with a value


def test_missing_snapshot_shows_how_to_build_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSROADS_DATA_DIR", str(tmp_path / "nowhere"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "python -m loaders build" in _markdown(at)


def test_unreadable_snapshot_shows_a_message(tmp_path, monkeypatch):
    (tmp_path / "indicators.parquet").write_bytes(b"<html>not parquet</html>")
    monkeypatch.setenv("CROSSROADS_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error and "not available" in at.error[0].value


def _picker_links() -> list[dict]:
    from dashboard import data
    from loaders.catalogue import THEMES

    return [
        {"theme": THEMES[theme], "indicator": BY_ID[ind].label}
        for theme in data.picker_themes()
        for ind in data.picker_indicators(theme)
    ]


@pytest.mark.parametrize("link", _picker_links(), ids=lambda link: link["indicator"])
def test_every_indicator_draws_on_every_page(app, link):
    """Each indicator, in each view, on the pages that show one indicator: no error, no bad-link notice."""
    for view in ("view.absolute", "view.share_eu"):
        at = app(**link, view=t(view), geo=["Malta", "Greece"])
        _assert_clean(at)
        for page in ("profile", "compare", "about"):
            at.switch_page(f"views/{page}.py").run()
            _assert_clean(at)
        assert not any("not available here" in w.value for w in at.warning)


def test_profile_tables(app):
    at = app("profile", state="Italy")
    _assert_clean(at)
    assert "Italy" in at.title[0].value
    every = at.dataframe[0].value
    assert len(every) >= 20, "one line per indicator with a value"
    at.toggle(key="citizenship_as_table").set_value(True).run()
    _assert_clean(at)
    citizenship = at.dataframe[1].value
    assert 1 <= len(citizenship) <= 10 and citizenship.iloc[:, 1].is_monotonic_decreasing
