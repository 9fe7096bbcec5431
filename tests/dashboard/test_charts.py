"""Chart functions on small hand-made frames: flags marked, gaps kept, index at 100, offline maps."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from dashboard import charts, palette
from dashboard.summaries import compare_summary


def _series(rows: list[tuple[str, str, float | None, str | None]]) -> pd.DataFrame:
    """(geo, period, value, flag) -> the columns charts expect."""
    frame = pd.DataFrame(rows, columns=["geo", "period", "value", "flag"])
    frame["period_start"] = pd.to_datetime(frame["period"].str[:4] + "-01-01")
    frame["name"] = frame["geo"].map({"DE": "Germany", "IT": "Italy", "EU27_2020": "EU27"})
    frame["value"] = frame["value"].astype("float64")
    return frame


@pytest.fixture
def lines() -> pd.DataFrame:
    return _series(
        [
            ("DE", "2019", 100.0, None),
            ("DE", "2020", None, None),  # published as not available
            ("DE", "2021", 150.0, "p"),
            ("DE", "2022", 200.0, "bep"),
            ("IT", "2019", 50.0, None),
            # IT 2020 has no row at all: still a gap
            ("IT", "2021", 60.0, None),
            ("IT", "2022", 75.0, "e"),
            ("EU27_2020", "2019", 80.0, None),
            ("EU27_2020", "2020", 85.0, None),
            ("EU27_2020", "2021", 90.0, None),
            ("EU27_2020", "2022", 95.0, None),
        ]
    )


def _trace(fig, name: str):
    return next(tr for tr in fig.data if tr.name == name)


def test_missing_values_are_gaps_not_zeros(lines):
    fig = charts.time_lines(lines, unit="persons", source="Source: test.")
    germany, italy = _trace(fig, "Germany"), _trace(fig, "Italy")
    assert list(germany.y) == [100.0, None, 150.0, 200.0]
    assert list(italy.y) == [50.0, None, 60.0, 75.0], "a period without a row is a gap too"
    assert germany.connectgaps is False and italy.connectgaps is False
    assert 0 not in germany.y


def test_flagged_values_get_a_distinct_marker_and_their_meaning(lines):
    fig = charts.time_lines(lines, unit="persons", source="Source: test.")
    germany = _trace(fig, "Germany")
    symbols = list(germany.marker.symbol)
    assert symbols[2] == symbols[3] == palette.FLAG_SYMBOL
    assert symbols[0] != palette.FLAG_SYMBOL
    assert "provisional" in germany.hovertext[2]
    assert "break in time series" in germany.hovertext[3] and "estimated" in germany.hovertext[3]
    assert any(tr.name == "Flagged value (hover for meaning)" for tr in fig.data), "legend explains the mark"


def test_eu_aggregate_is_black_and_dashed_and_states_keep_their_colour(lines):
    fig = charts.time_lines(lines, unit="persons", source="Source: test.")
    eu = _trace(fig, "EU27")
    assert eu.line.color == palette.EU_COLOUR and eu.line.dash == "dash"
    alone = charts.time_lines(lines[lines["geo"] == "DE"], unit="persons", source="s")
    assert _trace(alone, "Germany").line.color == _trace(fig, "Germany").line.color


def test_every_member_state_has_its_own_colour_and_symbol():
    styles = {(palette.style_for(g).colour, palette.style_for(g).symbol) for g in palette.STATE_ORDER}
    assert len(styles) == 27
    assert palette.style_for("DE") == palette.style_for("DE")


def test_source_line_and_end_note_are_written_on_the_figure(lines):
    fig = charts.time_lines(
        lines, unit="persons", source="Source: Eurostat, dataset migr_eirtn.", note="Returns end in 2016."
    )
    text = " ".join(a.text for a in fig.layout.annotations)
    assert "migr_eirtn" in text and "end in 2016" in text


def test_source_line_names_publisher_and_datasets():
    line = charts.source_line({"Eurostat": ["migr_asyappctza", "demo_gind"], "UNHCR": ["unhcr_population"]})
    assert line == "Source: Eurostat, datasets migr_asyappctza, demo_gind; UNHCR, dataset unhcr_population."


def test_index_is_100_in_the_first_common_period(lines):
    states = lines[lines["geo"] != "EU27_2020"]
    indexed, base = charts.index_to_first_common(states)
    assert base == "2019"
    first = indexed[indexed["period"] == "2019"].set_index("geo")["value"]
    assert first.to_dict() == {"DE": 100.0, "IT": 100.0}
    assert indexed.loc[(indexed["geo"] == "DE") & (indexed["period"] == "2022"), "value"].iat[0] == 200.0
    assert indexed.loc[(indexed["geo"] == "DE") & (indexed["period"] == "2020"), "value"].isna().all()


def test_index_base_skips_periods_where_a_state_has_no_value():
    frame = _series(
        [
            ("DE", "2019", None, None),
            ("DE", "2020", 10.0, None),
            ("IT", "2019", 5.0, None),
            ("IT", "2020", 20.0, None),
        ]
    )
    indexed, base = charts.index_to_first_common(frame)
    assert base == "2020"
    assert set(indexed["value"]) == {100.0}


def test_index_without_a_common_period():
    frame = _series([("DE", "2019", 1.0, None), ("IT", "2020", 2.0, None)])
    indexed, base = charts.index_to_first_common(frame)
    assert base is None and indexed.empty


def _cross_section() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "geo": ["DE", "IT", "MT"],
            "name": ["Germany", "Italy", "Malta"],
            "period": ["2024"] * 3,
            "value": [300.0, 100.0, None],
            "flag": [None, "p", None],
        }
    )
    return frame


def test_ranked_bar_leaves_out_missing_states_and_hatches_flagged_ones():
    fig = charts.ranked_bar(
        _cross_section(), unit="per 100,000", source="s", highlight=["IT"], eu_value=200.0
    )
    bars = fig.data[0]
    assert list(bars.y) == ["Italy", "Germany"], "largest on top, Malta (no value) not drawn as zero"
    assert list(bars.marker.pattern.shape) == ["/", ""]
    assert bars.marker.color[0] == palette.style_for("IT").colour
    assert bars.marker.color[1] == palette.NEUTRAL
    assert any(shape.x0 == 200.0 for shape in fig.layout.shapes), "EU27 reference line"


SQUARES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": geo,
            "properties": {"NUTS_ID": geo},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x, 50], [x + 1, 50], [x + 1, 51], [x, 51], [x, 50]]],
            },
        }
        for x, geo in enumerate(["DE", "IT", "MT", "NO"])
    ],
}


def test_map_is_offline_choroplethmap_with_each_shape_once():
    fig = charts.choropleth(
        _cross_section(),
        SQUARES,
        {"IT": (1.5, 50.5)},
        unit="per 100,000",
        source="Source: test.",
        names={"DE": "Germany", "IT": "Italy", "MT": "Malta", "NO": "Norway"},
    )
    types = {tr.type for tr in fig.data}
    assert "choropleth" not in types and "choroplethmap" in types
    assert fig.layout.map.style == "white-bg"
    drawn = [f["id"] for tr in fig.data if tr.type == "choroplethmap" for f in tr.geojson["features"]]
    assert sorted(drawn) == ["DE", "IT", "MT", "NO"], "every shape sent exactly once"
    grey = next(
        tr
        for tr in fig.data
        if tr.type == "choroplethmap" and tr.showscale is not None and tr.showscale is False
    )
    assert "MT" in grey.locations and "NO" in grey.locations, "no value and non-member in grey"
    valued = next(tr for tr in fig.data if tr.type == "choroplethmap" and tr is not grey)
    assert list(valued.locations) == ["DE", "IT"]
    flagged = next(tr for tr in fig.data if tr.type == "scattermap")
    assert "provisional" in flagged.hovertext[0]
    assert "EuroGeographics" in " ".join(a.text for a in fig.layout.annotations)


def test_map_figure_stays_small(snapshot_dir):
    from dashboard import data

    snap = data.load_snapshot(snapshot_dir)
    section = data.cross_section(
        snap, "asylum_applicants_per_100k", data.last_period(snap, "asylum_applicants_per_100k")
    )
    section["name"] = [snap.name(g) for g in section["geo"]]
    fig = charts.choropleth(
        section[section["geo"] != "EU27_2020"],
        snap.shapes,
        snap.label_points,
        unit="u",
        source="s",
        names=snap.names,
    )
    size = len(json.dumps(fig.to_plotly_json(), default=str))
    assert size < 150_000, size


def test_a_month_no_line_has_is_a_gap_not_a_bridge():
    """Frontex and IOM list only months with a record: a month missing for every route shown (here
    2024-02 and 2024-03) is still a gap, and never a zero."""
    frame = pd.DataFrame(
        {
            "geo": ["black_sea", "black_sea", "other", "other"],
            "name": ["Black Sea", "Black Sea", "Other", "Other"],
            "period": ["2024-01", "2024-04", "2024-01", "2024-04"],
            "value": [5.0, 7.0, 1.0, 2.0],
            "flag": [None] * 4,
        }
    )
    frame["period_start"] = pd.to_datetime(frame["period"] + "-01")
    fig = charts.time_lines(frame, unit="detections", source="s", markers=False)
    black_sea = _trace(fig, "Black Sea")
    assert list(black_sea.x) == ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
    assert list(black_sea.y) == [5.0, None, None, 7.0]
    assert "no data" in black_sea.hovertext[1]


def test_a_year_no_line_has_is_a_gap_too(lines):
    without_2021 = lines[lines["period"] != "2021"]
    fig = charts.time_lines(without_2021, unit="persons", source="s")
    assert list(_trace(fig, "EU27").y) == [80.0, 85.0, None, 95.0]


def test_index_base_skips_a_zero_value():
    """A zero in the first common period would give an infinite index (and "grew most (index inf)")."""
    frame = _series(
        [
            ("DE", "2019", 0.0, None),
            ("DE", "2020", 10.0, None),
            ("DE", "2021", 30.0, None),
            ("IT", "2019", 5.0, None),
            ("IT", "2020", 20.0, None),
            ("IT", "2021", 20.0, None),
        ]
    )
    indexed, base = charts.index_to_first_common(frame)
    assert base == "2020"
    assert indexed["value"].map(math.isfinite).all()
    assert indexed.set_index(["geo", "period"])["value"].to_dict() == {
        ("DE", "2020"): 100.0,
        ("DE", "2021"): 300.0,
        ("IT", "2020"): 100.0,
        ("IT", "2021"): 100.0,
    }
    summary = compare_summary(indexed, "Index", base)
    assert "inf" not in summary and "Germany grew most (index 300)" in summary


def test_index_without_a_non_zero_common_period():
    frame = _series([("DE", "2019", 0.0, None), ("IT", "2019", 2.0, None)])
    indexed, base = charts.index_to_first_common(frame)
    assert base is None and indexed.empty


SUM_NOTE = "EU27 total computed by Crossroads as the sum of the 27 member states (all 27 reported)"


def test_eu27_sum_is_named_and_explained_on_the_line(lines):
    frame = lines.assign(note=pd.Series([None] * len(lines), dtype="string"))
    frame.loc[frame["geo"] == "EU27_2020", "note"] = SUM_NOTE
    frame.loc[(frame["geo"] == "EU27_2020") & (frame["period"] == "2022"), "flag"] = "ep"
    fig = charts.time_lines(frame, unit="persons", source="s")
    eu = _trace(fig, "EU27 (sum of 27)")
    assert eu.line.dash == "dash"
    assert "Sum of the 27 member states, computed by Crossroads" in eu.hovertext[0]
    assert "Flags of the member states' values: ep (estimated, provisional)" in eu.hovertext[3]
    assert "computed by Crossroads" not in " ".join(_trace(fig, "Germany").hovertext)

    frame.loc[(frame["geo"] == "EU27_2020") & (frame["period"] != "2019"), "note"] = None
    partly = charts.time_lines(frame, unit="persons", source="s")
    assert "computed by Crossroads" not in _trace(partly, "EU27 (sum of 27 in 2019)").hovertext[1]

    published = charts.time_lines(lines, unit="persons", source="s")
    assert "computed by Crossroads" not in " ".join(_trace(published, "EU27").hovertext)


def test_per_capita_hover_tells_value_and_population_flags_apart(lines):
    frame = lines.assign(indicator="asylum_applicants_per_100k", denominator_flag="b")
    fig = charts.time_lines(frame, unit="per 100,000 inhabitants", source="s")
    hover = _trace(fig, "Germany").hovertext[2]
    assert "Flag: p (provisional)" in hover and "Population flag: b (break in time series)" in hover
    bars = charts.ranked_bar(
        _cross_section().assign(indicator="asylum_applicants_per_100k", denominator_flag="e"),
        unit="per 100,000",
        source="s",
    )
    assert "Population flag: e (estimated)" in bars.data[0].hovertext[0]
    absolute = charts.time_lines(lines.assign(indicator="asylum_applicants"), unit="persons", source="s")
    assert "Flag: p (provisional)" in _trace(absolute, "Germany").hovertext[2]


def test_ranking_names_an_eu27_sum():
    fig = charts.ranked_bar(
        _cross_section(), unit="per 100,000", source="s", eu_value=200.0, eu_label="EU27 (sum of 27)"
    )
    assert "EU27 (sum of 27): 200.0" in [a.text for a in fig.layout.annotations]


def test_a_single_line_still_has_its_legend(lines):
    italy_only = lines[lines["geo"] == "IT"]
    fig = charts.time_lines(italy_only, unit="persons", source="s")
    assert fig.layout.showlegend is True and fig.data[0].name == "Italy"
