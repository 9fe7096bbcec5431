"""Overview: one indicator across the EU for one period: tiles, map, ranking, and the EU27 trend."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, state, ui
from dashboard.context import PageContext, current
from dashboard.data import EU, Snapshot
from dashboard.formatting import change, eu_name, eu_sums, number, short_unit
from dashboard.state import Selection
from dashboard.strings import t
from dashboard.summaries import map_summary, ranking_summary, series_summary
from loaders.catalogue import BY_ID


def render(ctx: PageContext) -> None:
    snap, sel = ctx.snap, ctx.sel
    indicator = BY_ID[sel.shown]
    st.title(indicator.label, anchor=False)
    st.caption(t("overview.intro"))

    available = list(reversed(data.periods(snap, sel.shown, sel.years)))
    if not available:
        st.info(t("chart.no_data"))
        return
    period = _period(snap, sel.shown, available)
    section = data.cross_section(snap, sel.shown, period)
    section["name"] = [snap.name(g) for g in section["geo"]]
    states = section[section["geo"] != EU]
    eu_row = section[section["geo"] == EU]
    eu_value = eu_row["value"].iat[0] if not eu_row.empty else None
    eu_label = eu_name(eu_row)  # "EU27 (sum of 27)" when Crossroads summed the member states

    _tiles(snap, sel, period, available)

    source = charts.source_line(data.sources_of(snap, sel.shown))
    ends = data.series_end_note(snap, sel.shown)
    end_note = t("chart.ends", label=indicator.label, last=ends) if ends else None
    if end_note:
        st.info(end_note)

    left, right = st.columns([3, 2], gap="large")
    with left:
        fig = charts.choropleth(
            states, snap.shapes, snap.label_points, unit=indicator.unit, source=source, names=snap.names
        )
        event = ui.chart(
            fig,
            title=t("overview.map", period=period),
            summary=map_summary(states, indicator, period),
            rows=states,
            snap=snap,
            key="map",
            select=True,
        )
        _follow_click(event, ctx)
    with right:
        missing = states.loc[states["value"].isna(), "name"].tolist()
        note = t("chart.missing_states", period=period, names=", ".join(missing)) if missing else None
        fig = charts.ranked_bar(
            states,
            wrap=38,
            unit=indicator.unit,
            source=source,
            highlight=sel.geos,
            eu_value=eu_value if sel.shown_view != "absolute" else None,
            eu_label=eu_label,
            note=note,
        )
        event = ui.chart(
            fig,
            title=t("overview.ranking", period=period),
            summary=ranking_summary(
                states,
                indicator,
                eu_value if sel.shown_view != "absolute" else None,
                eu_sum=bool(eu_sums(eu_row).any()),
            ),
            rows=states,
            snap=snap,
            key="ranking",
            select=True,
        )
        _follow_click(event, ctx)

    trend = data.series(snap, sel.shown, geos=[EU, *sel.geos], years=sel.years).copy()
    trend["name"] = [snap.name(g) for g in trend["geo"]]
    fig = charts.time_lines(trend, unit=indicator.unit, source=source, note=end_note)
    ui.chart(
        fig,
        title=t("overview.trend.states") if sel.geos else t("overview.trend"),
        summary=series_summary(trend[trend["geo"] == EU], eu_name(trend, snap.name(EU)), indicator.unit),
        rows=trend,
        snap=snap,
        key="trend",
    )

    choice = st.selectbox(
        t("overview.open_profile"),
        snap.member_states,
        index=None,
        format_func=snap.name,
        placeholder=t("overview.open_profile.placeholder"),
        key="open_profile_choice",
    )
    if choice:
        st.session_state.pop("open_profile_choice", None)
        ctx.open_profile(choice)
    ui.dictionary_download([sel.shown], "overview")


_CHOSEN = "_period_for"  # indicator id -> period the link or the viewer chose for it


def _period(snap: Snapshot, indicator_id: str, available: list[str]) -> str:
    """The period picker. Each indicator opens on its default period (data.default_period) unless the
    link or the viewer chose one for that indicator; the choice is kept in the URL as `?period=`."""
    chosen = st.session_state.setdefault(_CHOSEN, {})
    if not st.session_state.get("_period_link_read"):  # a link decides once per session
        st.session_state["_period_link_read"] = True
        state.check_url_options("period", available)
        wanted = st.query_params.get_all("period")
        if len(wanted) == 1 and wanted[0] in available:
            chosen[indicator_id] = wanted[0]
    default = data.default_period(snap, indicator_id, available)
    st.session_state["period"] = chosen[indicator_id] if chosen.get(indicator_id) in available else default

    def remember() -> None:
        chosen[indicator_id] = st.session_state["period"]

    period = st.columns([1, 3])[0].selectbox(
        t("overview.period"), available, key="period", on_change=remember
    )
    state.write_url("period", period, default)
    newest = available[0]
    if period != newest:
        names = [snap.name(g) for g in data.states_with_value(snap, indicator_id, newest)]
        key = "overview.newer.one" if len(names) == 1 else "overview.newer"
        st.caption(t(key, period=newest, count=len(names), names=", ".join(names)))
    return period


def _tiles(snap: Snapshot, sel: Selection, period: str, available: list[str]) -> None:
    """EU total (or EU figure), change on the previous period, highest and lowest per capita."""
    absolute = data.cross_section(snap, sel.indicator, period)
    eu_abs = absolute[absolute["geo"] == EU]
    eu_abs_value = eu_abs["value"].iat[0] if not eu_abs.empty else None
    summed = bool(eu_sums(eu_abs).any())  # a total Crossroads computed, not a published one
    previous = (
        available[available.index(period) + 1] if available.index(period) + 1 < len(available) else None
    )
    prev_abs = None
    prev_summed = False
    if previous:
        prev = data.cross_section(snap, sel.indicator, previous)
        prev_eu = prev[prev["geo"] == EU]
        prev_abs = prev_eu["value"].iat[0]
        prev_summed = bool(eu_sums(prev_eu).any())

    compare_id = sel.shown  # highest and lowest in the view chosen (absolute, per capita, share of EU)
    ranking = data.cross_section(snap, compare_id, period)
    ranking = ranking[(ranking["geo"] != EU) & ranking["value"].notna()]
    unit = BY_ID[compare_id].unit

    a, b, c, d = st.columns(4)
    picked = BY_ID[sel.indicator]
    explain_total = picked.label + f" ({picked.unit})"
    a.metric(
        t("tile.eu_value" if picked.variant == "rate" else "tile.eu_total", period=period),
        tile_value(eu_abs_value, picked.unit) if eu_abs_value is not None else t("tile.not_published"),
        help=f"{explain_total}. {t('eu_sum.help', period=period)}" if summed else explain_total,
    )
    explain_change = f"EU27, {picked.label}"
    if summed or prev_summed:
        sum_period = " and ".join(p for p, s in ((previous, prev_summed), (period, summed)) if s)
        explain_change += ". " + t("eu_sum.help", period=sum_period)
    b.metric(
        t("tile.change", previous=previous or "–"),
        change(eu_abs_value, prev_abs, picked.unit) or "–",
        help=explain_change,
    )
    if summed:
        st.caption(t("eu_sum.tile", period=period))
    if ranking.empty:
        c.metric(t("tile.highest", name="–"), "–")
        d.metric(t("tile.lowest", name="–"), "–")
        return
    top = ranking.loc[ranking["value"].idxmax()]
    bottom = ranking.loc[ranking["value"].idxmin()]
    explain = t("tile.per", label=BY_ID[compare_id].label, unit=unit)
    c.metric(t("tile.highest", name=snap.name(top["geo"])), tile_value(top["value"], unit), help=explain)
    d.metric(t("tile.lowest", name=snap.name(bottom["geo"])), tile_value(bottom["value"], unit), help=explain)


def tile_value(value: object, unit: str) -> str:
    """A tile's figure with its unit in short, so tiles side by side cannot be misread: "950.5 per 100k"."""
    text = number(value, unit)
    return text if unit.startswith("%") or text == "–" else f"{text} {short_unit(unit)}"


def _follow_click(event: dict | None, ctx: PageContext) -> None:
    """A click on a country or a bar opens that member state's profile."""
    geo = ui.selected_geo(event)
    if geo in ctx.snap.member_states:
        ctx.open_profile(geo)


render(current())
