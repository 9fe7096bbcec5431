"""IOM readers: Missing Migrants incidents (aggregates, split incidents) and the republished applicants."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.formats import iom, read_bytes
from tests.loaders.helpers import one_row, read_with_rows

MMP_FIXTURE = "iom/missing_migrants_small.csv"
ASY_FIXTURE = "iom/applicants_small.csv"
MMP_REAL = "iom/missing_migrants_2014-2025.csv"
ASY_REAL = "eurostat/legacy-csv/applicants_by_citizenship_2011-2024_iom.csv"
MMP_COLUMNS = ["dataset", "geo", "period", "freq", "period_start", "incident_country", "cause", "measure"]
MMP_COLUMNS += ["value", "flag"]
ASY_COLUMNS = ["dataset", "geo", "period", "freq", "period_start", "citizen", "sex", "value", "flag"]


def _one(frame, **where) -> float:
    return float(one_row(frame, **where)["value"])


def _cell(frame, geo: str, period: str, country: str, cause: str) -> tuple[float, float]:
    """(dead_missing, incidents) of one route/month/country/cause cell."""
    where = {"geo": geo, "period": period, "incident_country": country, "cause": cause}
    return _one(frame, **where, measure="dead_missing"), _one(frame, **where, measure="incidents")


# --- Missing Migrants: fixture ------------------------------------------------------------------


@pytest.fixture
def mmp_bytes(fixtures: Path) -> bytes:
    return (fixtures / MMP_FIXTURE).read_bytes()


def test_mmp_fixture_aggregates(mmp_bytes: bytes) -> None:
    result = iom.read_mmp(mmp_bytes, MMP_FIXTURE)
    frame = result.frame
    assert result.format == "iom_mmp" and result.dataset == "iom_mmp"
    assert list(frame.columns) == MMP_COLUMNS
    assert len(frame) == 6 * 2  # six cells, two measures each
    assert set(frame["freq"]) == {"M"} and frame["flag"].isna().all()
    # Cumulative incident: one record, one incident.
    assert _cell(frame, "undefined", "2014-12", "MM", "mixed_unknown") == (750, 1)
    assert _cell(frame, "central_american", "2016-01", "US", "violence") == (1, 1)
    totals = frame.groupby("measure")["value"].sum()
    assert totals["dead_missing"] == 10 + 4 + 28 + 3 + 13 + 57 + 2 + 750 + 1
    assert totals["incidents"] == 8  # nine lines, one split incident in two of them


def test_mmp_split_incident_parts_add_dead_but_count_once(mmp_bytes: bytes) -> None:
    frame = iom.read_mmp(mmp_bytes, MMP_FIXTURE).frame
    # Lines 2-3 are incidents of their own; lines 4-5 are two parts (28 + 3 dead) of one boat.
    assert _cell(frame, "central_mediterranean", "2016-01", "LY", "drowning") == (10 + 4 + 28 + 3, 3)


def test_mmp_split_parts_in_different_places_are_different_incidents(mmp_bytes: bytes) -> None:
    moved = mmp_bytes.replace(
        b'LBY,3.0,Drowning,,SYR,"Off Zawiya, Libya",12.7,32.8', b"LBY,3.0,Drowning,,SYR,X,12.9,32.8"
    )
    frame = iom.read_mmp(moved, "moved.csv").frame
    assert _cell(frame, "central_mediterranean", "2016-01", "LY", "drowning") == (45, 4)


def test_mmp_causes_routes_and_countries(mmp_bytes: bytes) -> None:
    frame = iom.read_mmp(mmp_bytes, MMP_FIXTURE).frame
    assert _cell(frame, "eastern_mediterranean", "2016-02", "EL", "drowning+mixed_unknown") == (13, 1)
    # The harsh-conditions label has commas of its own; "Incident,Split Incident" is one type.
    assert _cell(frame, "western_african", "2016-02", "EH", "drowning+harsh_conditions") == (57, 1)
    # Empty incident country -> UNK; the location of that line spans two lines of the file.
    assert _cell(frame, "western_mediterranean", "2016-03", "UNK", "harsh_conditions") == (2, 1)
    mediterranean = frame[frame["geo"].isin(iom.MEDITERRANEAN) & (frame["measure"] == "dead_missing")]
    assert mediterranean["value"].sum() == 45 + 13 + 2


def test_mmp_dispatch_by_content(mmp_bytes: bytes) -> None:
    assert read_bytes(mmp_bytes, MMP_FIXTURE).format == "iom_mmp"
    assert not iom.sniff_mmp(b"t,m,type,route,geo,dead,cause,surv,nat,location,lon\n")
    assert not iom.sniff_mmp(b"geo,t,nat,sex,n\n")


MMP_GOOD = (
    b"t,m,type,route,geo,dead,cause,surv,nat,location,lon,lat\n"
    b"2016-01-10,2016-01-01,Incident,Central Mediterranean Route,LBY,10.0,Drowning,5.0,ERI,"
    b'"Off\nZuwara",12,33\n'
)
MMP_LINE = (
    b"2016-01-12,2016-01-01,Incident,Central Mediterranean Route,LBY,4.0,Drowning,,UNK,Off Sabratha,12,32\n"
)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"Central Mediterranean Route", b"Mediterranean", "unknown route label 'Mediterranean'"),
        (b",Drowning,", b",Drowned,", "unknown cause of death 'Drowned'"),
        (b",Drowning,", b",,", "unknown cause of death ''"),
        (b",Drowning,", b',"Drowning,",', "unknown cause of death 'Drowning,'"),
        (b",Incident,", b",Event,", "unknown incident type 'Event'"),
        (b",LBY,", b",XYZ,", "unknown incident country code 'XYZ'"),
        (b",4.0,", b",four,", "non-numeric value 'four'"),
        (b",4.0,", b",,", "dead and missing ''"),
        (b",4.0,", b",-4,", "dead and missing '-4'"),
        (
            b"2016-01-12,2016-01-01",
            b"2016-02-12,2016-01-01",
            "incident date 2016-02-12 is not in month 2016-01-01",
        ),
        (b"2016-01-12,2016-01-01", b"2016-01-12,2016-01-12", "bad m '2016-01-12'"),
        (b"2016-01-12,2016-01-01", b"12/01/2016,2016-01-01", "bad t '12/01/2016'"),
    ],
)
def test_mmp_bad_line_named(old: bytes, new: bytes, message: str) -> None:
    bad = MMP_LINE.replace(old, new, 1)
    assert bad != MMP_LINE
    with pytest.raises(LoaderError) as err:
        iom.read_mmp(MMP_GOOD + bad, "bad.csv")
    assert message in str(err.value)
    assert err.value.line == 4  # the first record spans lines 2-3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"<!DOCTYPE html>\n<html><body>Maintenance</body></html>", "unexpected header"),
        (MMP_GOOD.replace(b"surv,", b"survivors,"), "unexpected header"),
    ],
)
def test_mmp_bad_file(data: bytes, message: str) -> None:
    with pytest.raises(LoaderError, match=message):
        iom.read_mmp(data, "bad.csv")


# --- Missing Migrants: the real file ------------------------------------------------------------


@pytest.fixture(scope="module")
def mmp_real(shared_data: Path):
    path = shared_data / MMP_REAL
    records = []  # (first line, row)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        start = 2
        for row in reader:
            records.append((start, row))
            start = reader.line_num + 1
    return iom.read_mmp(path.read_bytes(), str(path)).frame, records


def test_mmp_real_totals(mmp_real) -> None:
    frame, records = mmp_real
    assert len(records) == 19669
    totals = frame.groupby("measure")["value"].sum()
    assert totals["dead_missing"] == sum(float(r["dead"]) for _, r in records)
    # Incidents: every record, except that split records at the same date, route, country and
    # coordinates are one incident (computed here without pandas).
    split_keys = Counter(
        (r["t"], r["route"], r["geo"], r["lon"], r["lat"])
        for _, r in records
        if "Split Incident" in r["type"]
    )
    extra_parts = sum(n - 1 for n in split_keys.values())
    assert extra_parts == 2  # 2022-01-28 off Libya, 2014-10-27 in the Aegean
    assert totals["incidents"] == len(records) - extra_parts


def test_mmp_real_mediterranean_2016(mmp_real) -> None:
    frame, records = mmp_real
    labels = {iom.IOM_ROUTES[r] for r in iom.MEDITERRANEAN}
    expected = sum(
        float(r["dead"]) for _, r in records if r["route"] in labels and r["m"].startswith("2016-")
    )
    assert expected == 5097
    got = frame[
        frame["geo"].isin(iom.MEDITERRANEAN)
        & frame["period"].str.startswith("2016-")
        & (frame["measure"] == "dead_missing")
    ]
    assert got["value"].sum() == expected


def test_mmp_real_cells_equal_their_lines(mmp_real) -> None:
    frame, records = mmp_real
    by_line = dict(records)
    # Line 255: cumulative incident, 750 dead and missing who left Myanmar by sea in 2014.
    row = by_line[255]
    assert (row["type"], row["route"], row["geo"], row["dead"]) == (
        "Cumulative Incident",
        "Undefined",
        "MMR",
        "750.0",
    )
    assert _cell(frame, "undefined", "2014-12", "MM", "mixed_unknown") == (750, 1)
    # Line 11558: an "Incident,Split Incident" off Morocco, the only record of its cell.
    row = by_line[11558]
    assert (row["type"], row["route"], row["dead"]) == (
        "Incident,Split Incident",
        "Western African Atlantic Route",
        "7.0",
    )
    assert _cell(frame, "western_african", "2022-04", "MA", "drowning") == (7, 1)
    # Lines 11282-11283: one boat off Libya, 28 BGD + 3 SYR dead, in a cell of 12 records.
    parts = [by_line[11282], by_line[11283]]
    assert [(p["type"], p["nat"], p["dead"]) for p in parts] == [
        ("Split Incident", "BGD", "28.0"),
        ("Split Incident", "SYR", "3.0"),
    ]
    key = ("Central Mediterranean Route", "2022-01-01", "LBY", "Drowning")
    cell = [r for _, r in records if (r["route"], r["m"], r["geo"], r["cause"]) == key]
    assert len(cell) == 12
    assert _cell(frame, "central_mediterranean", "2022-01", "LY", "drowning") == (
        sum(float(r["dead"]) for r in cell),
        11,
    )


def test_mmp_real_every_label_mapped(mmp_real) -> None:
    frame, records = mmp_real
    assert {r["route"] for _, r in records} == set(iom.IOM_ROUTES.values())
    assert set(frame["geo"]) == set(iom.IOM_ROUTES)
    assert {r["type"] for _, r in records} == set(iom.INCIDENT_TYPES)
    slugs = set(iom.CAUSES.values())
    assert all(set(c.split("+")) <= slugs for c in frame["cause"].unique())
    assert set(iom.CAUSES.values()) <= set(frame["cause"])
    assert all(len(c) == 2 for c in frame["incident_country"].unique())  # no empty country in this file
    assert {"EL", "UK"} <= set(frame["incident_country"])


# --- applicants republished by IOM: fixture -----------------------------------------------------


def test_asylum_fixture(fixtures: Path) -> None:
    data = (fixtures / ASY_FIXTURE).read_bytes()  # CRLF line endings
    result = iom.read_asylum(data, ASY_FIXTURE)
    frame = result.frame
    assert result.format == "iom_asylum_applicants" and result.dataset == "migr_asyappctza_iom"
    assert list(frame.columns) == ASY_COLUMNS
    assert len(frame) == 9
    assert set(frame["freq"]) == {"A"} and frame["flag"].isna().all()
    assert _one(frame, geo="EU27_2020", citizen="SY", sex="M") == 100000
    assert _one(frame, geo="DE", citizen="SY", sex="F") == 25000
    assert _one(frame, geo="DE", citizen="UNK", sex="UNK") == 5  # OOO, unknown sex
    assert _one(frame, geo="DE", citizen="STLS") == 300  # STL
    assert _one(frame, geo="EL", citizen="AF") == 2000  # GRC -> EL
    assert _one(frame, geo="UK", period="2019") == 1100  # GBR -> UK
    assert _one(frame, geo="NO", citizen="NA") == 5  # NAM is Namibia
    assert read_bytes(data, ASY_FIXTURE).format == "iom_asylum_applicants"


ASY_GOOD = b"geo,t,nat,sex,n\nDEU,2024,SYR,male,50000\n"


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "file is empty", None),
        (b"<html><body>403 Forbidden</body></html>", "unexpected header", 1),
        (b"geo,time,nat,sex,n\nDEU,2024,SYR,male,5\n", "unexpected header", 1),
        (ASY_GOOD + b"DEU,2024,SYR,female,5 000\n", "non-numeric value '5 000'", 3),
        (ASY_GOOD + b"DEU,2024,SYR,female,\n", "empty count", 3),
        (ASY_GOOD + b"DEU,2024,SYR,diverse,5\n", "unknown sex 'diverse'", 3),
        (ASY_GOOD + b"DEU,2024,XYZ,female,5\n", "unknown citizenship code 'XYZ'", 3),
        (ASY_GOOD + b"EU28,2019,SYR,female,5\n", "unknown country code 'EU28'", 3),
        (ASY_GOOD + b"DEU,2024M01,SYR,female,5\n", "bad year '2024M01'", 3),
        (
            ASY_GOOD + b"DEU,2024,SYR,male,50000\n",
            "duplicate observation geo=DEU, t=2024, nat=SYR, sex=male",
            3,
        ),
    ],
)
def test_asylum_bad_input(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(LoaderError) as err:
        iom.read_asylum(data, "bad.csv")
    assert message in str(err.value)
    assert err.value.line == line


def test_asylum_sniff_is_exact() -> None:
    assert iom.sniff_asylum(b"\xef\xbb\xbfgeo,t,nat,sex,n\r\nDEU,2024,SYR,male,1\r\n")
    assert not iom.sniff_asylum(b"geo,t,nat,sex,n,flag\n")
    assert not iom.sniff_asylum(b"route,type,nat,t,n\n")


# --- applicants republished by IOM: the real file -----------------------------------------------


@pytest.fixture(scope="module")
def asy_real(shared_data: Path):
    return read_with_rows(shared_data / ASY_REAL, iom.read_asylum)


def test_asylum_real_rows_and_totals(asy_real) -> None:
    frame, rows, _ = asy_real
    assert len(frame) == len(rows) == 43896
    expected: Counter = Counter()
    codes = {"EU27": "EU27_2020", "GBR": "UK", "GRC": "EL", "DEU": "DE"}
    for r in rows:
        expected[(r["geo"], r["t"])] += int(r["n"])
    got = frame.groupby(["geo", "period"])["value"].sum()
    for (geo, year), total in expected.items():
        if geo in codes:
            assert got[(codes[geo], year)] == total


def test_asylum_real_germany_2024(asy_real) -> None:
    frame, rows, _ = asy_real
    expected = sum(int(r["n"]) for r in rows if r["geo"] == "DEU" and r["t"] == "2024")
    assert expected == 250570  # data README: ASY_APP 250,615 in migr_asyappctza, rounding to 5 apart
    assert frame[(frame["geo"] == "DE") & (frame["period"] == "2024")]["value"].sum() == expected


@pytest.mark.parametrize(
    ("line", "text", "where", "value"),
    [
        (2, "AUT,2011,AFG,female,835", {"geo": "AT", "period": "2011", "citizen": "AF", "sex": "F"}, 835),
        (26679, "GRC,2024,SYR,female,5770",
         {"geo": "EL", "period": "2024", "citizen": "SY", "sex": "F"}, 5770),
        (24917, "GBR,2019,IRN,male,4360", {"geo": "UK", "period": "2019", "citizen": "IR", "sex": "M"}, 4360),
        (11636, "DEU,2024,OOO,unknown,5", {"geo": "DE", "period": "2024", "citizen": "UNK", "sex": "UNK"}, 5),
        (18823, "EU27,2024,STL,female,1380",
         {"geo": "EU27_2020", "period": "2024", "citizen": "STLS", "sex": "F"}, 1380),
    ],
)  # fmt: skip
def test_asylum_real_values_equal_their_lines(
    asy_real, line: int, text: str, where: dict, value: int
) -> None:
    frame, _, lines = asy_real
    assert lines[line - 1] == text
    assert _one(frame, **where) == value


def test_asylum_real_codes_harmonised(asy_real) -> None:
    frame, _, _ = asy_real
    geos = set(frame["geo"])
    assert {"EU27_2020", "UK", "EL", "CH", "IS", "LI", "ME", "NO"} <= geos
    assert not geos & {"EU27", "GBR", "GRC", "GR", "GB"}
    assert len(geos) == 34
    assert set(frame["sex"]) == {"F", "M", "UNK"}
    leftover = {c for c in frame["citizen"].unique() if len(c) != 2}
    assert leftover == {"UNK", "STLS"}


# --- Missing Migrants: IOM's own download layout --------------------------------------------------

DOWNLOAD_FIXTURE = "iom/download_small.csv"
DOWNLOAD_REAL = "iom/MissingMigrants-Global-2026-05-06.csv"


@pytest.fixture
def download_text(fixtures: Path) -> str:
    return (fixtures / DOWNLOAD_FIXTURE).read_text(encoding="utf-8")


def _read_download(text: str):
    return read_bytes(text.encode("utf-8"), DOWNLOAD_FIXTURE)


def test_download_fixture_is_detected_and_aggregated(download_text: str) -> None:
    result = _read_download(download_text)
    frame = result.frame
    assert result.format == "iom_mmp_download" and result.dataset == "iom_mmp"
    assert list(frame.columns) == MMP_COLUMNS
    assert set(frame["incident_country"]) == {"UNK"}  # this layout has no incident-country code
    # Lines 3-4: one Main ID in two parts (25 + 16 dead): dead added, one incident.
    assert _cell(frame, "western_african", "2026-01", "UNK", "drowning") == (41, 1)
    # Line 5: no number dead, 12 missing.
    assert _cell(frame, "central_mediterranean", "2026-02", "UNK", "drowning") == (12, 1)
    # Line 6: IOM's correction, 17 dead and -5 missing, counts 12 as in IOM's own total.
    assert _cell(frame, "eastern_mediterranean", "2026-04", "UNK", "drowning") == (12, 1)
    # Line 7: no route given -> undefined, as in the derived file.
    assert _cell(frame, "undefined", "2026-04", "UNK", "vehicle_hazardous_transport") == (2, 1)


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ('"Thu, 01/01/2026', '"Thu, 02/01/2026', "incident date 'Thu, 02/01/2026", 2),  # weekday says Jan 1
        ('"Wed, 01/07/2026 - 12:00",2026,January,25', '"Wed, 01/07/2026 - 12:00",2025,January,25', "Year", 3),
        ("Central Mediterranean", "Central Mediterranean Sea", "unknown migration route", 5),
        ("February,,12,", "February,,,", "neither a number dead nor a number missing", 5),
        ("April,17,-5,", "April,-17,5,", "negative number dead", 6),
        ("April,17,-5,", "April,1,-5,", "dead and missing add up to -4", 6),
        ("Drowning,Sudan", "Drowned,Sudan", "unknown cause of death 'Drowned'", 6),
    ],
)
def test_download_refuses_bad_records(
    download_text: str, old: str, new: str, message: str, line: int
) -> None:
    assert old in download_text
    with pytest.raises(LoaderError) as err:
        _read_download(download_text.replace(old, new, 1))
    assert message in str(err.value) and err.value.line == line, str(err.value)


def test_download_real_file_totals_match_the_file(shared_data: Path) -> None:
    path = shared_data / DOWNLOAD_REAL
    frame, rows, _ = read_with_rows(path, iom.read_mmp_download)
    dead = sum(
        float(r["Number Dead"] or 0) + float(r["Minimum Estimated Number of Missing"] or 0) for r in rows
    )
    measures = frame.groupby("measure")["value"].sum()
    assert measures["dead_missing"] == dead
    # An incident is one Main ID, counted once in each month it has parts in (2026.MMP0215: March, April).
    cells = {(r["Main ID"], r["Incident Date"][5:7], r["Migration route"], r["Cause of Death"]) for r in rows}
    assert len({r["Main ID"] for r in rows}) == 211 and len(cells) == 212
    assert measures["incidents"] == len(cells)
    months = Counter(r["Incident Date"][5:7] for r in rows)
    assert sorted(frame["period"].unique()) == [f"2026-{m}" for m in sorted(months)]
    # Line 197: 17 dead, -5 missing, Eastern Mediterranean, April 2026.
    line_197 = rows[195]
    assert line_197["Main ID"] == "2026.MMP0190" and line_197["Minimum Estimated Number of Missing"] == "-5"
    east = frame[(frame.geo == "eastern_mediterranean") & (frame.period == "2026-04")]
    east_rows = [
        r for r in rows if r["Migration route"] == "Eastern Mediterranean" and r["Incident Date"][5:7] == "04"
    ]
    expected = sum(
        float(r["Number Dead"] or 0) + float(r["Minimum Estimated Number of Missing"] or 0) for r in east_rows
    )
    assert east[east.measure == "dead_missing"]["value"].sum() == expected
