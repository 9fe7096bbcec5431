"""Plotly figures for the dashboard: pure functions, a DataFrame in and a figure out, no Streamlit.

Conventions every figure keeps:
- a missing value is a gap (None, connectgaps=False), never a zero;
- a flagged value gets a distinct marker (open diamond on lines, hatching on bars, a dot on the map) and
  its flag meanings in the hover text;
- a member state has the same colour and symbol everywhere (palette.style_for); EU27 is black and dashed;
- the source line is written on the figure, so a screenshot keeps it;
- maps use `choroplethmap` on a white background: no base map, no tiles, nothing fetched from a CDN.
Input frames have at least: geo, name, value, flag; time series also period and period_start.

Figures are assembled as plain dicts and validated once by `go.Figure(...)` at the end: plotly's
incremental `update_layout`/`add_annotation` re-validate and copy the whole figure each time, and a
named template is copied into every figure; together they cost more than the page's data work.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from dashboard import palette
from dashboard.formatting import (
    denominator_line,
    eu_name,
    eu_sums,
    flag_inputs,
    flag_words,
    is_highlighted,
    is_missing,
    number,
)
from dashboard.strings import t

FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 15, "color": "#1a1a1a"}
# Every member state in view at a phone's 350 px map as on a laptop or projector: zoom 2.4 shows 47° of
# longitude in 350 px (Portugal at 9.5° W to Cyprus at 34.6° E around 11.5° E), 75° in 560 px. The colour
# bar lies above the map, so the map keeps the full width.
MAP_CENTER = {"lon": 11.5, "lat": 52.0}
MAP_ZOOM = 2.4
GRID = "#e6e6e6"
AXIS = {"gridcolor": GRID, "linecolor": "#bdbdbd", "zerolinecolor": "#bdbdbd", "automargin": True}
# No named template: it would be copied into every figure. These few settings are all we use of one.
BASE_LAYOUT = {
    "template": {},
    "font": FONT,
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "hoverlabel": {"font": {"size": 15}},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left"},
}


def _hover(
    name: str,
    period: str,
    value: object,
    unit: str,
    flag: object,
    *,
    inputs: str | None = None,
    eu_sum=False,
    denominator_flag: object = None,
) -> str:
    """Hover text of one value. `inputs`: whose flags a computed value carries (formatting.flag_inputs);
    `eu_sum`: the value is an EU27 total computed by Crossroads; `denominator_flag`: the population's
    flags of a per-capita value (said in words, never marked as the value's own)."""
    text = f"<b>{name}</b><br>{period}: {number(value, unit)} {unit}"
    if is_missing(value):
        return f"<b>{name}</b><br>{period}: {t('chart.no_value')}"
    if eu_sum:
        text += "<br>" + t("chart.eu_sum")
    words = flag_words(flag)
    if words and inputs:
        text += "<br>" + t("chart.flag_line.inputs", inputs=inputs, flag=flag, meaning=words)
    elif words:
        text += "<br>" + t("chart.flag_line", flag=flag, meaning=words)
    population = denominator_line(denominator_flag)
    if population:
        text += "<br>" + population
    return text


def _hovers(frame: pd.DataFrame, unit: str) -> list[str]:
    """Hover texts of a frame's rows (name, period, value, flag; indicator and note when present)."""
    sums = eu_sums(frame).tolist()
    denominators = frame["denominator_flag"].tolist() if "denominator_flag" in frame else [None] * len(frame)
    return [
        _hover(
            r.name,
            r.period,
            r.value,
            unit,
            r.flag,
            inputs=flag_inputs(summed),
            eu_sum=summed,
            denominator_flag=den,
        )
        for r, summed, den in zip(frame.itertuples(index=False), sums, denominators, strict=True)
    ]


def _figure(
    traces: list[dict],
    layout: dict,
    source: str,
    *,
    height: int,
    note: str | None = None,
    below_axis: int = 45,
    wrap: int = 120,
) -> go.Figure:
    """One figure, validated once: fonts large enough for a projector, legend on top, notes and the
    source line under the plot.

    `below_axis`: pixels taken under the plot area by tick labels and axis title; `wrap`: characters a
    line of the source text may take before it breaks (narrow charts in columns need less).
    """
    lines = [textwrap.fill(text, wrap).replace("\n", "<br>") for text in (note, source) if text]
    text = "<br>".join(lines)
    line_count = text.count("<br>") + 1
    footer = {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 0,
        "yshift": -below_axis,
        "yanchor": "top",
        "xanchor": "left",
        "showarrow": False,
        "align": "left",
        "font": {"size": 13, "color": "#404040"},
    }
    full = {
        **BASE_LAYOUT,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40, "b": below_axis + 10 + 19 * line_count},
        **layout,
    }
    full["annotations"] = [*layout.get("annotations", []), footer]
    return go.Figure(data=traces, layout=full)


def source_line(sources: dict[str, list[str]], extra: str | None = None) -> str:
    """The source line of a chart from {publisher: [codes]}: Source: Eurostat, datasets a, b."""
    parts = []
    for publisher, codes in sources.items():
        word = "dataset" if len(codes) == 1 else "datasets"
        parts.append(f"{publisher}, {word} {', '.join(codes)}")
    text = t("chart.source", sources="; ".join(parts))
    return f"{text} {extra}" if extra else text


def _empty(source: str, height: int) -> go.Figure:
    layout = {
        "annotations": [{"text": t("chart.no_data"), "showarrow": False, "font": {"size": 18}}],
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
    }
    return _figure([], layout, source, height=height)


# --- Map ---------------------------------------------------------------------------------------


def choropleth(
    frame: pd.DataFrame,
    shapes: dict,
    label_points: dict[str, tuple[float, float]],
    *,
    unit: str,
    source: str,
    names: dict[str, str],
    height: int = 640,
    wrap: int = 80,
) -> go.Figure:
    """Member states coloured by value; states without a value and non-members drawn in grey.

    `frame`: one row per member state (geo, name, value, flag); missing values stay missing.
    Each shape is sent once: the coloured trace holds the states with a value, the grey trace the rest.
    """
    has_value = frame[frame["value"].notna()]
    valued = set(has_value["geo"])
    members = set(frame["geo"])
    features = {f["id"]: f for f in shapes.get("features", [])}
    traces: list[dict] = []
    grey = [g for g in features if g not in valued]
    if grey:
        reasons = [t("chart.no_value") if g in members else t("chart.not_member") for g in grey]
        traces.append(
            {
                "type": "choroplethmap",
                "geojson": {"type": "FeatureCollection", "features": [features[g] for g in grey]},
                "featureidkey": "properties.NUTS_ID",
                "locations": grey,
                "z": [0] * len(grey),
                "colorscale": [[0, palette.NO_DATA], [1, palette.NO_DATA]],
                "showscale": False,
                "marker": {"line": {"color": "#ffffff", "width": 0.8}},
                "hovertext": [f"<b>{names.get(g, g)}</b><br>{r}" for g, r in zip(grey, reasons, strict=True)],
                "hoverinfo": "text",
                "name": t("chart.no_value"),
            }
        )
    drawn = has_value[has_value["geo"].isin(list(features))]
    if not drawn.empty:
        hover = _hovers(drawn, unit)
        traces.append(
            {
                "type": "choroplethmap",
                "geojson": {"type": "FeatureCollection", "features": [features[g] for g in drawn["geo"]]},
                "featureidkey": "properties.NUTS_ID",
                "locations": drawn["geo"].tolist(),
                "z": drawn["value"].round(2).tolist(),
                "colorscale": palette.SEQUENTIAL,
                "marker": {"line": {"color": "#4d4d4d", "width": 0.6}},
                "colorbar": {
                    "title": {"text": unit, "side": "top"},
                    "orientation": "h",
                    "thickness": 12,
                    "len": 0.9,
                    "y": 1.0,
                    "yanchor": "bottom",
                },
                "hovertext": hover,
                "hoverinfo": "text",
                "name": "",
            }
        )
        flagged = drawn["flag"].map(is_highlighted).astype(bool) & drawn["geo"].isin(list(label_points))
        if flagged.any():
            rows = drawn[flagged]
            traces.append(
                {
                    "type": "scattermap",
                    "lon": [label_points[g][0] for g in rows["geo"]],
                    "lat": [label_points[g][1] for g in rows["geo"]],
                    "mode": "markers",
                    "marker": {"size": 11, "color": "#ffffff", "opacity": 0.95},
                    "hovertext": [h for h, f in zip(hover, flagged, strict=True) if f],
                    "hoverinfo": "text",
                    "name": t("chart.flagged"),
                    "showlegend": True,
                }
            )
    layout = {
        "map": {"style": "white-bg", "center": MAP_CENTER, "zoom": MAP_ZOOM},
        "dragmode": False,
        "legend": {
            **BASE_LAYOUT["legend"],
            "y": 0.99,
            "yanchor": "top",
            "x": 0.01,
            "bgcolor": "rgba(217,217,217,0.9)",  # grey, so the white flag dot shows in the legend too
        },
    }
    source = source + " " + t("chart.boundaries")
    fig = _figure(traces, layout, source, height=height, below_axis=8, wrap=wrap)
    fig.layout.margin.t = 70  # room for the colour bar above the map
    return fig


# --- Bars --------------------------------------------------------------------------------------


def ranked_bar(
    frame: pd.DataFrame,
    *,
    unit: str,
    source: str,
    highlight: list[str] | tuple[str, ...] = (),
    eu_value: float | None = None,
    eu_label: str | None = None,
    note: str | None = None,
    wrap: int = 45,
) -> go.Figure:
    """Member states with a value, largest on top; picked states in their own colour, EU27 as a line.

    `eu_label`: how the EU27 line is named (formatting.eu_name: "EU27 (sum of 27)" for a computed total).
    """
    shown = frame[frame["value"].notna()].sort_values("value", ascending=True)
    if shown.empty:
        return _empty(source, 300)
    colours = [palette.style_for(g).colour if g in highlight else palette.NEUTRAL for g in shown["geo"]]
    patterns = ["/" if is_highlighted(f) else "" for f in shown["flag"]]
    bars = {
        "type": "bar",
        "x": shown["value"].round(2).tolist(),
        "y": shown["name"].tolist(),
        "orientation": "h",
        "marker": {"color": colours, "pattern": {"shape": patterns, "fgcolor": "#ffffff", "size": 6}},
        "hovertext": _hovers(shown, unit),
        "hoverinfo": "text",
        "customdata": shown["geo"].tolist(),
        "name": "",
        "showlegend": False,
    }
    if any(patterns):
        note = " ".join(filter(None, [t("chart.hatched"), note]))
    layout: dict = {
        "xaxis": {**AXIS, "title": {"text": unit}, "rangemode": "tozero"},
        "yaxis": {**AXIS, "tickfont": {"size": 14}, "gridcolor": None},
        "bargap": 0.2,
    }
    if eu_value is not None and not is_missing(eu_value):
        layout["shapes"] = [
            {
                "type": "line",
                "x0": eu_value,
                "x1": eu_value,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": palette.EU_COLOUR, "dash": "dash", "width": 2},
            }
        ]
        layout["annotations"] = [
            {
                "x": eu_value,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"{eu_label or t('chart.eu')}: {number(eu_value, unit)}",
                "showarrow": False,
                "font": {"size": 14},
            }
        ]
    height = max(260, 22 * len(shown) + 150)
    return _figure([bars], layout, source, height=height, note=note, below_axis=75, wrap=wrap)


def citizenship_bar(frame: pd.DataFrame, *, source: str, wrap: int = 80) -> go.Figure:
    """Top countries of citizenship of applicants: name, value, share."""
    if frame.empty:
        return _empty(source, 260)
    shown = frame.sort_values("value", ascending=True)
    bars = {
        "type": "bar",
        "x": shown["value"].tolist(),
        "y": shown["name"].tolist(),
        "orientation": "h",
        "marker": {"color": palette.COLOURS[0]},
        "hovertext": [
            f"<b>{r.name}</b><br>{number(r.value)} ({r.share}%)" for r in shown.itertuples(index=False)
        ],
        "hoverinfo": "text",
        "showlegend": False,
    }
    layout = {"xaxis": {**AXIS, "title": {"text": t("unit.persons")}, "rangemode": "tozero"}, "yaxis": AXIS}
    return _figure([bars], layout, source, height=max(260, 30 * len(shown) + 145), below_axis=75, wrap=wrap)


def route_bar(
    frame: pd.DataFrame, *, unit: str, source: str, styles: dict[str, palette.SeriesStyle]
) -> go.Figure:
    """Yearly totals by route: geo (route id), name, value."""
    shown = frame[frame["value"].notna()].sort_values("value", ascending=True)
    if shown.empty:
        return _empty(source, 260)
    bars = {
        "type": "bar",
        "x": shown["value"].tolist(),
        "y": shown["name"].tolist(),
        "orientation": "h",
        "marker": {"color": [styles[g].colour if g in styles else palette.NEUTRAL for g in shown["geo"]]},
        "hovertext": [
            f"<b>{r.name}</b><br>{number(r.value, unit)} {unit}" for r in shown.itertuples(index=False)
        ],
        "hoverinfo": "text",
        "showlegend": False,
    }
    layout = {"xaxis": {**AXIS, "title": {"text": unit}, "rangemode": "tozero"}, "yaxis": AXIS}
    return _figure([bars], layout, source, height=max(240, 34 * len(shown) + 145), below_axis=75)


# --- Lines -------------------------------------------------------------------------------------


def complete_periods(frame: pd.DataFrame) -> pd.DataFrame:
    """Every geo on every period from the frame's first to its last, missing ones as null rows, so lines
    break at gaps.

    Plotly joins the points it is given; a period with no row would be bridged silently. That includes a
    period no geo of the frame has (a Frontex route with no detection that month): years and months are
    counted out in full, other periods (quarters) are taken as they come.
    """
    if frame.empty:
        return frame
    calendar = _calendar(frame[["period", "period_start"]].drop_duplicates())
    names = frame.drop_duplicates("geo").set_index("geo")["name"]
    grid = pd.MultiIndex.from_product([names.index, calendar["period"]], names=["geo", "period"])
    out = frame.set_index(["geo", "period"]).reindex(grid).reset_index()
    out["period_start"] = out["period"].map(
        dict(zip(calendar["period"], calendar["period_start"], strict=True))
    )
    out["name"] = out["geo"].map(names)
    return out.sort_values(["geo", "period_start"], ignore_index=True)


_PERIOD_FREQ = {r"\d{4}": "Y", r"\d{4}-\d{2}": "M"}  # period text -> pandas frequency


def _calendar(present: pd.DataFrame) -> pd.DataFrame:
    """period, period_start of every year or month from the first present period to the last."""
    periods = present["period"].astype(str)
    for pattern, freq in _PERIOD_FREQ.items():
        if periods.str.fullmatch(pattern).all():
            span = pd.period_range(periods.min(), periods.max(), freq=freq)
            known = dict(zip(periods, present["period_start"], strict=True))
            return pd.DataFrame(
                {
                    "period": [str(p) for p in span],
                    "period_start": [known.get(str(p), p.start_time) for p in span],
                }
            )
    return present.sort_values("period_start")


def index_to_first_common(frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Each geo's values divided by its value in the base period, times 100.

    The base is the first period in which every geo of the frame has a non-zero value (a zero base would
    give infinite indices). Returns the indexed frame, without values that are not finite, and that base
    period (None when no period qualifies).
    """
    usable = frame[frame["value"].notna() & (frame["value"] != 0)]
    geos = frame["geo"].nunique()
    counts = usable.groupby("period", observed=True)["geo"].nunique()
    common = counts[counts == geos].index
    if len(common) == 0:
        return frame.iloc[0:0], None
    starts = usable.drop_duplicates("period").set_index("period")["period_start"]
    base_period = min(common, key=lambda p: starts[p])
    base = usable[usable["period"] == base_period].set_index("geo")["value"]
    out = frame[frame["period_start"] >= starts[base_period]].copy()
    indexed = out["value"] / out["geo"].map(base) * 100
    out["value"] = indexed.where(indexed.abs() != float("inf"))  # never drawn: a gap, not infinity
    return out, str(base_period)


def time_lines(
    frame: pd.DataFrame,
    *,
    unit: str,
    source: str,
    styles: dict[str, palette.SeriesStyle] | None = None,
    note: str | None = None,
    height: int = 440,
    markers: bool = True,
    wrap: int = 140,
) -> go.Figure:
    """One line per geo over time; gaps kept, flagged points as open diamonds, EU27 black dashed."""
    if frame.empty or frame["value"].notna().sum() == 0:
        return _empty(source, height)
    full = complete_periods(frame)
    traces: list[dict] = []
    any_flagged = False
    names = full.drop_duplicates("geo").set_index("geo")["name"]
    order = sorted(names.index, key=lambda g: (g.startswith("EU"), str(names[g])))
    x_labels = full["period_start"].dt.strftime("%Y-%m-%d")
    for geo in order:
        rows = full[full["geo"] == geo]
        name, style = eu_name(rows, str(names[geo])), (styles or {}).get(geo) or palette.style_for(geo)
        flags = rows["flag"].tolist()
        flagged = [is_highlighted(f) for f in flags]
        marker = {
            "symbol": style.symbol,
            "size": 7,
            "color": style.colour,
            "line": {"width": 2, "color": style.colour},
        }
        if any(flagged):  # per-point marks only where needed: long monthly series stay light
            any_flagged = True
            marker["symbol"] = [palette.FLAG_SYMBOL if f else style.symbol for f in flagged]
            marker["size"] = [13 if f else (7 if markers else 0) for f in flagged]
        traces.append(
            {
                "type": "scatter",
                "x": x_labels[rows.index].tolist(),
                "y": [None if is_missing(v) else round(float(v), 2) for v in rows["value"]],
                "mode": "lines+markers" if markers or any(flagged) else "lines",
                "connectgaps": False,
                "name": name,
                "line": {"color": style.colour, "dash": style.dash, "width": style.width},
                "marker": marker,
                "hovertext": _hovers(rows.assign(name=name), unit),
                "hoverinfo": "text",
                "customdata": [geo] * len(rows),
            }
        )
    if any_flagged:
        traces.append(
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "markers",
                "marker": {"symbol": palette.FLAG_SYMBOL, "size": 13, "color": "#444444"},
                "name": t("chart.flagged"),
            }
        )
    monthly = full["period"].str.len().max() > 4
    layout = {
        "xaxis": {**AXIS, "tickformat": "%b %Y" if monthly else "%Y", "showgrid": False},
        "yaxis": {**AXIS, "title": {"text": unit}, "rangemode": "tozero", "zeroline": True},
        "showlegend": True,  # plotly hides the legend of a single line: it must still say whose it is
    }
    return _figure(traces, layout, source, height=height, note=note, wrap=wrap)
