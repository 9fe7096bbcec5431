"""One-sentence summaries of what each chart shows, computed from the same rows: the text alternative to
every chart, and the generated paragraph of the member state profile."""

from __future__ import annotations

import pandas as pd

from dashboard.formatting import change, in_sentence, is_missing, number, ordinal, with_unit
from dashboard.strings import t
from loaders.catalogue import Indicator


def _valued(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["value"].notna()]


def map_summary(states: pd.DataFrame, indicator: Indicator, period: str) -> str:
    """Highest and lowest member state and how many have a value."""
    valued = _valued(states)
    if valued.empty:
        return t("summary.empty")
    top = valued.loc[valued["value"].idxmax()]
    bottom = valued.loc[valued["value"].idxmin()]
    return t(
        "summary.map",
        label=indicator.label,
        period=period,
        top=top["name"],
        top_value=number(top["value"], indicator.unit),
        bottom=bottom["name"],
        bottom_value=number(bottom["value"], indicator.unit),
        count=len(valued),
    )


def ranking_summary(
    states: pd.DataFrame, indicator: Indicator, eu_value: float | None, *, eu_sum: bool = False
) -> str:
    """The first two member states and the EU27 figure (`eu_sum`: a total computed by Crossroads)."""
    ranked = _valued(states).sort_values("value", ascending=False)
    if len(ranked) < 2:
        return t("summary.empty")
    first, second = ranked.iloc[0], ranked.iloc[1]
    eu = (
        ""
        if eu_value is None or is_missing(eu_value)
        else t(
            "summary.ranking.eu_sum" if eu_sum else "summary.ranking.eu",
            eu_value=number(eu_value, indicator.unit),
        )
    )
    return t(
        "summary.ranking",
        first=first["name"],
        first_value=number(first["value"], indicator.unit),
        second=second["name"],
        second_value=number(second["value"], indicator.unit),
        eu=eu,
    )


def series_summary(rows: pd.DataFrame, name: str, unit: str) -> str:
    """First and last value of one series over the years shown."""
    valued = _valued(rows).sort_values("period_start")
    if valued.empty:
        return t("summary.series.none", name=name)
    first, last = valued.iloc[0], valued.iloc[-1]
    return t(
        "summary.series",
        name=name,
        first_value=with_unit(first["value"], unit),
        first_period=first["period"],
        last_value=with_unit(last["value"], unit),
        last_period=last["period"],
    )


def compare_summary(frame: pd.DataFrame, indicator_unit: str, base: str | None = None) -> str:
    """Highest and lowest latest value among the states shown (or growth since the index base)."""
    valued = _valued(frame[~frame["geo"].str.startswith("EU")])
    if valued.empty:
        return t("summary.empty")
    latest = valued.sort_values("period_start").groupby("geo").tail(1)
    first = latest.loc[latest["value"].idxmax()]
    last = latest.loc[latest["value"].idxmin()]
    if base is not None:
        return t(
            "summary.compare.index",
            base=base,
            first=first["name"],
            first_value=number(round(first["value"], 1)),
            last=last["name"],
            last_value=number(round(last["value"], 1)),
        )
    return t(
        "summary.compare",
        first=first["name"],
        first_value=number(first["value"], indicator_unit),
        first_period=first["period"],
        last=last["name"],
        last_value=number(last["value"], indicator_unit),
    )


def profile_summary(
    name: str,
    indicator: Indicator,
    section: pd.DataFrame,
    previous: pd.DataFrame | None,
    geo: str,
    eu_value: float | None,
    eu_label: str = "EU27",
) -> str:
    """Rank of the state in the latest period and its movement on the previous period.

    `section`: the member states' rows of the latest period with a value for `geo`; `previous`: the
    rows of the period before (or None); `eu_label`: the EU27 figure's name (formatting.eu_name).
    """
    valued = _valued(section)
    own = valued[valued["geo"] == geo]
    if own.empty:
        return t("profile.summary.no_value", name=name, label=in_sentence(indicator.label))
    value = own["value"].iat[0]
    period = own["period"].iat[0]
    rank = int((valued["value"] > value).sum()) + 1
    values = {
        "period": period,
        "name": name,
        "rank": ordinal(rank),
        "count": len(valued),
        "label": in_sentence(indicator.label),
        "value": with_unit(value, indicator.unit),
    }
    if len(valued) == 1:
        text = t("profile.summary.only", **values)
    elif eu_value is not None and not is_missing(eu_value):
        text = t("profile.summary.rank", eu=number(eu_value, indicator.unit), eu_name=eu_label, **values)
    else:
        text = t("profile.summary.rank_no_eu", **values)
    if previous is not None:
        before = previous.loc[previous["geo"] == geo, "value"]
        if not before.empty and not is_missing(before.iat[0]):
            moved = change(value, before.iat[0], indicator.unit)
            if moved is not None:
                delta = float(value) - float(before.iat[0])
                direction = t("move.up") if delta > 0 else t("move.down") if delta < 0 else t("move.flat")
                text += " " + t(
                    "profile.summary.move",
                    direction=direction,
                    change=moved.lstrip("+-") if delta else "",
                    previous=previous["period"].iat[0],
                    previous_value=number(before.iat[0], indicator.unit),
                )
    return text
