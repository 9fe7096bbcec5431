"""Compare: up to 8 member states on one indicator, on the same periods; absolute, per capita or index."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, state, ui
from dashboard.context import PageContext, current
from dashboard.data import EU
from dashboard.formatting import number
from dashboard.strings import t
from dashboard.summaries import compare_summary
from loaders.catalogue import BY_ID

DEFAULT_COUNT = 5


def render(ctx: PageContext) -> None:
    snap, sel = ctx.snap, ctx.sel
    indicator = BY_ID[sel.shown]
    st.title(t("compare.title"), anchor=False)
    st.caption(t("compare.intro"))
    state.check_url_switch("index")
    as_index = st.toggle(t("compare.index"), key="index", bind="query-params", help=t("compare.index.help"))

    geos = list(sel.geos)
    if not geos:
        geos = _largest(ctx, sel.shown, DEFAULT_COUNT)
        st.info(t("compare.default_states"))
    with_eu = [*geos, EU] if sel.shown_view != "absolute" else geos
    rows = data.series(snap, sel.shown, geos=with_eu, years=sel.years).copy()
    rows["name"] = [snap.name(g) for g in rows["geo"]]

    notes = _series_ends(ctx, rows)
    ends = data.series_end_note(snap, sel.shown)
    if ends:
        notes.insert(0, t("chart.ends", label=indicator.label, last=ends))
    note = " ".join(notes) or None

    source = charts.source_line(data.sources_of(snap, sel.shown))
    unit, base = indicator.unit, None
    shown = rows
    if as_index:
        shown, base = charts.index_to_first_common(rows)
        if base is None:
            st.warning(t("compare.no_base"))
            return
        unit = t("chart.index_axis", base=base)
        shown = _index_rows(shown, rows, unit, indicator.unit)
    fig = charts.time_lines(shown, unit=unit, source=source, note=note, height=520)
    title = t("compare.chart.index", label=indicator.label, base=base) if base else indicator.label
    ui.chart(
        fig,
        title=title,
        summary=compare_summary(shown, unit, base),
        rows=shown,  # exactly what is drawn: the index in index mode
        snap=snap,
        key="compare",
        caption=t("compare.index.base", base=base) if base else None,
    )
    ui.dictionary_download([sel.shown], "compare")


def _index_rows(indexed, rows, unit: str, value_unit: str):
    """Indexed rows as drawn, each noting the published value it was computed from."""
    raw = rows.set_index(["geo", "period"])["value"]
    published = [raw.get((g, p)) for g, p in zip(indexed["geo"], indexed["period"], strict=True)]
    notes = [t("compare.index.note", value=number(v, value_unit), unit=value_unit) for v in published]
    return indexed.assign(unit=unit, note=notes)


def _largest(ctx: PageContext, indicator_id: str, count: int) -> list[str]:
    """The member states with the highest value in the newest period of the years chosen."""
    available = data.periods(ctx.snap, indicator_id, ctx.sel.years)
    if not available:
        return []
    section = data.cross_section(ctx.snap, indicator_id, available[-1])
    section = section[(section["geo"] != EU) & section["value"].notna()]
    return section.nlargest(count, "value")["geo"].tolist()


def _series_ends(ctx: PageContext, rows) -> list[str]:
    """A note for each state whose data stops before the others'."""
    valued = rows[rows["value"].notna()]
    if valued.empty:
        return []
    last = valued.groupby("geo")["period_start"].max()
    newest = last.max()
    out = []
    for geo, when in last.items():
        if when < newest:
            period = valued.loc[(valued["geo"] == geo) & (valued["period_start"] == when), "period"].iat[0]
            out.append(t("compare.ends_state", name=ctx.snap.name(geo), last=period))
    return out


render(current())
