"""Eurostat spreadsheet exports: Data Browser XLSX and legacy Data Explorer XLS.

The XLSX of migr_dubri must read to exactly the rows of the API's TSV of the same extraction. Small
XLSX workbooks in the Data Browser layout are built here with openpyxl (xlrd cannot write XLS, so the
XLS reader is tested on the real files, and on cut and forged bytes for the errors).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlrd

from loaders.errors import LoaderError
from loaders.formats import read_bytes, read_path, spreadsheet
from tests.loaders.helpers import one_row

BREAKDOWNS = ["unit", "request", "leg_prov", "partner"]


_one = one_row


# --- a Data Browser workbook, built here --------------------------------------------------------

FIXED = [
    ("Time frequency", "Annual"),
    ("Unit of measure", "Number"),
    ("Requests", "Requests"),
    ("Legal provision", "Total"),
    ("Geopolitical entity (partner)", "Total"),
]
PERIODS = ["2018", "2019"]
ROWS = [
    ("European Union - 28 countries (2013-2020)", [(144550, ""), (135176, "p")]),
    ("Malta", [(721, ""), (":", "c")]),
    ("Luxembourg", [(0, "e"), (487, "")]),
    ("Total", [(152710, ""), (141344, "b")]),
]


def _workbook(
    fixed=FIXED, periods=PERIODS, rows=ROWS, title="Incoming 'Dublin' requests [MIGR_DUBRI]"
) -> bytes:
    """A small workbook in the Data Browser layout: Summary sheet, then the data sheet."""
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append([title])
    summary.append(["Last update of data: ", None, None, "17/09/2020 11:00"])
    sheet = book.create_sheet("Sheet 1")
    sheet.append(["Data extracted on 20/10/2020 07:09:23 from [ESTAT]"])
    sheet.append(["Dataset: ", title])
    sheet.append(["Last updated: ", "17/09/2020 11:00"])
    sheet.append([])
    for name, label in fixed:
        sheet.append([name, None, label])
    sheet.append([])
    time_row: list = ["TIME"]
    for period in periods:
        time_row += [period, None]
    sheet.append(time_row)
    sheet.append(["GEO (Labels)"] + [""] * (2 * len(periods)))
    for label, cells in rows:
        row: list = [label]
        for value, flag in cells:
            row += [value, flag]
        sheet.append(row)
    sheet.append([])
    sheet.append(["Special value"])
    sheet.append([":", "not available"])
    sheet.append(["Available flags:"])
    sheet.append(["p", "provisional"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_built_xlsx_reads_codes_values_and_flags() -> None:
    result = read_bytes(_workbook(), "built.xlsx")
    frame = result.frame
    assert result.format == "eurostat_xlsx"
    assert (result.dataset, result.last_update) == ("migr_dubri", "2020-09-17T11:00:00")
    assert result.extra["extracted"] == "2020-10-20T07:09:23"
    assert result.extra["special_values"] == {":": "not available", "p": "provisional"}
    assert list(frame.columns) == [
        "dataset",
        "geo",
        "period",
        "freq",
        "period_start",
        *BREAKDOWNS,
        "value",
        "flag",
    ]
    assert list(frame["geo"]) == ["EU28", "EU28", "MT", "MT", "LU", "LU", "TOTAL", "TOTAL"]
    assert list(frame["period"]) == PERIODS * 4
    assert set(frame["freq"]) == {"A"}
    assert (frame[BREAKDOWNS] == ["NR", "REQ", "TOTAL", "TOTAL"]).all().all()
    assert list(frame["value"].fillna(-1)) == [144550, 135176, 721, -1, 0, 487, 152710, 141344]
    assert list(frame["flag"].fillna("-")) == ["-", "p", "-", "c", "e", "-", "-", "b"]


def test_two_data_sheets_are_stacked() -> None:
    data = _workbook()
    book = openpyxl.load_workbook(io.BytesIO(data))
    copy = book.copy_worksheet(book["Sheet 1"])
    copy.title = "Sheet 2"
    copy["C8"] = "Article 17(2)"  # legal provision of the second sheet: not in our labels
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(LoaderError, match=r"sheet 'Sheet 2', line 8: label 'Article 17\(2\)'"):
        spreadsheet.read_xlsx(out.getvalue(), "two.xlsx")
    copy["C8"] = "Total requests"  # the same code as "Total" in the first sheet: the same observations
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(LoaderError, match="two sheets hold the same observations"):
        spreadsheet.read_xlsx(out.getvalue(), "two.xlsx")
    copy["A13"] = "Bulgaria"  # a different country row, so the two sheets do not overlap
    copy["A14"] = "Romania"
    copy["A15"] = "Croatia"
    copy["A16"] = "Cyprus"
    out = io.BytesIO()
    book.save(out)
    frame = spreadsheet.read_xlsx(out.getvalue(), "two.xlsx").frame
    assert len(frame) == 16 and (frame["geo"] == "BG").sum() == 2 and (frame["geo"] == "MT").sum() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"rows": [("Atlantis", [(1, ""), (2, "")])]},
            "line 13: label 'Atlantis' of dimension 'geo' maps to no",
        ),
        (
            {"rows": [("Malta", [(1, ""), ("12 e", "")])]},
            "line 13: non-numeric value '12 e' (GEO 'Malta', 2019)",
        ),
        (
            {"fixed": [*FIXED[:3], ("Legal provision", "Article 99")]},
            "line 8: label 'Article 99' of dimension 'Legal provision' (leg_prov) maps to no Eurostat code "
            "(expected a label of loaders/reference/dimension_labels.tsv: add it there or fetch Eurostat's "
            "code list ESTAT/LEG_PROV)",
        ),
        ({"fixed": [("Time frequency", "Monthly")]}, "period '2018' does not match the declared frequency M"),
        ({"periods": ["2018", "last year"]}, "unknown period 'last year'"),
        ({"title": "Incoming 'Dublin' requests"}, "no [dataset code] in the title"),
        (
            {"rows": [*ROWS, ("Malta", [(1, ""), (2, "")])]},
            "two rows map to geo=MT",
        ),
    ],
)
def test_bad_xlsx_content(kwargs: dict, message: str) -> None:
    with pytest.raises(LoaderError) as info:
        spreadsheet.read_xlsx(_workbook(**kwargs), "bad.xlsx")
    assert "bad.xlsx, sheet 'Sheet 1'" in str(info.value)
    assert message in str(info.value)


def test_workbook_without_data_sheet() -> None:
    book = openpyxl.Workbook()
    book.active.append(["Structure"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(LoaderError, match="no data sheet in the workbook"):
        read_bytes(out.getvalue(), "notes.xlsx")


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1])
def test_truncated_xlsx(keep: float) -> None:
    data = _workbook()
    cut = data[: int(len(data) * keep)]
    assert spreadsheet.sniff_xlsx(cut)  # still looks like a workbook from its first bytes ...
    with pytest.raises(LoaderError, match=r"cut\.xlsx: spreadsheet is truncated or corrupt"):
        read_bytes(cut, "cut.xlsx")  # ... but cannot be read


def test_forged_ole2_and_empty_and_html() -> None:
    with pytest.raises(LoaderError, match=r"old\.xls: spreadsheet is truncated or corrupt"):
        read_bytes(spreadsheet.XLS_MAGIC + b"\0" * 600, "old.xls")
    with pytest.raises(LoaderError, match="file is empty"):
        read_bytes(b"", "empty.xlsx")
    with pytest.raises(LoaderError, match="HTML"):
        read_bytes(b"<html><head><title>403 Forbidden</title></head></html>", "export.xls")


def test_sniffers_claim_only_workbooks() -> None:
    assert spreadsheet.sniff_xlsx(_workbook()[:4096])
    assert not spreadsheet.sniff_xls(_workbook()[:4096])
    # a zip that is not a workbook (e.g. a .docx has word/, not xl/)
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    assert not spreadsheet.sniff_xlsx(out.getvalue())
    for text in (b'"TIME","GEO","Value"\n', b"\x1f\x8b\x08\x00", b"PK"):
        assert not spreadsheet.sniff_xlsx(text) and not spreadsheet.sniff_xls(text)


# --- every Data Browser layout and dimension name (tests/fixtures/xlsx, make_fixtures.py) ----------

ASYLUM = ["geo", "period", "citizen", "unit", "sex", "age", "asyl_app"]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows and breakdown columns in one order, so layouts can be compared."""
    return frame[sorted(frame.columns)].sort_values(ASYLUM).reset_index(drop=True)


def test_fixture_time_across(fixtures: Path) -> None:
    result = read_path(fixtures / "xlsx" / "time_across.xlsx")
    frame = result.frame
    assert (result.dataset, result.last_update) == ("migr_asyappctza", "2021-02-26T23:00:00")
    assert result.extra["special_values"] == {":": "not available", "e": "estimated", "p": "provisional"}
    assert (
        (frame[["citizen", "unit", "sex", "age", "asyl_app"]] == ["SY", "PER", "T", "TOTAL", "ASY_APP"])
        .all()
        .all()
    )
    assert list(frame["geo"]) == ["EU27_2020", "EU27_2020", "DE", "DE", "MT", "MT"]
    assert _one(frame, geo="EU27_2020", period="2019")[["value", "flag"]].tolist() == [80_000, "e"]
    assert pd.isna(_one(frame, geo="MT", period="2019")["value"])


@pytest.mark.parametrize("name", ["time_down.xlsx", "long_table.xlsx"])
def test_fixture_layouts_read_like_time_across(fixtures: Path, name: str) -> None:
    across = read_path(fixtures / "xlsx" / "time_across.xlsx")
    other = read_path(fixtures / "xlsx" / name)
    assert (other.format, other.dataset, other.last_update) == (
        across.format,
        across.dataset,
        across.last_update,
    )
    pd.testing.assert_frame_equal(_sorted(other.frame), _sorted(across.frame))


def test_fixture_time_down_reads_periods_down_the_rows(fixtures: Path) -> None:
    frame = read_path(fixtures / "xlsx" / "time_down.xlsx").frame
    assert list(frame["period"]) == ["2019"] * 3 + ["2020"] * 3  # row by row: one period per row
    assert _one(frame, geo="MT", period="2020")[["value", "flag"]].tolist() == [15, "p"]


def test_fixture_no_time_axis_time_held_fixed(fixtures: Path) -> None:
    frame = read_path(fixtures / "xlsx" / "citizen_across.xlsx").frame
    assert set(frame["period"]) == {"2020"} and set(frame["freq"]) == {"A"}
    assert list(zip(frame["geo"], frame["citizen"], strict=True)) == [
        ("DE", "SY"),
        ("DE", "EXT_EU27_2020"),
        ("MT", "SY"),
        ("MT", "EXT_EU27_2020"),
    ]
    assert _one(frame, geo="DE", citizen="EXT_EU27_2020")["value"] == 102_525


def test_fixture_decision_dimension_names(fixtures: Path) -> None:
    result = read_path(fixtures / "xlsx" / "decisions.xlsx")
    row = _one(result.frame, geo="MT")
    assert result.dataset == "migr_asydcfsta"
    assert row[["citizen", "sex", "age", "decision", "unit", "value"]].tolist() == [
        "EXT_EU27_2020",
        "F",
        "TOTAL",
        "REJECTED",
        "PER",
        385,
    ]


def test_dimension_names_come_from_the_declared_table() -> None:
    names = spreadsheet.dimension_names()
    for name, dim in [
        ("Sex", "sex"),
        ("Age class", "age"),
        ("Country of citizenship", "citizen"),
        ("Applicant type", "asyl_app"),
        ("Decision", "decision"),
        ("International protection decision", "decision"),
        ("Unit of measure", "unit"),
        ("Geopolitical entity (reporting)", "geo"),
        ("Time frequency", "freq"),
    ]:
        assert names[name] == dim
    with pytest.raises(
        LoaderError, match=r"line 5: unknown dimension 'Colour of the sky'.*dimension_names\.tsv"
    ):
        spreadsheet.read_xlsx(_workbook(fixed=[("Colour of the sky", "Blue")]), "bad.xlsx")


def _edited(path: Path, edit) -> bytes:
    book = openpyxl.load_workbook(path)
    edit(book["Sheet 1"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        # long table: a label of a dimension column that is no Eurostat label, reported on its row
        (
            "long_table.xlsx",
            lambda s: s.__setitem__("B13", "Atlantis"),
            "line 13: label 'Atlantis' of dimension 'citizen'",
        ),
        (
            "long_table.xlsx",
            lambda s: s.__setitem__("D12", "n/a"),
            "line 12: non-numeric value 'n/a' (GEO 'European",
        ),
        (
            "long_table.xlsx",
            lambda s: s.__setitem__("C15", "2019"),
            "two rows map to geo=DE (geo=DE, citizen=SY, period=2019",
        ),
        # time down: a bad period is reported on its row (14), a bad country on the header row (12)
        (
            "time_down.xlsx",
            lambda s: s.__setitem__("A14", "last year"),
            "line 14: unknown period 'last year'",
        ),
        (
            "time_down.xlsx",
            lambda s: s.__setitem__("D12", "Atlantis"),
            "line 12: label 'Atlantis' of dimension 'geo'",
        ),
        ("time_down.xlsx", lambda s: s.__setitem__("D12", "Malta"), "two columns map to geo=MT"),
        (
            "time_down.xlsx",
            lambda s: s.__setitem__("A13", "GEO (Labels)"),
            "is both the rows and the columns",
        ),
        # a fixed Time with a TIME axis as well
        ("time_across.xlsx", lambda s: s.__setitem__("A10", "Time"), "dimension 'Time' appears twice"),
    ],
)
def test_bad_layouts_are_refused(fixtures: Path, name: str, edit, message: str) -> None:
    with pytest.raises(LoaderError) as info:
        spreadsheet.read_xlsx(_edited(fixtures / "xlsx" / name, edit), name)
    assert message in str(info.value)


# --- real files ---------------------------------------------------------------------------------


def _raw_grid_counts(path: Path) -> tuple[int, int, int]:
    """(cells, non-missing cells, flags) from `GEO (Labels)` to the blank row above the legend."""
    with pytest.warns(UserWarning, match="no default style"):
        book = openpyxl.load_workbook(path, data_only=True)
    rows = list(book["Sheet 1"].iter_rows(values_only=True))
    time_row = next(r for r in rows if r[0] == "TIME")
    period_cols = [i for i, v in enumerate(time_row) if i > 0 and v]
    start = next(i for i, r in enumerate(rows) if r[0] == "GEO (Labels)") + 1
    end = next(i for i, r in enumerate(rows) if i > start and not r[0])
    assert rows[end + 1][0] == "Special value"
    cells = [(r[c], r[c + 1]) for r in rows[start:end] for c in period_cols]
    return len(cells), sum(1 for v, _ in cells if v != ":"), sum(1 for _, f in cells if f)


def test_real_xlsx_counts_and_values(shared_data: Path) -> None:
    path = shared_data / "eurostat" / "xls" / "migr_dubri.xlsx"
    result = read_path(path)
    frame = result.frame
    cells, present, flags = _raw_grid_counts(path)
    assert result.format == "eurostat_xlsx"
    assert (result.dataset, result.last_update) == ("migr_dubri", "2020-09-17T11:00:00")  # Sheet 1, B3
    assert len(frame) == cells == 350  # 35 rows x 10 years
    assert frame["value"].notna().sum() == present
    assert frame["value"].isna().sum() == cells - present > 0
    assert frame["flag"].notna().sum() == flags
    # row 19: Germany (until 1990 former territory of the FRG), 2016 (N19; N11 is 2016): 31514
    assert _one(frame, geo="DE", period="2016")["value"] == 31514
    # row 14: European Union - 28 countries (2013-2020): ':' for 2010 (B14), 74907 for 2015 (L14)
    assert pd.isna(_one(frame, geo="EU28", period="2010")["value"])
    assert _one(frame, geo="EU28", period="2015")["value"] == 74907
    # row 43: Iceland, 2012 (F43): a published 0, not missing
    assert _one(frame, geo="IS", period="2012")["value"] == 0


def _tsv_frame(path: Path) -> pd.DataFrame:
    """The TSV through its own reader (loaders/formats/eurostat_tsv.py)."""
    return read_path(path).frame


def test_xlsx_equals_tsv_of_the_same_extraction(shared_data: Path) -> None:
    xlsx = read_path(shared_data / "eurostat" / "xls" / "migr_dubri.xlsx").frame
    tsv = _tsv_frame(shared_data / "eurostat" / "tsv" / "migr_dubri.tsv")
    keys = ["geo", "period", *BREAKDOWNS]
    assert list(xlsx.columns) == list(tsv.columns)
    left = xlsx.drop(columns="dataset").sort_values(keys).reset_index(drop=True)
    right = tsv.drop(columns="dataset").sort_values(keys).reset_index(drop=True)
    assert len(left) == len(right) == 350
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    # and against the TSV text itself, read here with the csv module
    with (shared_data / "eurostat" / "tsv" / "migr_dubri.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    periods = [p.strip() for p in rows[0][1:]]
    by_key = xlsx.set_index(["geo", "period"])["value"]
    for row in rows[1:]:
        geo = row[0].split(",")[-1]
        for period, cell in zip(periods, row[1:], strict=True):
            value = by_key[(geo, period)]
            assert (pd.isna(value) and cell.strip() == ":") or value == float(cell), (geo, period, cell)


@pytest.mark.parametrize(
    ("name", "dataset", "update", "checks"),
    [
        # row 17 Germany: 2008 (B17) 1270; row 15 Czech Republic: 2010 (D15) ':'; row 13 Belgium: 2012 (F13)
        (
            "migr_dubti_2008-2014.xls",
            "migr_dubti",
            "2015-07-16T17:26:16",
            [("DE", "2008", 1270), ("CZ", "2010", None), ("BE", "2012", 931)],
        ),
        # row 43 Norway: 2014 (H43) 1401; row 13 Belgium: 2008 (B13) ':'; row 44 Switzerland: 2008 (B44) 0
        (
            "migr_dubto_2008-2014.xls",
            "migr_dubto",
            "2015-07-16T17:26:21",
            [("NO", "2014", 1401), ("BE", "2008", None), ("CH", "2008", 0)],
        ),
    ],
)
def test_real_xls(shared_data: Path, name: str, dataset: str, update: str, checks: list) -> None:
    path = shared_data / "eurostat" / "xls" / name
    result = read_path(path)
    frame = result.frame
    sheet = xlrd.open_workbook(path).sheet_by_index(0)
    first = next(r for r in range(sheet.nrows) if sheet.cell_value(r, 0) == "GEO/TIME") + 1
    last = next(r for r in range(first, sheet.nrows) if sheet.cell_value(r, 0) == "")
    cells = [sheet.cell_value(r, c) for r in range(first, last) for c in range(1, sheet.ncols)]
    assert result.format == "eurostat_xls"
    assert (result.dataset, result.last_update) == (dataset, update)  # B3 `Last update`, a date cell
    assert len(frame) == len(cells) == 32 * 7
    assert frame["value"].notna().sum() == sum(1 for c in cells if c != ":")
    assert frame["flag"].isna().all()
    assert frame["geo"].nunique() == 32 and "CZ" in set(frame["geo"])
    assert (
        (frame[["unit", "leg_prov", "duration", "partner"]] == ["NR", "TOTAL", "TOTAL", "TOTAL"]).all().all()
    )
    for geo, period, value in checks:
        found = _one(frame, geo=geo, period=period)["value"]
        assert (pd.isna(found) and value is None) or found == value


def test_truncated_real_xls(shared_data: Path) -> None:
    data = (shared_data / "eurostat" / "xls" / "migr_dubti_2008-2014.xls").read_bytes()
    with pytest.raises(LoaderError, match="spreadsheet is truncated or corrupt"):
        read_bytes(data[:5000], "cut.xls")
