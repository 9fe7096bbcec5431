"""Eurostat TSV reader: the real migr_dubri.tsv from ../shared/data, then our small fixtures.

Expected counts and values are computed here from the raw text with plain string handling, not
with the reader's code, so a reader bug cannot agree with itself.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import SNIFF_BYTES, read_bytes, read_path
from loaders.formats import eurostat_tsv as reader
from tests.loaders.helpers import one_row

REAL = "eurostat/tsv/migr_dubri.tsv"

# (line, geo, period, value). The line is where the row is in migr_dubri.tsv (line 1 = header);
# test_real_spot_values re-reads that line and the period's column to prove the comment right.
SPOT_CHECKS = [
    (2, "AT", "2010", 2577.0),  # line 2 `A,NR,REQ,TOTAL,TOTAL,AT`, first period column `2010 `
    (11, "EL", "2019", 13382.0),  # line 11, Greece as Eurostat spells it (EL), last column `2019 `
    (13, "EU27_2020", "2016", 183345.0),  # line 13, first non-`:` cell of the EU27_2020 row
    (14, "EU28", "2015", 74907.0),  # line 14, first non-`:` cell of the EU28 row
    (20, "IS", "2012", 0.0),  # line 20, a real published zero: stays 0, is not made null
    (35, "TOTAL", "2019", 141344.0),  # line 35, the TOTAL row, last column
    (36, "UK", "2010", 980.0),  # line 36, United Kingdom as Eurostat spells it (UK)
    (6, "CY", "2014", None),  # line 6, cell `: ` (not available) -> null, never 0
    (7, "CZ", "2010", None),  # line 7, cell `: ` at the start of a row
]


def _raw_cells(text: str) -> tuple[list[str], list[list[str]]]:
    """Header period cells and, per data line, its value cells, split by hand (tabs only)."""
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    header = lines[0].split("\t")
    rows = [line.split("\t")[1:] for line in lines[1:]]
    return header[1:], rows


def _value_of(cell: str) -> float | None:
    """What a cell means, by hand: `2577 ` -> 2577.0, `: c` -> None."""
    number = cell.strip().split(" ")[0]
    return None if number == ":" else float(number)


@pytest.fixture(scope="module")
def real_bytes(shared_data: Path) -> bytes:
    return (shared_data / REAL).read_bytes()


@pytest.fixture(scope="module")
def real_frame(real_bytes: bytes) -> pd.DataFrame:
    return reader.read(real_bytes, REAL).frame


def _observations(frame: pd.DataFrame, *keys: str) -> dict[tuple[str, ...], tuple[float | None, str | None]]:
    """{(key values...): (value or None, flag or None)} for every row, to compare with a hand parse."""
    columns = [frame[k] for k in keys]
    return {
        tuple(key): (None if pd.isna(value) else value, None if pd.isna(flag) else flag)
        for *key, value, flag in zip(*columns, frame["value"], frame["flag"], strict=True)
    }


_one = one_row


# --- the real file ---------------------------------------------------------------------------


def test_real_file_is_detected_and_read(shared_data: Path) -> None:
    result = read_path(shared_data / REAL)
    assert result.format == "eurostat_tsv"
    assert result.dataset is None  # the TSV does not name its dataset: the build sets it
    assert list(result.frame.columns) == [
        *tidy.FIXED_FRONT,
        "unit",
        "request",
        "leg_prov",
        "partner",
        *tidy.FIXED_BACK,
    ]  # freq is a fixed column, not a breakdown; the other dimensions keep the header's order


def test_real_counts_match_the_raw_text(real_bytes: bytes, real_frame: pd.DataFrame) -> None:
    periods, rows = _raw_cells(real_bytes.decode("utf-8"))
    cells = [cell for row in rows for cell in row]
    assert len(rows) == 35 and len(periods) == 10  # 35 series, 2010-2019
    assert len(real_frame) == len(cells) == 350  # every cell one observation, `:` included
    non_null = sum(1 for cell in cells if cell.strip() != ":")
    assert int(real_frame["value"].notna().sum()) == non_null
    assert real_frame["value"].sum() == pytest.approx(sum(_value_of(c) or 0.0 for c in cells))
    # `:` is null, never 0: the only zeros are the file's own `0` cells
    zeros = sum(1 for cell in cells if cell.strip() == "0")
    assert zeros == 2  # LI 2011 (line 22) and IS 2012 (line 20)
    assert int((real_frame["value"] == 0).sum()) == zeros
    assert real_frame["flag"].isna().all()  # this extraction has no flags


@pytest.mark.parametrize(("line", "geo", "period", "expected"), SPOT_CHECKS)
def test_real_spot_values(
    real_bytes: bytes, real_frame: pd.DataFrame, line: int, geo: str, period: str, expected: float | None
) -> None:
    lines = real_bytes.decode("utf-8").split("\n")
    header = lines[0].split("\t")
    cells = lines[line - 1].split("\t")
    column = [h.strip() for h in header].index(period)
    assert cells[0].endswith("," + geo), "the comment's line is not that country's row"
    assert _value_of(cells[column]) == expected, "the comment's number is not in the file"

    row = _one(real_frame, geo=geo, period=period)
    if expected is None:
        assert pd.isna(row["value"])
    else:
        assert row["value"] == expected
    assert pd.isna(row["flag"])


def test_real_codes_and_types(real_frame: pd.DataFrame) -> None:
    geos = set(real_frame["geo"])
    assert {"EL", "UK", "EU27_2020", "EU28", "TOTAL", "DE", "AT"} <= geos
    assert not {"GR", "GB"} & geos  # Eurostat's own spelling kept
    assert len(geos) == 35
    assert set(real_frame["unit"]) == {"NR"}
    assert set(real_frame["request"]) == {"REQ"}
    assert set(real_frame["leg_prov"]) == {"TOTAL"}
    assert set(real_frame["partner"]) == {"TOTAL"}
    assert set(real_frame["freq"]) == {"A"}
    assert sorted(set(real_frame["period"])) == [str(y) for y in range(2010, 2020)]
    assert set(real_frame["dataset"]) == {""}
    assert real_frame["value"].dtype == np.float64
    assert _one(real_frame, geo="AT", period="2010")["period_start"] == dt.date(2010, 1, 1)
    assert real_frame.groupby("geo").size().eq(10).all()  # every series has every period


def test_real_gzip_reads_identically(real_bytes: bytes) -> None:
    plain = read_bytes(real_bytes, REAL)
    packed = read_bytes(gzip.compress(real_bytes), REAL + ".gz")
    assert packed.format == plain.format == "eurostat_tsv"
    pd.testing.assert_frame_equal(packed.frame, plain.frame)


def test_real_crlf_reads_identically(real_bytes: bytes, real_frame: pd.DataFrame) -> None:
    crlf = real_bytes.replace(b"\n", b"\r\n")
    assert crlf.count(b"\r\n") == 36
    pd.testing.assert_frame_equal(read_bytes(crlf, REAL).frame, real_frame)


# --- fixtures: periods, flags, old header ---------------------------------------------------


def test_monthly_flags_kept_exactly(fixtures: Path) -> None:
    frame = read_path(fixtures / "tsv" / "monthly.tsv").frame
    assert len(frame) == 9
    assert list(frame.columns) == [*tidy.FIXED_FRONT, "citizen", "sex", *tidy.FIXED_BACK]
    assert set(frame["period"]) == {"2024-01", "2024-02", "2024-03"}
    assert set(frame["freq"]) == {"M"}
    assert _one(frame, geo="DE", period="2024-02")["period_start"] == dt.date(2024, 2, 1)
    # (geo, period) -> (value, flag), read off the fixture's cells
    expected = {
        ("DE", "2024-01"): (1250.0, None),  # `1250 `
        ("DE", "2024-02"): (1310.0, "p"),  # `1310 p`
        ("DE", "2024-03"): (None, "c"),  # `: c`: confidential, no value, flag kept
        ("EL", "2024-01"): (35.0, "e"),  # `35 e`
        ("EL", "2024-02"): (None, None),  # `: `
        ("EL", "2024-03"): (40.0, "bep"),  # `40 bep`
        ("UK", "2024-01"): (None, "z"),  # `: z`
        ("UK", "2024-02"): (5.0, "b"),  # `5 b`
        ("UK", "2024-03"): (0.0, None),  # `0 ` stays a zero
    }
    for (geo, period), (value, flag) in expected.items():
        row = _one(frame, geo=geo, period=period)
        assert (None if pd.isna(row["value"]) else row["value"]) == value, (geo, period)
        assert (None if pd.isna(row["flag"]) else row["flag"]) == flag, (geo, period)
    # Namibia's code NA is a code, not a missing value
    assert _one(frame, geo="UK", period="2024-01")["citizen"] == "NA"


def test_dash_month_headers_read_like_m_headers(fixtures: Path) -> None:
    """`2024-01` headers, cells without trailing spaces: same rows as `2024M01 ` with them."""
    dash = read_path(fixtures / "tsv" / "monthly_dash.tsv").frame
    m_spelling = read_path(fixtures / "tsv" / "monthly.tsv").frame
    pd.testing.assert_frame_equal(dash, m_spelling)


def test_quarterly(fixtures: Path) -> None:
    frame = read_path(fixtures / "tsv" / "quarterly.tsv").frame
    assert list(frame.columns) == [*tidy.FIXED_FRONT, "unit", *tidy.FIXED_BACK]
    assert set(frame["period"]) == {"2023-Q3", "2023-Q4"}
    assert set(frame["freq"]) == {"Q"}
    row = _one(frame, geo="AT", period="2023-Q4")
    assert (row["value"], row["flag"], row["period_start"]) == (1670.0, "p", dt.date(2023, 10, 1))
    row = _one(frame, geo="EU27_2020", period="2023-Q3")
    assert (row["value"], row["flag"]) == (240135.0, "e")
    assert pd.isna(_one(frame, geo="EU27_2020", period="2023-Q4")["value"])


def test_old_bulk_header_geo_time(fixtures: Path) -> None:
    """Old bulk files: `...,geo\\time`, no freq dimension, newest year first."""
    frame = read_path(fixtures / "tsv" / "old_bulk.tsv").frame
    assert list(frame.columns) == [*tidy.FIXED_FRONT, "unit", "citizen", "sex", "age", *tidy.FIXED_BACK]
    assert set(frame["freq"]) == {"A"}
    assert _one(frame, geo="SE", period="2015")["value"] == 51310.0
    assert _one(frame, geo="EU28", period="2016")["value"] == 339245.0
    assert pd.isna(_one(frame, geo="EU28", period="2014")["value"])
    assert _one(frame, geo="SE", period="2014")["period_start"] == dt.date(2014, 1, 1)


def test_crlf_and_trailing_blank_lines(fixtures: Path) -> None:
    data = (fixtures / "tsv" / "monthly.tsv").read_bytes()
    expected = reader.read(data, "monthly.tsv").frame
    for variant in (data.replace(b"\n", b"\r\n"), data + b"\n\n", data.rstrip(b"\n")):
        pd.testing.assert_frame_equal(reader.read(variant, "monthly.tsv").frame, expected)


def test_matches_a_hand_parse_when_cut_into_parallel_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many columns, parsed in several runs side by side: every cell where a hand parse puts it."""
    periods = [f"{2000 + m // 12}M{m % 12 + 1:02d} " for m in range(60)]
    rng = np.random.default_rng(7)
    forms = [lambda v: f"{v} ", lambda v: ": ", lambda v: f"{v} p", lambda v: ": c", lambda v: f"{v}.5 e"]
    lines = ["freq,citizen,geo\\TIME_PERIOD\t" + "\t".join(periods)]
    expected = {}
    for r in range(40):
        geo = f"G{r:02d}"
        cells = []
        for p in periods:
            cell = forms[int(rng.integers(len(forms)))](int(rng.integers(0, 10_000)))
            cells.append(cell)
            flag = cell.strip().partition(" ")[2]
            expected[(geo, tidy.normalise_period(p)[0])] = (_value_of(cell), flag or None)
        lines.append(f"M,SY,{geo}\t" + "\t".join(cells))
    data = ("\n".join(lines) + "\n").encode()
    monkeypatch.setattr(reader, "_RUN_CELLS", 600)
    monkeypatch.setattr(reader.os, "cpu_count", lambda: 4)
    run_starts = []
    parse_run = reader._parse_run

    def spy(cells: object, start: int, *args: object) -> object:
        run_starts.append(start)
        return parse_run(cells, start, *args)

    monkeypatch.setattr(reader, "_parse_run", spy)
    frame = reader.read(data, "many.tsv").frame
    assert sorted(run_starts) == [0, 600, 1200, 1800]  # 60 columns of 40 cells in 4 runs
    assert len(frame) == len(expected) == 40 * 60
    assert _observations(frame, "geo", "period") == expected

    # an error in the last run (last column) still names its own line and column
    key, *cells = lines[38].split("\t")  # lines[38] is line 39 of the file, series G37
    lines[38] = "\t".join([key, *cells[:-1], "x12 "])
    message = _error(("\n".join(lines) + "\n").encode(), "many.tsv", direct=True)
    assert "many.tsv, line 39: non-numeric value 'x12' in column '2004M12 '" in message


# --- sniffing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "mine"),
    [
        (b"freq,unit,geo\\TIME_PERIOD\t2019 \nA,NR,AT\t1 \n", True),
        (b"unit,geo\\time\t2019 \t2018 \n", True),
        (b"\xef\xbb\xbffreq,geo\\TIME_PERIOD\t2024M01 \r\n", True),  # with a UTF-8 BOM and CRLF
        (b"DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n", False),  # SDMX-CSV
        (b"AT\tAustria\nBE\tBelgium\n", False),  # code list
        (b'"Table of contents"\t"Code"\t"Type"\n', False),  # catalogue
        (b"<!DOCTYPE html>\n<html>", False),
        (b'{"version": "2.0", "class": "dataset"}', False),
        (b"freq,geo\\TIME_PERIOD\n", False),  # no period column
        (b"", False),
    ],
)
def test_sniff(head: bytes, mine: bool) -> None:
    assert reader.sniff(head[:SNIFF_BYTES]) is mine


# --- bad input -------------------------------------------------------------------------------


def _error(data: bytes, source: str = "bad.tsv", *, direct: bool = False) -> str:
    with pytest.raises(LoaderError) as info:
        if direct:
            reader.read(data, source)
        else:
            read_bytes(data, source)
    message = str(info.value)
    assert message.startswith(source)
    return message


def test_empty_input() -> None:
    assert "empty" in _error(b"")
    assert "empty" in _error(b"", direct=True)
    assert "empty" in _error(b"\n\n", direct=True)


def test_truncated_gzip(fixtures: Path) -> None:
    packed = gzip.compress((fixtures / "tsv" / "monthly.tsv").read_bytes() * 20)
    assert "truncated or corrupt" in _error(packed[: len(packed) // 2], "monthly.tsv.gz")


def test_html_error_page(fixtures: Path) -> None:
    page = (fixtures / "tsv" / "error_page.html").read_bytes()
    assert "HTML" in _error(page)
    message = _error(page, direct=True)  # called directly, the reader refuses it by itself
    assert "line 1" in message and "not a Eurostat TSV header" in message


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (b"freq,unit,geo\\TIME\t2019 ", "not a Eurostat TSV header"),
        (b"freq,unit,geo TIME_PERIOD\t2019 ", "not a Eurostat TSV header"),
        (b"freq,unit,citizen\\TIME_PERIOD\t2019 ", "no geo dimension"),
        (b"freq,geo,geo\\TIME_PERIOD\t2019 ", "'geo' appears twice"),
        (b"freq,geo\\TIME_PERIOD\t2019 \t20X9 ", "header cell 3 '20X9 ' is not a period"),
        (b"freq,geo\\TIME_PERIOD\t2024M01 \t2024-01", "duplicate period column"),
        (b"freq,geo\\TIME_PERIOD\t2019 \t2019 ", "duplicate period column"),
    ],
)
def test_wrong_header(header: bytes, problem: str) -> None:
    message = _error(header + b"\nA,AT\t1 \t2 \n", direct=True)
    assert problem in message
    assert "line 1" in message


def test_short_row(fixtures: Path) -> None:
    message = _error((fixtures / "tsv" / "short_row.tsv").read_bytes(), "short_row.tsv")
    assert "short_row.tsv, line 3: row has 2 cells, the header has 3" in message


def test_non_numeric_value(fixtures: Path) -> None:
    message = _error((fixtures / "tsv" / "non_numeric.tsv").read_bytes(), "non_numeric.tsv")
    assert "non_numeric.tsv, line 3: non-numeric value '12a' in column '2024M02 '" in message
    assert "expected a number or ':'" in message


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"A,AT\t1 2 3\t4 \n", "line 2: malformed cell '1 2 3' in column '2019 '"),
        (b"A,AT\t1 \t4 \nA,BE\t1 \t4 p7\n", "line 3: malformed cell '4 p7' in column '2020 '"),
        (b"A,AT\t1 \t4 \nA,BE\t1x p\t4 \n", "line 3: malformed cell '1x p'"),
        (b"A,AT\t1 \t4 \nA,BE\tnan \t4 \n", "line 3: non-numeric value 'nan' in column '2019 '"),
        (b"A,AT\t1 \t4 \nA,BE\t1 \tinf\n", "line 3: non-numeric value 'inf' in column '2020 '"),
        (b"A,AT\t1 \t\n", "line 2: empty cell in column '2020 '"),
        (b"A,AT\t1 \t4 \n\nA,BE\t1 \t4 \n", "line 3: blank line or empty series key"),
        (b"A,AT\t1 \t4 \nA,NR,BE\t1 \t4 \n", "line 3: series key 'A,NR,BE' has 3 codes, the header names 2"),
        (b"A,AT\t1 \t4 \nA,\t1 \t4 \n", "line 3: series key 'A,' has an empty geo code"),
        (b"A,AT\t1 \t4 \nA,BE\t1 \t4 \nA,AT\t5 \t6 \n", "line 4: series key 'A,AT' appears twice"),
        (
            b"A,AT\t1 \t4 \nQ,BE\t1 \t4 \n",
            "line 3: freq is 'Q' but column '2019 ' (2019) has a value or flag",
        ),
    ],
)
def test_bad_cells_name_their_line(body: bytes, problem: str) -> None:
    message = _error(b"freq,geo\\TIME_PERIOD\t2019 \t2020 \n" + body)
    assert problem in message


def test_freq_must_agree_with_the_period_columns() -> None:
    """A file mixing annual and quarterly columns pads the other frequency with `:`: not observations."""
    data = b"freq,geo\\TIME_PERIOD\t2023 \t2023Q1 \t2023Q2 \nA,AT\t100 \t: \t: \nQ,AT\t: \t40 \t: c\n"
    frame = reader.read(data, "mixed.tsv").frame
    assert _observations(frame, "period", "freq") == {
        ("2023", "A"): (100.0, None),
        ("2023-Q1", "Q"): (40.0, None),
        ("2023-Q2", "Q"): (None, "c"),
    }
    assert "line 3: freq is 'Q' but column '2023 ' (2023) has a value or flag" in _error(
        data.replace(b"Q,AT\t: ", b"Q,AT\t7 ")
    )


def test_invalid_utf8_names_its_line() -> None:
    message = _error(b"freq,geo\\TIME_PERIOD\t2019 \nA,AT\t1 \nA,BE\t\xff\xfe \n")
    assert "line 3: line is not UTF-8 text" in message


def test_header_only_is_an_empty_tidy_frame() -> None:
    """The API answers a filter that matches nothing with the header alone: no rows, same columns."""
    frame = reader.read(b"freq,citizen,geo\\TIME_PERIOD\t2019 \t2020 \n", "none.tsv").frame
    assert frame.empty
    assert list(frame.columns) == [*tidy.FIXED_FRONT, "citizen", *tidy.FIXED_BACK]
