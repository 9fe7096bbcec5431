"""Indicators recomputed here, independently, from the observation tables of a real build."""

from __future__ import annotations

import pandas as pd
import pytest

from loaders import catalogue, geo
from loaders.indicators import EU27_RATE_NOTE, RATES, SELECTIONS, merge_flags


def value(ind: pd.DataFrame, indicator: str, geo_code: str, period: str) -> float:
    row = ind[(ind.indicator == indicator) & (ind.geo == geo_code) & (ind.period == period)]
    assert len(row) == 1, (indicator, geo_code, period, len(row))
    return float(row["value"].iloc[0])


def population(obs, geo_code: str, year: str) -> float:
    gind = obs("demo_gind")
    row = gind[(gind.geo == geo_code) & (gind.period == year)]
    return float(row["value"].iloc[0])


def test_every_catalogue_indicator_is_computed(ind: pd.DataFrame) -> None:
    computed = set(ind["indicator"].unique())
    for entry in catalogue.INDICATORS:
        assert entry.id in computed, entry.id
        assert entry.id in SELECTIONS or entry.id in RATES or entry.base or entry.id == "population"
    assert not ind.duplicated(["indicator", "geo", "period"]).any()


def test_per_capita_uses_population_of_the_same_year(ind: pd.DataFrame, obs) -> None:
    asy = obs("migr_asyappctza")
    de = asy[
        (asy.geo == "DE") & (asy.period == "2024") & (asy.citizen == "TOTAL") & (asy.asyl_app == "ASY_APP")
    ]
    expected = float(de["value"].iloc[0]) / population(obs, "DE", "2024") * 100_000
    assert value(ind, "asylum_applicants_per_100k", "DE", "2024") == pytest.approx(expected)
    # 250615 / 83456045 x 100000 (sdmx-csv line 120, demo_gind line 275)
    assert expected == pytest.approx(300.29, abs=0.01)


def test_missing_denominator_gives_missing_value(ind: pd.DataFrame, obs) -> None:
    # Temporary protection runs to 2025-03 but population (demo_gind) ends in 2024.
    assert obs("demo_gind")["period"].max() == "2024"
    tp = ind[(ind.indicator == "temporary_protection_per_100k") & (ind.period.str.startswith("2025"))]
    assert len(tp) > 0 and tp["value"].isna().all()
    tp_abs = ind[(ind.indicator == "temporary_protection") & (ind.period.str.startswith("2025"))]
    assert tp_abs["value"].notna().any()


def test_share_of_eu_total(ind: pd.DataFrame, obs) -> None:
    asy = obs("migr_asyappctza")
    total = asy[(asy.citizen == "TOTAL") & (asy.asyl_app == "ASY_APP") & (asy.period == "2023")]
    members = total[total.geo.isin(geo.EU27_2020)]
    assert members["geo"].nunique() == 27 and members["value"].notna().all()
    eu = members["value"].sum()
    de = float(total[total.geo == "DE"]["value"].iloc[0])
    assert value(ind, "asylum_applicants_share_eu", "DE", "2023") == pytest.approx(de / eu * 100)
    # The EU27 total itself is marked as computed by us, not published.
    row = ind[(ind.indicator == "asylum_applicants") & (ind.geo == "EU27_2020") & (ind.period == "2023")]
    assert float(row["value"].iloc[0]) == pytest.approx(eu)
    assert "computed by Crossroads" in row["note"].iloc[0]


def test_recognition_rate(ind: pd.DataFrame) -> None:
    # legacy migr_asydcfsta lines 1463-1465: DE 2015 total 249,350, positive 140,915.
    assert value(ind, "recognition_rate", "DE", "2015") == pytest.approx(140915 / 249350 * 100)
    # sdmx-csv/migr_asydcfsta_FR.csv: FR 2018 TOTAL_POS 32725, REJECTED 82325, no published total.
    assert value(ind, "recognition_rate", "FR", "2018") == pytest.approx(32725 / (32725 + 82325) * 100)
    note = ind[(ind.indicator == "recognition_rate") & (ind.geo == "FR") & (ind.period == "2018")]["note"]
    assert "REJECTED" in note.iloc[0]


def test_return_rate_is_returned_over_ordered(ind: pd.DataFrame, obs) -> None:
    ordered = obs("migr_eiord").set_index(["geo", "period"])["value"]
    returned = obs("migr_eirtn")
    returned = returned[returned.c_dest == "TOTAL"].set_index(["geo", "period"])["value"]
    for key in [("BE", "2010"), ("DE", "2016"), ("EL", "2014")]:
        assert value(ind, "return_rate", *key) == pytest.approx(returned[key] / ordered[key] * 100)


def test_foreign_population_share(ind: pd.DataFrame, obs) -> None:
    foreign = obs("migr_pop1ctz")
    row = foreign[(foreign.geo == "AT") & (foreign.period == "2020")]
    expected = float(row["value"].iloc[0]) / population(obs, "AT", "2020") * 100
    assert value(ind, "foreign_population_share", "AT", "2020") == pytest.approx(expected)


def test_route_indicators_sum_breakdowns(ind: pd.DataFrame, obs) -> None:
    frontex = obs("frontex_ibc")
    cmr = frontex[(frontex.geo == "central_mediterranean") & (frontex.period == "2023-03")]
    assert value(ind, "frontex_detections", "central_mediterranean", "2023-03") == pytest.approx(
        cmr["value"].sum()
    )


def test_missing_values_stay_missing(ind: pd.DataFrame, obs) -> None:
    """A ':' in the file is null in observations and in the indicator, never 0."""
    dubti = obs("migr_dubti")
    missing = dubti[dubti["value"].isna()]
    assert len(missing) > 0
    geo_code, period = missing.iloc[0][["geo", "period"]]
    row = ind[(ind.indicator == "dublin_transfers_in") & (ind.geo == geo_code) & (ind.period == period)]
    assert row["value"].isna().all()


def test_flags_are_carried_into_indicators(ind: pd.DataFrame, obs) -> None:
    tp = obs("migr_asytpsm")
    flagged = tp[tp["flag"].notna()]
    assert set(flagged["flag"]) >= {"b", "d", "e"}
    merged = flagged.merge(
        ind[ind.indicator == "temporary_protection"], on=["geo", "period"], suffixes=("", "_ind")
    )
    assert (merged["flag"] == merged["flag_ind"]).all()


def test_merge_flags() -> None:
    left = pd.Series(["p", None, "b", None], dtype="string")
    right = pd.Series(["e", "p", "bp", None], dtype="string")
    assert merge_flags(left, right).tolist() == ["pe", "p", "bp", pd.NA]


def test_share_of_eu_is_for_member_states_only(ind: pd.DataFrame) -> None:
    shares = ind[ind.indicator.str.endswith("_share_eu")]
    assert set(shares["geo"]) <= set(geo.EU27_2020)
    assert "UK" not in set(shares["geo"]) and "EU28" not in set(shares["geo"])


def test_eu27_sum_carries_the_members_flags(ind: pd.DataFrame, obs) -> None:
    """tps00176 has no EU27_2020 row for 2012; our sum of the 27 keeps their b and p flags."""
    imm = obs("tps00176")
    members = imm[(imm.agedef == "COMPLET") & (imm.period == "2012") & imm.geo.isin(geo.EU27_2020)]
    assert members["geo"].nunique() == 27 and not (imm[imm.period == "2012"].geo == "EU27_2020").any()
    expected_letters = set("".join(members["flag"].dropna()))
    row = ind[(ind.indicator == "immigration") & (ind.geo == "EU27_2020") & (ind.period == "2012")]
    assert float(row["value"].iloc[0]) == pytest.approx(members["value"].sum())
    assert set(row["flag"].iloc[0]) == expected_letters and expected_letters
    assert "computed by Crossroads" in row["note"].iloc[0]


@pytest.mark.parametrize(
    ("rate", "dataset_num", "where_num", "dataset_den", "where_den"),
    [
        (
            "recognition_rate",
            "migr_asydcfsta",
            {"decision": "TOTAL_POS"},
            "migr_asydcfsta",
            {"decision": "TOTAL"},
        ),
        ("return_rate", "migr_eirtn", {"c_dest": "TOTAL"}, "migr_eiord", {}),
    ],
)
def test_eu27_rates_come_from_the_sums_of_both_inputs(
    ind: pd.DataFrame, obs, rate: str, dataset_num: str, where_num: dict, dataset_den: str, where_den: dict
) -> None:
    def member_sums(dataset: str, where: dict) -> pd.Series:
        frame = obs(dataset)
        frame = frame[frame.geo.isin(geo.EU27_2020) & frame.value.notna()]
        if "citizen" in frame:
            frame = frame[frame.citizen == "TOTAL"]
        for column, wanted in where.items():
            frame = frame[frame[column] == wanted]
        complete = frame.groupby("period")["geo"].nunique() == len(geo.EU27_2020)
        return frame.groupby("period")["value"].sum()[complete]

    num, den = member_sums(dataset_num, where_num), member_sums(dataset_den, where_den)
    both = num.index.intersection(den.index)
    eu = ind[(ind.indicator == rate) & (ind.geo == "EU27_2020")].set_index("period")
    assert len(both) >= 3 and sorted(eu.index) == sorted(both)
    for period in both:
        assert eu.loc[period, "value"] == pytest.approx(num[period] / den[period] * 100)
        assert eu.loc[period, "note"] == EU27_RATE_NOTE
