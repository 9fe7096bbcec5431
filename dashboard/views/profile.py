"""Member state profile: a summary in words, every indicator against the EU, one indicator over time,
and the main countries of citizenship of the state's asylum applicants."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, export, state, ui
from dashboard.context import PageContext, current
from dashboard.data import EU, Snapshot
from dashboard.formatting import change, eu_name, eu_sums, in_sentence, name_list, number, short_unit
from dashboard.strings import t
from dashboard.summaries import profile_summary, series_summary
from loaders.catalogue import BY_ID

DEFAULT_STATE = "DE"


def render(ctx: PageContext) -> None:
    snap, sel = ctx.snap, ctx.sel
    states = list(snap.member_states)
    default = states.index(sel.geos[0] if sel.geos else DEFAULT_STATE)
    heading = st.empty()  # the title names the state chosen just below it
    picker = st.columns([1, 3])[0]
    geo = state.bound_selectbox(
        t("profile.state"), states, key="state", format_func=snap.name, index=default, container=picker
    )
    name = snap.name(geo)
    heading.title(t("profile.title", name=name), anchor=False)

    st.markdown(_summary(snap, sel.indicator, geo, sel.years))

    overview = every_indicator(snap, snap.key, geo, sel.years)
    st.subheader(t("profile.indicators"), anchor=False)
    st.dataframe(
        _readable(overview) if not overview.empty else overview,
        hide_index=True,
        width="stretch",
        height=36 * (len(overview) + 1) + 4,
        column_config={
            t("col.indicator"): st.column_config.TextColumn(width="medium"),
            t("col.latest_period"): st.column_config.TextColumn(width=70),
            t("col.value"): st.column_config.NumberColumn(format="localized", width=90),
            t("col.change"): st.column_config.TextColumn(width=65),
            t("col.per_capita"): st.column_config.TextColumn(width=85),
            t("col.eu_per_capita"): st.column_config.TextColumn(width=105),
            t("col.rank_per_capita"): st.column_config.TextColumn(width=70),
            t("col.trend"): st.column_config.LineChartColumn(width=100),
            t("col.flag"): st.column_config.TextColumn(width=45),
        },
    )
    if not overview.empty and overview["eu_per_capita_note"].notna().any():
        st.caption(t("eu_sum.table_note"))
    st.download_button(
        t("chart.download"),
        data=lambda: export.to_csv(overview.drop(columns=["trend"])),
        file_name=f"crossroads_profile_{geo}.csv",
        mime="text/csv",
        key="profile_table_csv",
        on_click="ignore",
        icon=":material/download:",
    )

    indicator = BY_ID[sel.shown]
    geos = [geo] if sel.shown_view == "absolute" else [geo, EU]
    series = data.series(snap, sel.shown, geos=geos, years=sel.years).copy()
    series["name"] = [snap.name(g) for g in series["geo"]]
    ends = data.series_end_note(snap, sel.shown)
    note = t("chart.ends", label=indicator.label, last=ends) if ends else None
    fig = charts.time_lines(
        series, unit=indicator.unit, source=charts.source_line(data.sources_of(snap, sel.shown)), note=note
    )
    ui.chart(
        fig,
        title=t("profile.series", label=indicator.label, name=name),
        summary=series_summary(series[series["geo"] == geo], name, indicator.unit),
        rows=series,
        snap=snap,
        key="profile_series",
    )
    if sel.shown_view == "absolute":
        st.caption(t("profile.absolute_note"))

    _citizenship(snap, geo, name, sel.years)
    ui.dictionary_download(overview["indicator"].tolist() if not overview.empty else [], "profile")


@st.cache_data(show_spinner=False, max_entries=512)
def every_indicator(_snap: Snapshot, snapshot_key: str, geo: str, years: tuple[int, int]) -> pd.DataFrame:
    """One line per indicator: latest value, change, per capita, EU27 per capita, rank, and the trend.

    Cached by snapshot, state and years: it walks every indicator, and a profile is reopened often.
    `snapshot_key` (Snapshot.key: folder and manifest time) is the cache key of `_snap`, which is not
    hashed; a `loaders update` gives a new key, so the table is computed again from the new snapshot.
    """
    snap = _snap
    lines = []
    for ind in data.country_indicators():
        if ind.variant not in ("absolute", "rate"):
            continue
        own = data.series(snap, ind.id, geos=[geo], years=years)
        own = own[own["value"].notna()]
        if own.empty:
            continue
        latest = own.iloc[-1]
        per_capita_id, view = data.resolve_view(ind.id, "per_capita")
        line = {
            "indicator": ind.id,
            "label": ind.label,
            "period": latest["period"],
            "value": latest["value"],
            "unit": ind.unit,
            "flag": "" if pd.isna(latest["flag"]) else latest["flag"],
            "change": change(latest["value"], own.iloc[-2]["value"] if len(own) > 1 else None, ind.unit),
            "per_capita": None,
            "eu_per_capita": None,
            "eu_per_capita_note": None,  # how Crossroads computed the EU27 figure (an EU27 sum), if it did
            "per_capita_unit": None,
            "rank_per_capita": None,
            "source_dataset": latest["source_dataset"],
            "snapshot_built_at": snap.manifest.get("built_at", ""),
        }
        if view == "per_capita":
            section = data.cross_section(snap, per_capita_id, latest["period"])
            states = section[(section["geo"] != EU) & section["value"].notna()]
            mine = states.loc[states["geo"] == geo, "value"]
            eu_row = section[section["geo"] == EU]
            eu = eu_row["value"]
            line["eu_per_capita_note"] = eu_row["note"].iat[0] if eu_sums(eu_row).any() else None
            if not mine.empty:
                line["per_capita"] = float(mine.iat[0])  # full precision: rounded once, when shown
                rank = int((states["value"] > mine.iat[0]).sum()) + 1
                line["rank_per_capita"] = t("profile.rank_of", rank=rank, count=len(states))
            line["eu_per_capita"] = None if eu.empty or pd.isna(eu.iat[0]) else float(eu.iat[0])
            line["per_capita_unit"] = BY_ID[per_capita_id].unit
        trend = data.series(snap, per_capita_id if view == "per_capita" else ind.id, geos=[geo], years=years)
        # The sparkline cannot draw a gap (a null turns the cell into text): it joins the values it has.
        line["trend"] = [float(v) for v in trend["value"] if not pd.isna(v)]
        lines.append(line)
    return pd.DataFrame(lines)


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: per-capita figures with their unit, rank as "7 of 27"."""

    def per(value, unit) -> str:
        return "" if pd.isna(value) else f"{number(value, unit)} {short_unit(unit)}"

    return pd.DataFrame(
        {
            t("col.indicator"): [
                f"{label} ({unit})" for label, unit in zip(table["label"], table["unit"], strict=True)
            ],
            t("col.latest_period"): table["period"],
            t("col.value"): [number(v, u) for v, u in zip(table["value"], table["unit"], strict=True)],
            t("col.change"): table["change"].fillna(""),
            t("col.per_capita"): [
                per(v, u) for v, u in zip(table["per_capita"], table["per_capita_unit"], strict=True)
            ],
            t("col.eu_per_capita"): [
                per(v, u) + (f" {t('eu_sum.mark')}" if isinstance(n, str) and n and per(v, u) else "")
                for v, u, n in zip(
                    table["eu_per_capita"], table["per_capita_unit"], table["eu_per_capita_note"], strict=True
                )
            ],
            t("col.rank_per_capita"): table["rank_per_capita"].fillna(""),
            t("col.trend"): table["trend"],
            t("col.flag"): table["flag"],
        }
    )


def _summary(snap: Snapshot, picked: str, geo: str, years: tuple[int, int]) -> str:
    """Rank per capita (or on the rate) in the latest period, and the move on the period before."""
    shown, _ = data.resolve_view(picked, "per_capita")
    indicator = BY_ID[shown]
    own = data.series(snap, shown, geos=[geo], years=years)
    own = own[own["value"].notna()]
    if own.empty:
        return t("profile.summary.no_value", name=snap.name(geo), label=in_sentence(indicator.label))
    period = own["period"].iat[-1]
    section = data.cross_section(snap, shown, period)
    states = section[section["geo"] != EU]
    eu_row = section[section["geo"] == EU]
    eu = eu_row["value"]
    previous = data.cross_section(snap, shown, own["period"].iat[-2]) if len(own) > 1 else None
    text = profile_summary(
        snap.name(geo),
        indicator,
        states,
        previous,
        geo,
        None if eu.empty else eu.iat[0],
        eu_label=eu_name(eu_row, snap.name(EU)),
    )
    top = data.top_citizenships(snap, geo, period, n=3)
    if not top.empty:
        text += " " + t("profile.summary.citizenship", period=period, top=name_list(list(top["name"])))
    return text


def _citizenship(snap: Snapshot, geo: str, name: str, years: tuple[int, int]) -> None:
    available = [p for p in data.citizenship_periods(snap, geo) if years[0] <= int(p[:4]) <= years[1]]
    if not available:
        st.info(t("profile.citizenship.none", name=name))
        return
    period = available[-1]
    top = data.top_citizenships(snap, geo, period)
    source = charts.source_line({"Eurostat": ["migr_asyappctza"]}, t("source.republished_by_iom"))
    fig = charts.citizenship_bar(top, source=source)
    rows = top.rename(columns={"name": t("col.citizen"), "value": t("col.value"), "share": t("col.share")})
    summary = t("profile.summary.citizenship", period=period, top=", ".join(top["name"].head(3)))
    ui.chart(
        fig,
        title=t("profile.citizenship", name=name, period=period),
        summary=summary,
        rows=rows.drop(columns=["citizen"]),
        snap=snap,
        key="citizenship",
    )


render(current())
