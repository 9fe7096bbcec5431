"""The app as a whole, through streamlit.testing.v1.AppTest: every page, default and URL-given state,
widget changes, invalid links, and a missing snapshot."""

from __future__ import annotations

import json
import os
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.strings import t
from loaders.catalogue import BY_ID, THEMES
from tests.dashboard.conftest import APP, PAGES, REAL_DATA


def _assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _shown(text: str) -> str:
    """A notice as the viewer reads it: notices escape every markdown character (ui.literal)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


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
    assert not at.warning, [_shown(w.value) for w in at.warning]
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
        # empty values: `?view=` once raised KeyError 'view.None' (a cleared segmented control)
        ("view", ""),
        ("indicator", ""),
        ("geo", ""),
        ("theme", ""),
        ("years", ""),
        ("period", ""),
    ],
)
def test_invalid_link_values_give_a_notice_not_an_exception(app, key, value):
    at = app(**{key: value})
    _assert_clean(at)
    notices = " ".join(_shown(w.value) for w in at.warning)
    assert "not available" in notices, notices
    # and the default is shown instead
    assert at.sidebar.selectbox(key="indicator").value in BY_ID


@pytest.mark.parametrize("page", ["overview", "compare"])
def test_empty_view_in_a_link_shows_the_default_view(app, page):
    at = app(page, view="")
    _assert_clean(at)
    assert at.sidebar.segmented_control(key="view").value == "per_capita", "the control shows the view drawn"
    notices = [_shown(w.value) for w in at.warning]
    assert any("view" in n and "not available" in n for n in notices), notices
    if page == "overview":
        assert "per 100,000" in at.title[0].value
    at.sidebar.multiselect(key="geo").set_value(["PL"]).run()
    _assert_clean(at)
    assert not at.warning, "the link was dealt with once, not on every rerun"


def test_more_than_eight_states_in_a_link_give_a_notice(app):
    named = [
        "Germany",
        "France",
        "Italy",
        "Spain",
        "Poland",
        "Greece",
        "Malta",
        "Cyprus",
        "Austria",
        "Belgium",
    ]
    at = app(geo=named)
    _assert_clean(at)
    assert len(at.sidebar.multiselect(key="geo").value) == 8
    notices = " ".join(_shown(w.value) for w in at.warning)
    assert "10 member states" in notices and "Austria, Belgium" in notices, notices


def test_eight_states_in_a_link_give_no_notice(app):
    at = app(geo=["Germany", "France", "Italy", "Spain", "Poland", "Greece", "Malta", "Cyprus"])
    _assert_clean(at)
    assert not at.warning, [_shown(w.value) for w in at.warning]


def test_indicator_of_another_theme_in_a_link_gives_a_notice(app):
    at = app(theme="Returns", indicator=BY_ID["asylum_applicants"].label)
    _assert_clean(at)
    assert at.sidebar.selectbox(key="theme").value == "returns"
    shown = at.sidebar.selectbox(key="indicator").value
    assert BY_ID[shown].theme == "returns"
    notices = " ".join(_shown(w.value) for w in at.warning)
    assert BY_ID["asylum_applicants"].label in notices and "Returns" in notices, notices
    assert BY_ID[shown].label in notices, "the notice says what is shown instead"


def test_changing_the_theme_after_a_link_gives_no_notice(app):
    at = app(indicator=BY_ID["first_time_applicants"].label)
    _assert_clean(at)
    at.sidebar.selectbox(key="theme").set_value("returns").run()
    _assert_clean(at)
    assert not at.warning, [_shown(w.value) for w in at.warning]


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
    assert any(value in _shown(w.value) for w in at.warning), [_shown(w.value) for w in at.warning]


def test_a_link_with_every_route_cleared_is_no_bad_link(app):
    """Routes start with the largest four picked; clearing them all writes `?route=`."""
    at = app("routes", route="")
    _assert_clean(at)
    assert not at.warning, [_shown(w.value) for w in at.warning]
    assert at.multiselect(key="route").value == []


def test_invalid_state_on_profile_gives_a_notice(app):
    at = app("profile", state="Narnia")
    _assert_clean(at)
    assert any("Narnia" in _shown(w.value) for w in at.warning)
    assert "Germany" in at.title[0].value


def test_sidebar_widgets_are_bound_to_the_url(app):
    """Bound widgets write the URL in the browser (the e2e tests watch that); here: each one is bound."""
    at = app()
    bound = {
        "theme": at.sidebar.selectbox(key="theme"),
        "view": at.sidebar.segmented_control(key="view"),
        "years": at.sidebar.slider(key="years"),
        "geo": at.sidebar.multiselect(key="geo"),
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

    before = at.get("plotly_chart")[-1].proto.spec.replace(" ", "")
    assert '"name":"Poland"' not in before, "no member state on the EU27 trend until one is chosen"
    at.sidebar.multiselect(key="geo").set_value(["PL"]).run()
    _assert_clean(at)
    trend = at.get("plotly_chart")[-1].proto.spec.replace(" ", "")
    assert '"name":"Poland"' in trend


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


def test_compare_index_table_and_download_hold_the_index_drawn(app):
    at = app("compare", geo=["Germany", "France"], index="true")
    at.toggle(key="compare_as_table").set_value(True).run()
    _assert_clean(at)
    table = at.dataframe[0].value
    base = " ".join(c.value for c in at.caption).split("Base period: ")[1].split(" = 100")[0]
    rows = pd.read_parquet(REAL_DATA / "indicators.parquet")
    from dashboard import data

    shown, _ = data.resolve_view(
        at.sidebar.selectbox(key="indicator").value, "per_capita"
    )  # the default view
    ind = rows[rows.indicator == shown]
    for name, geo in (("Germany", "DE"), ("France", "FR")):
        mine = ind[ind.geo == geo].set_index("period")["value"]
        line = table[table[t("col.name")] == name].set_index(t("col.period"))[t("col.value")]
        assert line[base] == pytest.approx(100.0)
        last = line.index.max()
        assert line[last] == pytest.approx(mine[last] / mine[base] * 100)
    assert (table[t("col.unit")] == f"Index, {base} = 100").all()


def test_compare_index_says_its_base_period_and_skips_zero_bases(app):
    """Some states report zero beneficiaries of temporary protection in its first month: no base."""
    from dashboard import data

    snap = data.load_snapshot(REAL_DATA)
    rows = snap.rows("temporary_protection")
    zero = rows[rows["value"] == 0].iloc[0]
    same_month = rows[(rows["period"] == zero["period"]) & (rows["value"] > 0)]
    states = [zero["geo"], same_month["geo"].iloc[0]]  # both have a value then: once the index base
    link = {"theme": "Temporary protection", "indicator": BY_ID["temporary_protection"].label}
    at = app("compare", **link, view=t("view.absolute"), geo=[snap.name(g) for g in states], index="true")
    _assert_clean(at)
    summary = _markdown(at)
    assert "inf" not in summary and "nan" not in summary.lower(), summary
    caption = " ".join(c.value for c in at.caption)
    assert "Base period:" in caption, caption
    base = caption.split("Base period: ")[1].split(" = 100")[0]
    values = rows[rows["geo"].isin(states) & (rows["period"] == base)]["value"]
    assert len(values) == 2 and (values != 0).all(), "the base is a period where every line is non-zero"
    assert base > zero["period"], "the period with a zero was skipped"
    spec = at.get("plotly_chart")[0].proto.spec
    assert "Infinity" not in spec and f"{base} = 100" in spec


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


def _damage_shapes_empty(folder):
    frame = pd.read_parquet(folder / "shapes.parquet")
    frame.iloc[0:0].to_parquet(folder / "shapes.parquet")


def _damage_shapes_no_geometry(folder):
    pd.read_parquet(folder / "shapes.parquet").drop(columns="geometry").to_parquet(folder / "shapes.parquet")


def _damage_manifest_list(folder):
    (folder / "manifest.json").write_text("[1, 2, 3]")


def _damage_manifest_no_datasets(folder):
    (folder / "manifest.json").write_text('{"built_at": "2026-01-01"}')


def _damage_changes_list(folder):
    (folder / "changes.json").write_text('["not", "an", "object"]')


def _damage_geo(folder):
    (folder / "geo.parquet").write_bytes(b"PAR1 truncated")


@pytest.mark.parametrize(
    ("damage", "file"),
    [
        (_damage_shapes_empty, "shapes.parquet"),
        (_damage_shapes_no_geometry, "shapes.parquet"),
        (_damage_manifest_list, "manifest.json"),
        (_damage_manifest_no_datasets, "manifest.json"),
        (_damage_changes_list, "changes.json"),
        (_damage_geo, "geo.parquet"),
    ],
)
def test_a_damaged_snapshot_file_gets_a_page_naming_it(tmp_path, monkeypatch, damage, file):
    """Never a traceback, never 'something went wrong': the page names the file and the fix, and no path."""
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(REAL_DATA, copy, ignore=shutil.ignore_patterns(".lock", "raw"))
    damage(copy)
    monkeypatch.setenv("CROSSROADS_DATA_DIR", str(copy))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error and "not available" in at.error[0].value
    text = _markdown(at)
    assert f"`{file}`" in text and "python -m loaders build" in text
    assert str(tmp_path) not in text and "Error" not in text  # no server path, no exception text


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
        assert not any("not available here" in _shown(w.value) for w in at.warning)


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


def test_routes_monthly_chart_says_months_without_a_record_are_gaps(app):
    at = app("routes")
    _assert_clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert "Months without a record in the source are gaps" in captions, captions
    assert "only months with detections" in captions


def _eu_sum_indicators() -> tuple[str, str]:
    """(an indicator whose newest EU27 value Crossroads summed, one whose newest EU27 value is published)."""
    from dashboard import data

    snap = data.load_snapshot(REAL_DATA)
    summed = published = None
    for theme in data.picker_themes():
        for ind in data.picker_indicators(theme):
            if BY_ID[ind].variant == "rate":
                continue
            eu = snap.by_geo.get((ind, "EU27_2020"))
            if eu is None or eu["value"].notna().sum() == 0:
                continue
            newest = eu[eu["value"].notna()].iloc[-1]
            if newest["period"] != data.last_period(snap, ind):
                continue
            if pd.notna(newest["note"]) and summed is None:
                summed = ind
            elif pd.isna(newest["note"]) and published is None:
                published = ind
    assert summed and published, "the snapshot has both kinds of EU27 figures"
    return summed, published


def test_eu27_totals_computed_by_crossroads_are_marked(app):
    summed, published = _eu_sum_indicators()
    link = {"theme": THEMES[BY_ID[summed].theme], "indicator": BY_ID[summed].label}
    at = app(**link, view=t("view.absolute"))
    _assert_clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert "sum of the 27 member states, computed by Crossroads" in captions, captions
    tile = at.metric[0]
    assert tile.label.startswith("EU27 total") and "computed by Crossroads" in tile.proto.help
    trend = at.get("plotly_chart")[-1].proto.spec
    assert "EU27 (sum of 27)" in _trace_names(at.get("plotly_chart")[-1])
    assert "Sum of the 27 member states, computed by Crossroads" in trend
    assert "EU27 (sum of 27):" in _markdown(at), "the trend's summary says so too"

    at = app(**link)  # per capita: the ranking's EU27 line and sentence
    _assert_clean(at)
    ranking = at.get("plotly_chart")[1].proto.spec
    assert "EU27 (sum of 27):" in ranking
    assert "the EU27 figure, a sum of the 27 member states computed by Crossroads" in _markdown(at)

    at = app(theme=THEMES[BY_ID[published].theme], indicator=BY_ID[published].label)
    _assert_clean(at)
    assert "computed by Crossroads" not in " ".join(c.value for c in at.caption)
    assert "sum of 27" not in at.get("plotly_chart")[-1].proto.spec
    assert "computed by Crossroads" not in _markdown(at)


def test_profile_marks_eu27_sums(app):
    summed, _ = _eu_sum_indicators()
    at = app("profile", state="Italy", theme=THEMES[BY_ID[summed].theme], indicator=BY_ID[summed].label)
    _assert_clean(at)
    table = at.dataframe[0].value
    marked = table[t("col.eu_per_capita")].str.endswith(t("eu_sum.mark"))
    assert marked.any(), "the EU27 column marks Crossroads' sums"
    assert any(t("eu_sum.table_note") == c.value for c in at.caption)
    assert "EU27 (sum of 27)" in _trace_names(at.get("plotly_chart")[0])
    assert "(sum of 27):" in _markdown(at), "the summary names the EU27 figure a sum"


def _trace_names(chart) -> list[str]:
    return [trace.get("name") for trace in json.loads(chart.proto.spec)["data"]]


def test_a_running_server_shows_a_new_snapshot_after_loaders_update(tmp_path, monkeypatch):
    """`loaders update` rewrites data/ (manifest last) under a running server: the next rerun shows it,
    on every page and in the profile's cached every-indicator table."""
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(REAL_DATA, copy)
    monkeypatch.setenv("CROSSROADS_DATA_DIR", str(copy))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"state": "Italy"})
    at.run()
    at.switch_page("views/profile.py")
    at.run()
    _assert_clean(at)
    before = at.dataframe[0].value
    line = before[t("col.indicator")].str.startswith(BY_ID["asylum_applicants"].label + " (")
    assert line.any()

    # What an update does: new tables, then the manifest, each by an atomic rename.
    indicators = pd.read_parquet(copy / "indicators.parquet")
    italy = (indicators["indicator"] == "asylum_applicants") & (indicators["geo"] == "IT")
    newest = indicators.loc[italy, "period"].max()
    indicators.loc[italy & (indicators["period"] == newest), "value"] = 123_456_789.0
    indicators.to_parquet(copy / "indicators.parquet.tmp")
    (copy / "indicators.parquet.tmp").replace(copy / "indicators.parquet")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["built_at"] = "2031-01-02T03:04:05+00:00"
    (copy / "manifest.json.tmp").write_text(json.dumps(manifest), encoding="utf-8")
    (copy / "manifest.json.tmp").replace(copy / "manifest.json")
    stat = (copy / "manifest.json").stat()
    os.utime(copy / "manifest.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))

    at.run()
    _assert_clean(at)
    assert any("2031-01-02" in c.value for c in at.sidebar.caption), "the sidebar names the new snapshot"
    after = at.dataframe[0].value
    assert after.loc[line.to_numpy(), t("col.value")].iat[0] == "123,456,789"  # rounded once, as shown


def test_profile_table_and_sentence_round_the_same_value_once(app):
    """Italy 2024 per 100,000: the table once rounded to 2 decimals, then to 1 (268.9 against 269.0)."""
    at = app("profile", state="Italy")
    _assert_clean(at)
    rows = pd.read_parquet(REAL_DATA / "indicators.parquet")
    value = rows[
        (rows.indicator == "asylum_applicants_per_100k") & (rows.geo == "IT") & (rows.period == "2024")
    ]["value"].iat[0]
    expected = f"{value:,.1f}"
    table = at.dataframe[0].value
    line = table[t("col.indicator")].str.startswith(BY_ID["asylum_applicants"].label + " (")
    assert table.loc[line.to_numpy(), t("col.per_capita")].iat[0].startswith(expected + " ")
    assert f"({expected} per 100,000 inhabitants" in _markdown(at)


def test_an_indicator_opens_on_the_newest_period_most_states_report(app):
    """Not the newest period any one state has; a newer one is named with its states. The period of
    one indicator does not stick to the next."""
    from dashboard import data

    snap = data.load_snapshot(REAL_DATA)
    periods = data.periods(snap, "recognition_rate")
    counts = {p: len(data.states_with_value(snap, "recognition_rate", p)) for p in periods}
    majority = max(p for p, n in counts.items() if n * 2 > len(snap.member_states))
    at = app(theme="Asylum decisions", indicator="recognition_rate")
    _assert_clean(at)
    assert at.selectbox(key="period").value == majority
    if periods[-1] != majority:
        names = [snap.name(g) for g in data.states_with_value(snap, "recognition_rate", periods[-1])]
        captions = " ".join(c.value for c in at.caption)
        assert f"{periods[-1]} is available for {len(names)} member state" in captions, captions
        assert ", ".join(names) in captions
    older = data.periods(snap, "recognition_rate")[0]
    at.selectbox(key="period").set_value(older).run()
    at.sidebar.selectbox(key="theme").set_value("asylum").run()
    _assert_clean(at)
    applicants = data.periods(snap, "asylum_applicants_per_100k")
    assert at.selectbox(key="period").value == data.default_period(
        snap, "asylum_applicants_per_100k", applicants
    )


def test_indicator_links_by_id_and_by_label(app):
    for value in ("recognition_rate", BY_ID["recognition_rate"].label):
        at = app(indicator=value)
        _assert_clean(at)
        assert at.sidebar.selectbox(key="indicator").value == "recognition_rate"
        assert not at.warning, [_shown(w.value) for w in at.warning]


def test_about_coverage_counts_every_flag_letter(app):
    link = {"theme": "Temporary protection", "indicator": BY_ID["temporary_protection"].label}
    at = app("about", **link, view=t("view.absolute"))
    _assert_clean(at)
    rows = pd.read_parquet(REAL_DATA / "indicators.parquet")
    tp = rows[(rows.indicator == "temporary_protection") & rows.value.notna() & rows.flag.notna()]
    coverage = next(d.value for d in at.dataframe if t("col.flag_letters") in d.value.columns)
    for geo, name in (("DE", "Germany"), ("PL", "Poland"), ("EU27_2020", "EU27")):
        letters: dict[str, int] = {}
        for flag in tp[tp.geo == geo]["flag"]:
            for letter in dict.fromkeys(flag):
                letters[letter] = letters.get(letter, 0) + 1
        expected = ", ".join(f"{k} {v}" for k, v in sorted(letters.items()))
        shown = coverage[coverage[t("col.name")].str.startswith(name)][t("col.flag_letters")].iat[0]
        assert shown == expected, (geo, shown, expected)
    assert coverage[t("col.flag_letters")].str.len().gt(0).any()


def test_overview_tiles_carry_units_and_follow_the_view(app):
    at = app("overview", view=t("view.share_eu"))
    _assert_clean(at)
    values = {m.label.split(":")[0]: m.value for m in at.metric}
    assert values["EU27 total, 2024"].endswith(" persons")
    highest = next(m for m in at.metric if m.label.startswith("Highest"))
    assert highest.value.endswith("%"), highest.value  # share of the EU total, not per capita
    per_capita = app("overview")
    top = next(m for m in per_capita.metric if m.label.startswith("Highest"))
    assert top.value.endswith(" per 100k"), top.value


def test_eight_states_say_that_no_more_can_be_added(app):
    from dashboard import data

    snap = data.load_snapshot(REAL_DATA)
    names = [snap.name(g) for g in snap.member_states]
    at = app("compare", geo=names[:8])
    _assert_clean(at)
    assert any("At most 8 member states" in c.value for c in at.sidebar.caption)
    fewer = app("compare", geo=names[:3])
    assert not any("At most 8 member states" in c.value for c in fewer.sidebar.caption)


def test_a_rate_has_no_show_as_control(app):
    link = {"theme": "Asylum decisions", "indicator": "recognition_rate"}
    at = app("overview", **link)
    _assert_clean(at)
    assert not [w for w in at.sidebar if getattr(w, "key", None) == "view"]
    assert any("Shown as a rate (% of decisions)" in c.value for c in at.sidebar.caption)
    counts = app("overview")
    assert any(getattr(w, "key", None) == "view" for w in counts.sidebar)
