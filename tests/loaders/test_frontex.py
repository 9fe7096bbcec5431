"""Frontex IBC reader: the hand-written fixture, bad input, and the real file checked against itself."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.formats import frontex, read_bytes
from tests.loaders.helpers import one_row, read_with_rows

FIXTURE = "frontex/ibc_small.csv"
REAL = "frontex/ibc_monthly_2009-2025.csv"
COLUMNS = ["dataset", "geo", "period", "freq", "period_start", "border_type", "citizen", "value", "flag"]


def _fixture_bytes(fixtures: Path) -> bytes:
    return (fixtures / FIXTURE).read_bytes()


def _one(frame, **where) -> float:
    return float(one_row(frame, **where)["value"])


# --- fixture ------------------------------------------------------------------------------------


def test_fixture_reads_to_tidy_rows(fixtures: Path) -> None:
    result = frontex.read(_fixture_bytes(fixtures), FIXTURE)
    frame = result.frame
    assert result.format == "frontex_ibc" and result.dataset == "frontex_ibc"
    assert result.kind == "observations"
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 11
    assert set(frame["dataset"]) == {"frontex_ibc"}
    assert set(frame["freq"]) == {"M"}
    assert frame["flag"].isna().all()
    assert set(frame["border_type"]) == {"land", "sea"}
    assert _one(frame, geo="central_mediterranean", period="2023-02", citizen="TN") == 800
    assert _one(frame, geo="eastern_mediterranean", period="2023-01", border_type="land", citizen="SY") == 40
    assert _one(frame, geo="eastern_mediterranean", period="2023-01", border_type="sea", citizen="SY") == 310
    assert _one(frame, geo="circular_albania_greece", citizen="AL") == 60
    assert str(frame.loc[frame["geo"] == "other", "period_start"].iloc[0]) == "2023-06-01"


def test_fixture_special_and_renamed_codes(fixtures: Path) -> None:
    frame = frontex.read(_fixture_bytes(fixtures), FIXTURE).frame
    assert _one(frame, geo="western_balkan", citizen="UNK") == 204000  # OOO: not specified
    assert _one(frame, geo="eastern_mediterranean", citizen="STLS") == 3  # STL: stateless
    assert _one(frame, geo="central_mediterranean", citizen="AFR_NSP") == 15  # OOS: sub-Saharan n.s.
    assert _one(frame, citizen="NA") == 2  # NAM is Namibia, not a missing value
    assert _one(frame, geo="other", citizen="UK") == 1  # GBR -> UK
    assert _one(frame, geo="western_balkan", citizen="XK") == 10000  # XKX -> XK


def test_dispatch_by_content_crlf_and_bom(fixtures: Path) -> None:
    data = _fixture_bytes(fixtures)
    assert read_bytes(data, FIXTURE).format == "frontex_ibc"
    variant = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    assert frontex.sniff(variant[:200])
    assert frontex.read(variant, "crlf.csv").frame.equals(frontex.read(data, FIXTURE).frame)


@pytest.mark.parametrize(
    "head",
    [
        b"route,type,nat,t,n,extra\n",
        b"route,type,nat,t\n",
        b"geo,t,nat,sex,n\n",
        b'{"type": "x"}',
        b"\x00\x01PK",
    ],
)
def test_sniff_refuses_other_headers(head: bytes) -> None:
    assert not frontex.sniff(head)


def test_route_labels_are_explicit_slugs() -> None:
    labels = frontex.route_labels()
    assert labels == frontex.ROUTES and labels is not frontex.ROUTES
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", rid) for rid in labels)
    assert len(set(labels.values())) == len(labels)


# --- bad input ----------------------------------------------------------------------------------

GOOD = b"route,type,nat,t,n\nCentral Mediterranean Route,Sea,TUN,2023-01-01,1200\n"


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "file is empty", None),
        (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "unexpected header", 1),
        (b"route,type,nationality,t,n\nOther,Sea,GBR,2023-06-01,1\n", "unexpected header", 1),
        (b"route,type,nat,t,n\n", "no data lines", None),
        (GOOD + b"Other,Sea,GBR,2023-06-01,1O\n", "non-numeric value '1O'", 3),
        (GOOD + b"Central Med Route,Sea,GBR,2023-06-01,1\n", "unknown route label 'Central Med Route'", 3),
        (GOOD + b"Other,Air,GBR,2023-06-01,1\n", "unknown border type 'Air'", 3),
        (GOOD + b"Other,Sea,XYZ,2023-06-01,1\n", "unknown nationality code 'XYZ'", 3),
        (GOOD + b"Other,Sea,gbr,2023-06-01,1\n", "unknown nationality code 'gbr'", 3),
        (GOOD + b"Other,Sea,,2023-06-01,1\n", "unknown nationality code ''", 3),
        (GOOD + b"Other,Sea,GBR,2023-06-15,1\n", "bad month '2023-06-15'", 3),
        (GOOD + b"Other,Sea,GBR,2023-06-01,\n", "empty count", 3),
        (GOOD + b"Other,Sea,GBR\n", "bad month ''", 3),  # a truncated line
        (GOOD + b"Other,Sea,GBR,2023-06-01,1,7\n", "malformed CSV", 3),
        (GOOD + b"\n" + GOOD.split(b"\n")[1] + b"\n", "duplicate observation", 4),  # blank line 3
    ],
)
def test_bad_input_is_a_clear_error(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(LoaderError) as err:
        frontex.read(data, "bad.csv")
    assert message in str(err.value)
    assert "bad.csv" in str(err.value)
    assert err.value.line == line


def test_duplicate_names_both_lines() -> None:
    data = GOOD + b"Other,Sea,GBR,2023-06-01,1\n" + GOOD.split(b"\n")[1] + b"\n"
    with pytest.raises(LoaderError, match=r"line 4: duplicate observation .*nat=TUN.*first on line 2"):
        frontex.read(data, "dup.csv")


@pytest.mark.parametrize(
    ("data", "message"), [(b"", "file is empty"), (b"<html><body>502 Bad Gateway</body></html>", "HTML")]
)
def test_bad_input_through_dispatch(data: bytes, message: str) -> None:
    with pytest.raises(LoaderError, match=message):
        read_bytes(data, "download")


# --- the real file ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data: Path):
    return read_with_rows(shared_data / REAL, frontex.read)


def test_real_rows_and_totals_match_the_file(real) -> None:
    frame, rows, _ = real
    assert len(frame) == len(rows) == 34273
    assert frame["value"].sum() == sum(int(r["n"]) for r in rows)
    assert frame["value"].notna().all()
    assert frame["period"].min() == "2009-01" and frame["period"].max() == "2025-04"


def test_real_central_mediterranean_2023(real) -> None:
    frame, rows, _ = real
    expected = sum(
        int(r["n"])
        for r in rows
        if r["route"] == "Central Mediterranean Route" and r["t"].startswith("2023-")
    )
    assert expected == 158026
    got = frame[(frame["geo"] == "central_mediterranean") & frame["period"].str.startswith("2023-")]
    assert got["value"].sum() == expected


def test_real_totals_by_route_and_year(real) -> None:
    frame, rows, _ = real
    expected: Counter = Counter()
    labels = {label: rid for rid, label in frontex.ROUTES.items()}
    for r in rows:
        expected[(labels[r["route"]], r["t"][:4])] += int(r["n"])
    got = frame.groupby([frame["geo"], frame["period"].str[:4]])["value"].sum()
    assert {k: int(v) for k, v in got.items()} == dict(expected)


@pytest.mark.parametrize(
    ("line", "text", "where", "value"),
    [
        (2, "Central Mediterranean Route,Sea,BGD,2009-01-01,41",
         {"geo": "central_mediterranean", "border_type": "sea", "citizen": "BD", "period": "2009-01"}, 41),
        (26311, "Western Balkan Route,Land,OOO,2015-10-01,204286",
         {"geo": "western_balkan", "border_type": "land", "citizen": "UNK", "period": "2015-10"}, 204286),
        (27731, "Western African Route,Sea,OOS,2020-11-01,2949",
         {"geo": "western_african", "border_type": "sea", "citizen": "AFR_NSP", "period": "2020-11"}, 2949),
        (11905, "Eastern Mediterranean Route,Sea,STL,2024-03-01,29",
         {"geo": "eastern_mediterranean", "border_type": "sea", "citizen": "STLS", "period": "2024-03"}, 29),
        (6024, "Central Mediterranean Route,Sea,NAM,2017-11-01,5",
         {"geo": "central_mediterranean", "border_type": "sea", "citizen": "NA", "period": "2017-11"}, 5),
        (23849, "Western Balkan Route,Land,XKX,2015-01-01,10371",
         {"geo": "western_balkan", "border_type": "land", "citizen": "XK", "period": "2015-01"}, 10371),
        (34273, "Other,Sea,GBR,2023-06-01,1",
         {"geo": "other", "border_type": "sea", "citizen": "UK", "period": "2023-06"}, 1),
    ],
)  # fmt: skip
def test_real_values_equal_their_lines(real, line: int, text: str, where: dict, value: int) -> None:
    frame, _, lines = real
    assert lines[line - 1] == text
    assert _one(frame, **where) == value


def test_real_every_route_and_code_mapped(real) -> None:
    frame, rows, _ = real
    assert {r["route"] for r in rows} == set(frontex.ROUTES.values())
    assert set(frame["geo"]) == set(frontex.ROUTES)
    assert {r["type"] for r in rows} == set(frontex.BORDER_TYPES)
    specials = set(frontex.NATIONALITY_CODES.values())
    leftover = {c for c in frame["citizen"].unique() if len(c) != 2 and c not in specials}
    assert leftover == set()
    assert {"UK", "XK"} <= set(frame["citizen"]) and "GB" not in set(frame["citizen"])
    for code, eurostat in frontex.NATIONALITY_CODES.items():
        raw_total = sum(int(r["n"]) for r in rows if r["nat"] == code)
        assert raw_total > 0
        assert frame.loc[frame["citizen"] == eurostat, "value"].sum() == raw_total
