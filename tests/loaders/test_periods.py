"""Semi-annual, weekly and daily periods: tidy's rules, then through every reader that takes periods.

Expected first days are written out by hand (an ISO week starts on its Monday: 2024-W05 on
29 January), not computed with the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import read_bytes

# raw spelling -> (our period, freq, first day)
SPELLINGS = {
    "2024": ("2024", "A", "2024-01-01"),
    "2021S1": ("2021-S1", "S", "2021-01-01"),
    "2021-S2": ("2021-S2", "S", "2021-07-01"),
    "2023Q4": ("2023-Q4", "Q", "2023-10-01"),
    "2024M03": ("2024-03", "M", "2024-03-01"),
    "2024-03": ("2024-03", "M", "2024-03-01"),
    "2024-03-01": ("2024-03", "M", "2024-03-01"),  # first of month: how the derived files write months
    "2024W05": ("2024-W05", "W", "2024-01-29"),
    "2024-W05": ("2024-W05", "W", "2024-01-29"),
    "2024W01": ("2024-W01", "W", "2024-01-01"),
    "2021W01": ("2021-W01", "W", "2021-01-04"),  # 1-3 January 2021 belong to 2020-W53
    "2020W53": ("2020-W53", "W", "2020-12-28"),
    "2024-01-15": ("2024-01-15", "D", "2024-01-15"),
    "2024M01D15": ("2024-01-15", "D", "2024-01-15"),  # old bulk download spelling
    "2024-02-29": ("2024-02-29", "D", "2024-02-29"),
}


@pytest.mark.parametrize("raw", SPELLINGS)
def test_spellings_and_first_days(raw: str) -> None:
    period, freq, start = SPELLINGS[raw]
    assert tidy.normalise_period(raw) == (period, freq)
    assert tidy.normalise_period(period) == (period, freq)  # our spelling reads back as itself
    assert tidy.period_start(period, freq).date() == dt.date.fromisoformat(start)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2021W53", "no such ISO week"),  # 2021 has 52 weeks
        ("2024-W53", "no such ISO week"),
        ("2024W00", "no such ISO week"),
        ("2024-13", "no such month"),
        ("2024M13", "no such month"),
        ("2024M00", "no such month"),
        ("2023-02-29", "no such day"),
        ("2024-02-30", "no such day"),
        ("2024-04-31", "no such day"),
        ("2024-13-01", "no such month"),
        ("2021S3", "unknown period '2021S3'"),
        ("2024W5", "unknown period '2024W5'"),
        ("0000", "year 0000 is before 1900"),
        ("6016-W01", "year 6016 is after next year"),
    ],
)
def test_impossible_periods_are_value_errors(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tidy.normalise_period(raw)


def test_day_spelling_only_touches_the_first_of_a_month() -> None:
    assert tidy.normalise_period(tidy.day_spelling("2024-01-01")) == ("2024-01-01", "D")
    assert tidy.day_spelling("2024-01-15") == "2024-01-15"
    assert tidy.day_spelling("2024-01") == "2024-01"


def _rows(path: Path) -> set[tuple]:
    """(geo, period, freq, first day, value or None, flag or None) of every row read from `path`."""
    frame = read_bytes(path.read_bytes(), path.name).frame
    out = set()
    for r in frame.to_dict("records"):
        value = None if pd.isna(r["value"]) else r["value"]
        flag = None if pd.isna(r["flag"]) else r["flag"]
        out.add((r["geo"], r["period"], r["freq"], r["period_start"].isoformat(), value, flag))
    return out


def test_tsv_semiannual(fixtures: Path) -> None:
    assert _rows(fixtures / "periods" / "semiannual.tsv") == {
        ("DE", "2021-S1", "S", "2021-01-01", 1250.0, None),
        ("EL", "2021-S1", "S", "2021-01-01", 35.0, "e"),
        ("DE", "2021-S2", "S", "2021-07-01", 1310.0, "p"),
        ("EL", "2021-S2", "S", "2021-07-01", None, None),
    }


def test_tsv_weekly(fixtures: Path) -> None:
    assert _rows(fixtures / "periods" / "weekly.tsv") == {
        ("DE", "2020-W53", "W", "2020-12-28", 125.0, None),
        ("EL", "2020-W53", "W", "2020-12-28", 3.0, "e"),
        ("DE", "2024-W05", "W", "2024-01-29", 131.0, "p"),
        ("EL", "2024-W05", "W", "2024-01-29", None, None),
        ("DE", "2024-W06", "W", "2024-02-05", None, "c"),
        ("EL", "2024-W06", "W", "2024-02-05", 4.0, None),
    }


def test_tsv_daily_including_the_first_of_a_month(fixtures: Path) -> None:
    assert _rows(fixtures / "periods" / "daily.tsv") == {
        ("DE", "2024-01-01", "D", "2024-01-01", 12.0, None),
        ("EL", "2024-01-01", "D", "2024-01-01", 3.0, "e"),
        ("DE", "2024-01-15", "D", "2024-01-15", 13.0, "p"),
        ("EL", "2024-01-15", "D", "2024-01-15", None, None),
        ("DE", "2024-02-29", "D", "2024-02-29", None, "c"),
        ("EL", "2024-02-29", "D", "2024-02-29", 4.0, None),
    }


@pytest.mark.parametrize(
    ("fixture", "old", "new", "message"),
    [
        (
            "weekly.tsv",
            b"2020W53 ",
            b"2021W53 ",
            r"line 1: header cell 2 '2021W53 ' is not a period \(no such ISO",
        ),
        ("daily.tsv", b"2024-02-29", b"2023-02-29", r"line 1: header cell 4 '2023-02-29' .*no such day"),
        ("semiannual.tsv", b"2021-S2 ", b"2021-S3 ", r"line 1: header cell 3 '2021-S3 ' is not a period"),
        ("semiannual.tsv", b"S,UA,EL", b"A,UA,EL", r"line 3: freq is 'A' but column '2021S1 '"),
    ],
)
def test_tsv_refuses_impossible_periods(
    fixtures: Path, fixture: str, old: bytes, new: bytes, message: str
) -> None:
    data = (fixtures / "periods" / fixture).read_bytes().replace(old, new)
    with pytest.raises(LoaderError, match=message):
        read_bytes(data, fixture)


SDMX_V1 = {
    ("DE", "2021-S1", "S", "2021-01-01", 1250.0, None),
    ("DE", "2021-S2", "S", "2021-07-01", 1310.0, "p"),
    ("DE", "2020-W53", "W", "2020-12-28", 125.0, None),
    ("DE", "2024-W05", "W", "2024-01-29", 131.0, None),
    ("DE", "2024-W06", "W", "2024-02-05", None, "c"),
    ("DE", "2024-01-01", "D", "2024-01-01", 12.0, None),
    ("DE", "2024-01-15", "D", "2024-01-15", 13.0, "p"),
    ("DE", "2024-02-29", "D", "2024-02-29", 4.0, None),
}


def test_sdmx_csv_1_frequencies(fixtures: Path) -> None:
    assert _rows(fixtures / "periods" / "frequencies_v1.csv") == SDMX_V1


def test_sdmx_csv_2_frequencies(fixtures: Path) -> None:
    assert _rows(fixtures / "periods" / "frequencies_v2.csv") == {
        ("EL", "2021-S1", "S", "2021-01-01", 35.0, None),
        ("EL", "2021-S2", "S", "2021-07-01", 40.0, "e"),
        ("EL", "2020-W53", "W", "2020-12-28", 3.0, None),
        ("EL", "2024-W05", "W", "2024-01-29", 4.0, None),
        ("EL", "2024-01-01", "D", "2024-01-01", 1.0, None),
        ("EL", "2024-02-29", "D", "2024-02-29", 2.0, None),
    }


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b",2020-W53,", b",2021-W53,", r"line 4: unknown period '2021-W53': no such ISO week"),
        (b",2024-02-29,", b",2024-02-30,", r"line 9: unknown period '2024-02-30': no such day"),
        (
            b",D,UA,DE,2024-01-15,",
            b",M,UA,DE,2024-01-15,",
            r"line 8: freq 'M' does not match period '2024-01-15'",
        ),
        (b",W,UA,DE,2024-W05,", b",D,UA,DE,2024-W05,", r"line 5: freq 'D' does not match period '2024-W05'"),
    ],
)
def test_sdmx_csv_refuses_impossible_periods(fixtures: Path, old: bytes, new: bytes, message: str) -> None:
    data = (fixtures / "periods" / "frequencies_v1.csv").read_bytes()
    assert data.count(old) == 1
    with pytest.raises(LoaderError, match=message):
        read_bytes(data.replace(old, new), "frequencies_v1.csv")


def test_jsonstat_frequencies(fixtures: Path) -> None:
    assert _rows(fixtures / "periods" / "frequencies.json") == {
        ("DE", "2021-S1", "S", "2021-01-01", 1250.0, None),
        ("DE", "2021-S2", "S", "2021-07-01", 1310.0, "p"),
        ("DE", "2020-W53", "W", "2020-12-28", 125.0, None),
        ("DE", "2024-W05", "W", "2024-01-29", 131.0, None),
        ("DE", "2024-01-15", "D", "2024-01-15", 12.0, None),
        ("DE", "2024-02-29", "D", "2024-02-29", 4.0, None),
    }


def test_jsonstat_day_on_the_first_of_a_month(fixtures: Path) -> None:
    doc = json.loads((fixtures / "periods" / "frequencies.json").read_text())
    index = doc["dimension"]["time"]["category"]["index"]
    index["2024-01-01"] = index.pop("2024-01-15")
    frame = read_bytes(json.dumps(doc).encode(), "frequencies.json").frame
    day = frame[frame["freq"] == "D"]
    assert sorted(day["period"]) == ["2024-01-01", "2024-02-29"]


def test_jsonstat_refuses_an_impossible_week(fixtures: Path) -> None:
    doc = json.loads((fixtures / "periods" / "frequencies.json").read_text())
    index = doc["dimension"]["time"]["category"]["index"]
    index["2021-W53"] = index.pop("2020-W53")
    with pytest.raises(LoaderError, match=r"unknown period '2021-W53': no such ISO week"):
        read_bytes(json.dumps(doc).encode(), "frequencies.json")


def test_legacy_csv_frequencies(fixtures: Path) -> None:
    assert _rows(fixtures / "periods" / "frequencies_legacy.csv") == {
        ("MT", "2021-S1", "S", "2021-01-01", 120.0, None),
        ("MT", "2021-S2", "S", "2021-07-01", None, None),
        ("MT", "2020-W53", "W", "2020-12-28", 5.0, None),
        ("MT", "2024-W05", "W", "2024-01-29", 6.0, None),
        ("MT", "2024-01-15", "D", "2024-01-15", 1.0, None),
        ("MT", "2024-02-29", "D", "2024-02-29", 2.0, None),
    }


def test_legacy_csv_refuses_an_impossible_day(fixtures: Path) -> None:
    data = (
        (fixtures / "periods" / "frequencies_legacy.csv").read_bytes().replace(b"2024-02-29", b"2023-02-29")
    )
    with pytest.raises(LoaderError, match=r"line 7: unknown period '2023-02-29'"):
        read_bytes(data, "frequencies_legacy.csv")
