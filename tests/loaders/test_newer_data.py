"""The newer real files: quarterly decisions to 2020-Q2, monthly applicants to 2020-08, IOM to 2026-05.

Expected values are read here from the publishers' files with plain string handling, not our readers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from loaders import catalogue, geo

QUARTERLY_TSV = "eurostat/tsv/migr_asydcfstq_2008Q1-2020Q2.tsv"
MONTHLY_TSV = "eurostat/tsv/migr_asyappctzm_2008M01-2020M08.tsv"


def tsv_series(path: Path, key: str) -> dict[str, float | None]:
    """period -> value of the TSV line whose first cell is `key` (flags and ':' handled by hand)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    periods = [p.strip() for p in lines[0].split("\t")[1:]]
    for line in lines[1:]:
        cells = line.split("\t")
        if cells[0] == key:
            values = [c.strip().split(" ")[0] for c in cells[1:]]
            return {p: None if v == ":" else float(v) for p, v in zip(periods, values, strict=True)}
    raise AssertionError(f"no line {key} in {path}")


def _rows(ind: pd.DataFrame, indicator: str, geo_code: str) -> pd.DataFrame:
    return ind[(ind.indicator == indicator) & (ind.geo == geo_code)].set_index("period")


def test_quarterly_decisions_reach_2020q2_for_every_member_state(ind: pd.DataFrame) -> None:
    rate = ind[(ind.indicator == "recognition_rate_quarterly") & ind.geo.isin(geo.EU27_2020)]
    last = rate[rate.value.notna()].groupby("geo")["period"].max()
    assert set(last.index) == set(geo.EU27_2020)
    assert (last >= "2020-Q1").all() and (last == "2020-Q2").sum() > 13


def test_de_2017_quarters_are_the_files_numbers(shared_data: Path, ind: pd.DataFrame) -> None:
    raw = tsv_series(shared_data / QUARTERLY_TSV, "Q,PER,TOTAL,T,TOTAL,TOTAL_POS,DE")
    ours = _rows(ind, "positive_decisions_quarterly", "DE")["value"]
    quarters = [f"2017-Q{q}" for q in range(1, 5)]
    assert [ours[q] for q in quarters] == [raw[q] for q in quarters]
    assert sum(raw[q] for q in quarters) == 261_630  # the annual migr_asydcfsta figure (data README)


def test_quarterly_recognition_rate_recomputed(ind: pd.DataFrame, obs) -> None:
    q = obs("migr_asydcfstq")
    q = q[q.citizen == "TOTAL"].pivot_table(index=["geo", "period"], columns="decision", values="value")
    expected = (q["TOTAL_POS"] / q["TOTAL"].where(q["TOTAL"] != 0) * 100).dropna()
    rate = ind[ind.indicator == "recognition_rate_quarterly"].set_index(["geo", "period"])["value"].dropna()
    assert len(rate) == len(expected) > 1500
    pd.testing.assert_series_equal(rate.sort_index(), expected.sort_index(), check_names=False)


def test_decisions_by_type_come_from_the_legacy_export(ind: pd.DataFrame, obs) -> None:
    genconv = ind[ind.indicator == "refugee_status_decisions_quarterly"]
    assert genconv.period.max() == "2017-Q3"
    # Legacy export line 5: 2008Q1, EU28, Geneva Convention status, "6,830".
    assert float(_rows(ind, "refugee_status_decisions_quarterly", "EU28")["value"]["2008-Q1"]) == 6830


def test_no_annual_decision_is_a_sum_of_quarters(ind: pd.DataFrame, obs) -> None:
    published = obs("migr_asydcfsta")
    published_keys = set(zip(published.geo, published.period, strict=True))
    for ind_id in ("first_instance_decisions", "positive_decisions", "recognition_rate"):
        rows = ind[(ind.indicator == ind_id) & ind.value.notna()]
        computed_eu = rows.note.notna() & (rows.geo == "EU27_2020")
        keys = set(zip(rows[~computed_eu].geo, rows[~computed_eu].period, strict=True))
        assert keys <= published_keys, ind_id
        assert rows.period.max() <= "2019"
    assert "not made from quarters" in " ".join(catalogue.BY_ID["recognition_rate_quarterly"].caveats)


def test_monthly_applicants_newest_file_wins(shared_data: Path, ind: pd.DataFrame) -> None:
    raw = tsv_series(shared_data / MONTHLY_TSV, "M,PER,TOTAL,T,TOTAL,NASY_APP,NO")
    ours = _rows(ind, "first_time_applicants_monthly", "NO")["value"]
    legacy = (
        (shared_data / "eurostat/legacy-csv/migr_asyappctzm_2008M01-2017M11.csv").read_text().splitlines()
    )
    assert legacy[812].startswith('"2008M12","Norway",') and legacy[812].endswith(
        '"First time applicant","Person","1,450"'
    )
    assert raw["2008-12"] == 1435 and ours["2008-12"] == 1435  # the revised TSV wins over the legacy 1,450
    monthly = ind[ind.indicator == "asylum_applicants_monthly"]
    assert monthly.period.max() == "2020-08" and monthly.period.min() == "2008-01"


def test_trailing_months_are_marked_incomplete(shared_data: Path, ind: pd.DataFrame) -> None:
    path = shared_data / MONTHLY_TSV
    reported = {
        m: sum(tsv_series(path, f"M,PER,TOTAL,T,TOTAL,ASY_APP,{g}")[m] is not None for g in geo.EU27_2020)
        for m in ("2020-06", "2020-07", "2020-08")
    }
    eu = _rows(ind, "asylum_applicants_monthly", "EU27_2020")
    assert pd.isna(eu["note"]["2020-06"]) and reported["2020-06"] == 27
    for month in ("2020-07", "2020-08"):
        assert reported[month] < 27
        assert eu["note"][month].startswith(f"incomplete: {reported[month]} of 27 member states")
    # Member states' own values are never marked: only the EU27 total is short of reports.
    assert ind[(ind.indicator == "asylum_applicants_monthly") & (ind.geo != "EU27_2020")].note.isna().all()


def test_iom_runs_to_2026_with_a_gap_not_zeros(obs) -> None:
    mmp = obs("iom_mmp")
    months = set(mmp.period)
    assert "2025-04" in months and "2026-01" in months and max(months) == "2026-05"
    assert not {f"2025-{m:02d}" for m in range(5, 13)} & months  # no rows, so no zeros, for the gap


def test_place_of_apprehension_caveat_matches_the_data(obs) -> None:
    eipre = obs("migr_eipre")
    border = eipre[(eipre.apprehen == "BRD_EXT") & (eipre.reason == "TOTAL") & eipre.value.notna()]
    first = border.groupby("geo")["period"].min()
    assert first.mode().iat[0] == "2021"
    assert first[first < "2021"].to_dict() == {"CH": "2020", "IE": "2018"}
    assert "Ireland reports it from 2018" in catalogue.APPREHENSION_NOTE
    assert "Switzerland from 2020" in catalogue.APPREHENSION_NOTE
