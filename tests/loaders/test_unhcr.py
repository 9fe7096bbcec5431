"""UNHCR Refugee Data Finder reader: the hand-written fixture, bad input, and the real export."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.formats import read_bytes, unhcr
from tests.loaders.helpers import one_row, read_with_rows

FIXTURE = "unhcr/population_small.csv"
REAL = "unhcr/population_eu_2008-2024.csv"
COLUMNS = ["dataset", "geo", "period", "freq", "period_start", "citizen", "population", "value", "flag"]
HEADER = (
    b'Year,"Country of Asylum","Country of Origin","Country of Asylum ISO","Country of Origin ISO",'
    b'Refugees,"Returned Refugees","Asylum Seekers",IDPs,"Returned IDPs",Stateless,HST,OOC\n'
)
GOOD = HEADER + b"2024,Germany,-,DEU,-,2667000,17600,356800,0,0,28600,0,0\n"


def _one(frame, **where):
    return one_row(frame, **where)["value"]


# --- fixture ------------------------------------------------------------------------------------


def test_fixture_melts_every_population(fixtures: Path) -> None:
    result = unhcr.read((fixtures / FIXTURE).read_bytes(), FIXTURE)
    frame = result.frame
    assert result.format == "unhcr_population" and result.dataset == "unhcr_population"
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 5 * 8
    assert set(frame["population"]) == set(unhcr.POPULATIONS.values())
    assert set(frame["freq"]) == {"A"} and frame["flag"].isna().all()
    assert _one(frame, geo="DE", period="2024", citizen="TOTAL", population="REFUGEES") == 2667000
    assert _one(frame, geo="DE", period="2024", citizen="TOTAL", population="ASYLUM_SEEKERS") == 356800
    assert _one(frame, geo="DE", period="2023", citizen="TOTAL", population="STATELESS") == 28000
    assert str(frame["period_start"].iloc[0]) in {"2023-01-01", "2024-01-01"}


def test_fixture_codes_and_missing_values(fixtures: Path) -> None:
    frame = unhcr.read((fixtures / FIXTURE).read_bytes(), FIXTURE).frame
    assert set(frame["geo"]) == {"DE", "EL", "NA"}  # GRC -> EL; NAM is Namibia, not missing
    assert _one(frame, geo="EL", citizen="SY", population="REFUGEES") == 41000  # origin SYR -> SY
    greece = frame[(frame["geo"] == "EL") & (frame["citizen"] == "TOTAL")].set_index("population")["value"]
    assert greece[["IDPS", "RETURNED_IDPS", "HST"]].isna().all()  # "-" and "" are null, never 0
    assert greece["OOC"] == 2400
    assert _one(frame, geo="DE", period="2023", population="RETURNED_REFUGEES") == 0  # UNHCR's 0 stays 0


def test_dispatch_by_content(fixtures: Path) -> None:
    data = (fixtures / FIXTURE).read_bytes()
    assert read_bytes(data, FIXTURE).format == "unhcr_population"
    unquoted = data.replace(b'"', b"").replace(b"\n", b"\r\n")
    assert unhcr.sniff(unquoted[:300])
    assert unhcr.read(unquoted, "x.csv").frame.equals(unhcr.read(data, FIXTURE).frame)
    assert not unhcr.sniff(HEADER.replace(b",OOC", b",OOC,OIP"))
    assert not unhcr.sniff(b"route,type,nat,t,n\n")


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "file is empty", None),
        (b"<html><head><title>Sign in</title></head></html>", "unexpected header", 1),
        (GOOD.replace(b"Refugees,", b"Refugee,", 1), "unexpected header", 1),
        (HEADER, "no data lines", None),
        (GOOD + b"2023,Germany,-,DEU,-,25930O0,0,300000,0,0,28000,0,0\n", "non-numeric value '25930O0'", 3),
        (GOOD + b"2023,Germany,-,DEU,-,n/a,0,300000,0,0,28000,0,0\n", "non-numeric value 'n/a'", 3),
        (GOOD + b"2023,Germany,-,XYZ,-,1,0,1,0,0,1,0,0\n", "unknown country of asylum code 'XYZ'", 3),
        (GOOD + b"2023,All,-,-,-,1,0,1,0,0,1,0,0\n", "unknown country of asylum code '-'", 3),
        (GOOD + b"2023,Germany,Unknown,DEU,UKN,1,0,1,0,0,1,0,0\n", "unknown country of origin code 'UKN'", 3),
        (GOOD + b"23,Germany,-,DEU,-,1,0,1,0,0,1,0,0\n", "bad year '23'", 3),
        (GOOD + GOOD.split(b"\n")[1] + b"\n", "duplicate observation", 3),
    ],
)
def test_bad_input_is_a_clear_error(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(LoaderError) as err:
        unhcr.read(data, "bad.csv")
    assert message in str(err.value)
    assert str(err.value).startswith("bad.csv")
    assert err.value.line == line


def test_html_through_dispatch() -> None:
    with pytest.raises(LoaderError, match="HTML"):
        read_bytes(b"<!doctype html><html><body>Not found</body></html>", "download")


# --- the real file ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data: Path):
    return read_with_rows(shared_data / REAL, unhcr.read)


def test_real_rows_and_totals(real) -> None:
    frame, rows, _ = real
    assert len(rows) == 425
    assert len(frame) == len(rows) * len(unhcr.POPULATIONS)
    assert frame["value"].notna().all()  # the export has a number in every cell, zeros included
    expected: Counter = Counter()
    for r in rows:
        for column, code in unhcr.POPULATIONS.items():
            expected[(code, r["Year"])] += int(r[column])
    got = frame.groupby(["population", "period"])["value"].sum()
    assert {k: int(v) for k, v in got.items()} == dict(expected)


def test_real_refugees_hosted_by_germany_2024(real) -> None:
    frame, rows, _ = real
    expected = sum(
        int(r["Refugees"]) for r in rows if r["Country of Asylum ISO"] == "DEU" and r["Year"] == "2024"
    )
    assert expected == 2667191
    assert _one(frame, geo="DE", period="2024", citizen="TOTAL", population="REFUGEES") == expected


@pytest.mark.parametrize(
    ("line", "text", "geo", "year", "values"),
    [
        (2, "2008,Austria,-,AUT,-,37546,299,36687,0,0,464,0,0", "AT", "2008",
         {"REFUGEES": 37546, "RETURNED_REFUGEES": 299, "ASYLUM_SEEKERS": 36687, "STATELESS": 464, "IDPS": 0}),
        (211, "2016,Germany,-,DEU,-,669468,0,587306,0,0,12017,0,0", "DE", "2016",
         {"REFUGEES": 669468, "ASYLUM_SEEKERS": 587306, "STATELESS": 12017}),
        (412, "2024,Greece,-,GRC,-,214574,400,20887,0,0,3743,0,2427", "EL", "2024",
         {"REFUGEES": 214574, "ASYLUM_SEEKERS": 20887, "STATELESS": 3743, "OOC": 2427}),
    ],
)  # fmt: skip
def test_real_values_equal_their_lines(real, line: int, text: str, geo: str, year: str, values: dict) -> None:
    frame, _, lines = real
    assert lines[line - 1] == text
    for population, value in values.items():
        assert _one(frame, geo=geo, period=year, citizen="TOTAL", population=population) == value


def test_real_codes_harmonised(real) -> None:
    frame, rows, _ = real
    assert {r["Country of Origin ISO"] for r in rows} == {"-"}
    assert set(frame["citizen"]) == {"TOTAL"}
    assert frame["geo"].nunique() == 25
    assert "EL" in set(frame["geo"]) and "GR" not in set(frame["geo"])
    assert all(len(g) == 2 for g in frame["geo"].unique())
