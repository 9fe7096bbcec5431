"""Compute every indicator of the catalogue from the observation tables.

Absolute indicators select one series from a dataset (or sum a route's breakdowns); per-capita,
share-of-EU and rate variants divide two published series of the same geo and period. A missing
input gives a missing value, never a guess. Flags of both inputs are carried into the result: for a
per-capita figure the value's own in `flag` and the population's in `denominator_flag` (so a break
in the population series does not mark every EU27 point as if its count were flagged); for shares
and rates, whose two inputs are both counts of the measure, both in `flag`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from loaders import catalogue, geo
from loaders.catalogue import Indicator

# The indicators table, declared once: the build writes it with this schema and the app reads it so.
SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("geo", pa.string()),
        ("period", pa.string()),
        ("freq", pa.string()),
        ("period_start", pa.date32()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("flag", pa.string()),
        ("denominator_flag", pa.string()),
        ("source_dataset", pa.string()),
        ("note", pa.string()),
    ]
)
COLUMNS = SCHEMA.names
TEXT_COLUMNS = [f.name for f in SCHEMA if f.type == pa.string()]
EU27_SUM_NOTE = "EU27 total computed by Crossroads as the sum of the 27 member states (all 27 reported)"
EU27_RATE_NOTE = (
    "EU27 rate computed by Crossroads from the sums of the 27 member states (all 27 reported both inputs)"
)
INCOMPLETE_NOTE = "incomplete: {n} of 27 member states had reported when the file was extracted"


@dataclass(frozen=True)
class Selection:
    """One published series: rows of `dataset` where each `where` column has that value."""

    dataset: str
    where: dict[str, str] = field(default_factory=dict)
    sum_over: tuple[str, ...] = ()  # breakdowns added up (e.g. all nationalities on a route)


SELECTIONS: dict[str, Selection] = {
    "asylum_applicants": Selection("migr_asyappctza", {"citizen": "TOTAL", "asyl_app": "ASY_APP"}),
    "first_time_applicants": Selection("migr_asyappctza", {"citizen": "TOTAL", "asyl_app": "NASY_APP"}),
    "asylum_applicants_ukraine": Selection("migr_asyappctza", {"citizen": "UA", "asyl_app": "ASY_APP"}),
    "asylum_applicants_monthly": Selection("migr_asyappctzm", {"citizen": "TOTAL", "asyl_app": "ASY_APP"}),
    "first_time_applicants_monthly": Selection(
        "migr_asyappctzm", {"citizen": "TOTAL", "asyl_app": "NASY_APP"}
    ),
    "temporary_protection": Selection("migr_asytpsm", {"citizen": "UA"}),
    "first_instance_decisions": Selection("migr_asydcfsta", {"citizen": "TOTAL", "decision": "TOTAL"}),
    "positive_decisions": Selection("migr_asydcfsta", {"citizen": "TOTAL", "decision": "TOTAL_POS"}),
    "first_instance_decisions_quarterly": Selection(
        "migr_asydcfstq", {"citizen": "TOTAL", "decision": "TOTAL"}
    ),
    "positive_decisions_quarterly": Selection(
        "migr_asydcfstq", {"citizen": "TOTAL", "decision": "TOTAL_POS"}
    ),
    "refugee_status_decisions_quarterly": Selection(
        "migr_asydcfstq", {"citizen": "TOTAL", "decision": "GENCONV"}
    ),
    "humanitarian_status_decisions_quarterly": Selection(
        "migr_asydcfstq", {"citizen": "TOTAL", "decision": "HUMSTAT"}
    ),
    "rejected_decisions_quarterly": Selection("migr_asydcfstq", {"citizen": "TOTAL", "decision": "REJECTED"}),
    "illegally_present": Selection("migr_eipre", {"reason": "TOTAL", "apprehen": "TOTAL"}),
    "illegally_present_external_border": Selection("migr_eipre", {"reason": "TOTAL", "apprehen": "BRD_EXT"}),
    "illegally_present_inland": Selection("migr_eipre", {"reason": "TOTAL", "apprehen": "INL"}),
    "refused_entry": Selection("migr_eirfs"),
    "frontex_detections": Selection("frontex_ibc", sum_over=("border_type", "citizen")),
    "iom_dead_missing": Selection(
        "iom_mmp", {"measure": "dead_missing"}, sum_over=("incident_country", "cause")
    ),
    "ordered_to_leave": Selection("migr_eiord"),
    "returned": Selection("migr_eirtn", {"c_dest": "TOTAL"}),
    "dublin_requests_incoming": Selection("migr_dubri"),
    "dublin_transfers_in": Selection("migr_dubti"),
    "dublin_transfers_out": Selection("migr_dubto"),
    "first_residence_permits": Selection("tps00170"),
    "immigration": Selection("tps00176", {"agedef": "COMPLET"}),
    "foreign_population": Selection("migr_pop1ctz", {"citizen": "FOR_STLS"}),
    "unhcr_refugees": Selection("unhcr_population", {"citizen": "TOTAL", "population": "REFUGEES"}),
    "unhcr_asylum_seekers": Selection(
        "unhcr_population", {"citizen": "TOTAL", "population": "ASYLUM_SEEKERS"}
    ),
}
# rate id -> (numerator id, denominator id)
RATES: dict[str, tuple[str, str]] = {
    "recognition_rate": ("positive_decisions", "first_instance_decisions"),
    "recognition_rate_quarterly": ("positive_decisions_quarterly", "first_instance_decisions_quarterly"),
    "return_rate": ("returned", "ordered_to_leave"),
    "foreign_population_share": ("foreign_population", "population"),
}
PER_CAPITA_SCALE = {"per_100k": 100_000, "per_1000": 1_000}


def merge_flags(left: pd.Series, right: pd.Series) -> pd.Series:
    """Letters of both flags, each once, in order (`p` + `e` -> `pe`); null when neither has one."""
    both = left.fillna("").astype(str) + right.fillna("").astype(str)
    merged = both.map(lambda s: "".join(dict.fromkeys(s)))
    return merged.mask(merged == "").astype("string")


def select_series(observations: dict[str, pd.DataFrame], sel: Selection) -> pd.DataFrame:
    """geo, period, freq, period_start, value, flag of one published series."""
    frame = observations[sel.dataset]
    for column, value in sel.where.items():
        frame = frame[frame[column] == value]
    keys = ["geo", "period", "freq", "period_start"]
    if sel.sum_over:
        groups = frame.groupby(keys, observed=True, sort=True, dropna=False)
        summed = groups["value"].sum(min_count=1).to_frame()
        flagged = frame[frame["flag"].notna()]
        letters = flagged.groupby(keys, observed=True)["flag"].agg(
            lambda f: "".join(dict.fromkeys("".join(f)))
        )
        summed["flag"] = letters.reindex(summed.index).astype("string")
        frame = summed.reset_index()
    out = frame[[*keys, "value", "flag"]].copy()
    if out.duplicated(["geo", "period"]).any():
        raise ValueError(f"selection {sel} leaves several rows per geo and period")
    return out.reset_index(drop=True)


def population(observations: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Population on 1 January: demo_gind (current) wins, demo_pjan (legacy) fills what it lacks."""
    current = select_series(observations, Selection("demo_gind"))
    legacy = select_series(observations, Selection("demo_pjan"))
    current["source_dataset"] = "demo_gind"
    legacy["source_dataset"] = "demo_pjan"
    both = pd.concat([legacy, current], ignore_index=True)
    return both.drop_duplicates(["geo", "period"], keep="last").reset_index(drop=True)


def _divide(
    num: pd.DataFrame, den: pd.DataFrame, scale: float, on: list[str], *, own_flags: bool = False
) -> pd.DataFrame:
    """num / den x scale, matched on `on`; a missing or zero denominator gives a missing value.

    Where both name their source, each row names both datasets (`migr_asyappctza+demo_gind`), so
    every value can be traced to the real dataset codes it came from.
    """
    den_columns = [*on, "value", "flag", *(["source_dataset"] if "source_dataset" in den else [])]
    joined = num.merge(den[den_columns], on=on, how="left", suffixes=("", "_den"))
    denominator = joined["value_den"].where(joined["value_den"] != 0)
    joined["value"] = joined["value"] / denominator * scale
    if own_flags:  # the denominator's flags in a column of their own (per capita: the population's)
        joined["denominator_flag"] = joined["flag_den"].astype("string")
    else:
        joined["flag"] = merge_flags(joined["flag"], joined["flag_den"])
    if "source_dataset_den" in joined:
        joined["source_dataset"] = _join_sources(joined["source_dataset"], joined["source_dataset_den"])
    return joined.drop(columns=[c for c in joined if c.endswith("_den")])


def _join_sources(left: pd.Series, right: pd.Series) -> pd.Series:
    """`a` + `b` -> `a+b` (each code once; `a` alone where the denominator has no source)."""
    pairs = zip(left.fillna(""), right.fillna(""), strict=True)
    return pd.Series(
        ["+".join(dict.fromkeys(c for s in pair for c in str(s).split("+") if c)) for pair in pairs],
        index=left.index,
        dtype="string",
    )


def eu27_total(series: pd.DataFrame) -> pd.DataFrame:
    """Published EU27_2020 rows, or else the sum of the 27 member states where all 27 have a value."""
    published = series[series["geo"] == "EU27_2020"].assign(note=pd.NA)
    members = series[series["geo"].isin(geo.EU27_2020) & series["value"].notna()]
    counts = members.groupby("period")["geo"].nunique()
    complete = counts[counts == len(geo.EU27_2020)].index
    chosen = members[members["period"].isin(complete) & ~members["period"].isin(published["period"])]
    summed = chosen.groupby(["period", "freq", "period_start"], as_index=False).agg(value=("value", "sum"))
    # The members' flags travel with their sum: a total of provisional figures is provisional.
    letters = chosen.groupby("period")["flag"].agg(lambda f: "".join(dict.fromkeys("".join(f.dropna()))))
    summed["flag"] = summed["period"].map(letters).replace("", pd.NA).astype("string")
    summed = summed.assign(geo="EU27_2020", note=EU27_SUM_NOTE)
    return pd.concat([published, summed], ignore_index=True)


def check_schema(schema: pa.Schema, where: str) -> None:
    """The indicators table as written must be SCHEMA, column for column: else a clear error."""
    if not schema.remove_metadata().equals(SCHEMA):
        raise ValueError(f"{where}: the indicators table is not the declared schema ({schema} != {SCHEMA})")


def conform(table: pa.Table, where: str) -> pa.Table:
    """A table read back, as SCHEMA: the same columns, each castable to its declared type (a string
    column written as large_string passes; a missing column or a text value column does not)."""
    if table.schema.names != SCHEMA.names:
        raise ValueError(f"{where}: columns {table.schema.names}, expected {SCHEMA.names}")
    return table.cast(SCHEMA)


def mark_incomplete_eu27(series: pd.DataFrame) -> pd.DataFrame:
    """Note the published EU27 total of trailing periods that fewer member states have reported yet.

    Monthly and quarterly extractions end with periods only some states have sent: their EU27 total
    is lower because it is incomplete, not because applications fell. A trailing period is one after
    the last period with the usual (median) number of reporting member states.
    """
    members = series[series["geo"].isin(geo.EU27_2020) & series["value"].notna()]
    counts = members.groupby("period")["geo"].nunique()
    if counts.empty:
        return series
    usual = counts.median()
    last_usual = counts[counts >= usual].index.max()
    short = counts[(counts.index > last_usual) & (counts < usual)]
    rows = (series["geo"] == "EU27_2020") & series["period"].isin(short.index)
    notes = series.loc[rows, "period"].map(lambda p: INCOMPLETE_NOTE.format(n=int(short[p])))
    return series.assign(note=series["note"].astype("object").where(~rows, notes))


def compute(observations: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All indicators as one long table (COLUMNS), sorted by indicator, geo and period."""
    results: dict[str, pd.DataFrame] = {}
    pop = population(observations)
    for ind in catalogue.INDICATORS:
        results[ind.id] = _compute_one(ind, results, observations, pop)
    table = pd.concat([results[i.id].assign(indicator=i.id, unit=i.unit) for i in catalogue.INDICATORS])
    table = table.reindex(columns=COLUMNS)
    for col in (
        "indicator",
        "geo",
        "period",
        "freq",
        "unit",
        "flag",
        "denominator_flag",
        "source_dataset",
        "note",
    ):
        table[col] = table[col].astype("string")
    table["value"] = table["value"].astype("float64")
    return table.sort_values(["indicator", "geo", "period"], kind="stable").reset_index(drop=True)


def _compute_one(
    ind: Indicator, done: dict[str, pd.DataFrame], observations: dict[str, pd.DataFrame], pop: pd.DataFrame
) -> pd.DataFrame:
    if ind.id == "population":
        return pop.assign(note=pd.NA)
    if ind.id in SELECTIONS:
        sel = SELECTIONS[ind.id]
        series = select_series(observations, sel).assign(source_dataset=sel.dataset, note=pd.NA)
        if ind.variant == "absolute" and ind.geo_kind == "country" and ind.freq == "A":
            extra = eu27_total(series)
            extra = extra[extra["note"].notna()].assign(source_dataset=sel.dataset)
            series = pd.concat([series, extra], ignore_index=True)
        if ind.geo_kind == "country" and ind.freq in ("M", "Q"):
            series = mark_incomplete_eu27(series)
        return series
    base = done[ind.base] if ind.base else None
    if ind.variant == "per_capita":
        scale = next(v for k, v in PER_CAPITA_SCALE.items() if ind.id.endswith(k))
        num = base.assign(year=base["period"].str[:4])
        den = pop.assign(year=pop["period"])[["geo", "year", "value", "flag", "source_dataset"]]
        return _divide(num, den, scale, on=["geo", "year"], own_flags=True).drop(columns="year")
    if ind.variant == "share_eu":
        total = eu27_total(base)[["period", "value", "flag"]]
        members = base[base["geo"].isin(geo.EU27_2020)]  # a share of the EU27 total: member states only
        out = _divide(members, total, 100.0, on=["period"])
        return out.assign(note=pd.NA)
    if ind.id in RATES:
        return _rate(ind.id, done, observations)
    raise ValueError(f"indicator {ind.id} has no computation")


def _eu27_rate(num: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """EU27 rate from the EU27 sums of numerator and denominator, where both are such sums.

    A sum exists only where all 27 member states report (eu27_total), so the rate covers the same 27.
    Periods with a published EU27 figure are left to it.
    """
    if "note" not in num or "note" not in den:
        return num.iloc[0:0]
    num_sum = num[(num["geo"] == "EU27_2020") & (num["note"] == EU27_SUM_NOTE)]
    den_sum = den[(den["geo"] == "EU27_2020") & (den["note"] == EU27_SUM_NOTE)]
    out = _divide(num_sum, den_sum, 100.0, on=["geo", "period"])
    return out[out["value"].notna()].assign(note=EU27_RATE_NOTE)


def _rate(rate_id: str, done: dict[str, pd.DataFrame], observations: dict[str, pd.DataFrame]) -> pd.DataFrame:
    num_id, den_id = RATES[rate_id]
    num = done[num_id]
    den = done[den_id]
    published = den[den["note"].isna()] if "note" in den else den
    out = _divide(num[num["note"].isna()], published, 100.0, on=["geo", "period"])
    out = pd.concat([out, _eu27_rate(num, den)], ignore_index=True)
    if rate_id == "recognition_rate":
        # No published total (France 2017-2019 in this snapshot): Eurostat's total is positive + rejected.
        rejected = select_series(
            observations, Selection("migr_asydcfsta", {"citizen": "TOTAL", "decision": "REJECTED"})
        )
        gaps = out[out["value"].isna()][["geo", "period"]]
        pos = num.merge(gaps, on=["geo", "period"]).merge(
            rejected[["geo", "period", "value", "flag"]], on=["geo", "period"], suffixes=("", "_rej")
        )
        pos["value"] = pos["value"] / (pos["value"] + pos["value_rej"]) * 100
        pos["flag"] = merge_flags(pos["flag"], pos["flag_rej"])
        pos = pos.drop(columns=["value_rej", "flag_rej"]).assign(
            note="computed as TOTAL_POS / (TOTAL_POS + REJECTED): no published total"
        )
        pos = pos[pos["value"].notna()]
        out = pd.concat(
            [out[~out.set_index(["geo", "period"]).index.isin(pos.set_index(["geo", "period"]).index)], pos]
        )
    return out.assign(note=out.get("note", pd.NA))
