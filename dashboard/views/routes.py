"""Routes: Frontex detections and IOM dead and missing, by route and month (not by member state)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, palette, state, ui
from dashboard.context import PageContext, current
from dashboard.formatting import number
from dashboard.strings import t
from loaders.catalogue import BY_ID, INDICATORS

ROUTE_INDICATORS = [ind.id for ind in INDICATORS if ind.geo_kind == "route"]
DEFAULT_ROUTES = 4


def render(ctx: PageContext) -> None:
    snap, sel = ctx.snap, ctx.sel
    st.title(t("routes.title"), anchor=False)
    st.caption(t("routes.intro"))

    indicator_id = state.bound_selectbox(
        t("routes.indicator"), ROUTE_INDICATORS, key="route_indicator", format_func=lambda i: BY_ID[i].label
    )
    indicator = BY_ID[indicator_id]
    rows = data.series(snap, indicator_id, years=sel.years)
    if rows.empty:
        st.info(t("chart.no_data"))
        return
    names = data.route_names(snap, indicator_id)
    routes = [r for r in names if r in set(rows["geo"])] or sorted(rows["geo"].unique())
    styles = {r: palette.route_style(i) for i, r in enumerate(routes)}
    source = charts.source_line(data.sources_of(snap, indicator_id))
    for caveat in indicator.caveats:
        st.caption(caveat)

    year = _last_full_year(rows)
    yearly = data.route_year_totals(rows, year)
    yearly["name"] = [names.get(g, g) for g in yearly["geo"]]
    ranked = yearly.sort_values("value", ascending=False)

    # `?route=` is what Streamlit writes when every route is cleared: a choice, not a bad link
    state.check_url_options("route", [names.get(r, r) for r in routes], empty_ok=True)
    picked = st.multiselect(
        t("routes.routes"),
        routes,
        default=ranked["geo"].head(DEFAULT_ROUTES).tolist(),
        format_func=lambda r: names.get(r, r),
        key="route",
        bind="query-params",
    )

    fig = charts.route_bar(yearly, unit=indicator.unit, source=source, styles=styles)
    top = ranked.iloc[0]
    ui.chart(
        fig,
        title=t("routes.yearly", label=indicator.label, year=year),
        summary=t(
            "summary.routes",
            year=year,
            label_lower=indicator.unit,
            top=top["name"],
            top_value=number(top["value"], indicator.unit),
        ),
        rows=yearly[yearly["value"].notna()],  # exactly the bars drawn
        snap=snap,
        key="routes_yearly",
    )

    monthly = rows[rows["geo"].isin(picked)].copy()
    monthly["name"] = [names.get(g, g) for g in monthly["geo"]]
    fig = charts.time_lines(
        monthly, unit=indicator.unit, source=source, styles=styles, markers=False, height=460
    )
    ui.chart(
        fig,
        title=t("routes.monthly", label=indicator.label),
        summary=_peak_sentence(monthly, indicator.unit),
        rows=monthly,
        snap=snap,
        key="routes_monthly",
        caption=t("routes.gaps"),
    )
    ui.dictionary_download([indicator_id], "routes")


def _last_full_year(rows) -> int:
    """The newest year with all twelve months, so a year just begun is not ranked as a whole one."""
    valued = rows[rows["value"].notna()]
    months = valued.groupby("year")["period"].nunique()
    full = months[months >= 12]
    return int(full.index.max() if not full.empty else months.index.max())


def _peak_sentence(monthly, unit: str) -> str:
    valued = monthly[monthly["value"].notna()]
    if valued.empty:
        return t("summary.empty")
    peak = valued.loc[valued["value"].idxmax()]
    return t(
        "summary.routes.monthly", period=peak["period"], route=peak["name"], value=number(peak["value"], unit)
    )


render(current())
