"""A year 0000 or 6016 in any period or date a reader takes is a LoaderError, never a traceback.

Each case damages one year of one of our fixtures (read through `read_bytes`, so detection runs
too) and expects the error to name the problem and, where the format has lines, the line.
Every reader that takes periods or dates is covered (each case: a year 0000 and a year 6016).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import openpyxl
import pytest

from loaders.errors import LoaderError
from loaders.formats import read_bytes
from tests.conftest import FIXTURES
from tests.loaders.test_spreadsheet import _workbook

YEARS = ["0000", "6016"]


def _replace(fixture: str, old: str, new: str) -> Callable[[str], bytes]:
    """Bytes of `fixture` with the first `old` replaced by `new` (`{Y}` is the bad year)."""

    def build(year: str) -> bytes:
        data = (FIXTURES / fixture).read_bytes()
        assert old.encode() in data, f"{old!r} is not in {fixture}"
        return data.replace(old.encode(), new.replace("{Y}", year).encode(), 1)

    return build


def _json(fixture: str, change: Callable[[dict, str], None]) -> Callable[[str], bytes]:
    def build(year: str) -> bytes:
        doc = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
        change(doc, year)
        return json.dumps(doc).encode()

    return build


def _time_category(doc: dict, year: str) -> None:
    index = doc["dimension"]["time"]["category"]["index"]
    index[year] = index.pop("2024")
    doc["dimension"]["time"]["category"]["label"] = {k: k for k in index}


_PROBLEM = r"year {Y} is (before 1900|after next year)"

# id -> (build(year) -> bytes, line or None, message regex with {Y}, xfail reason: None, one for both
# years, or {year: reason})
CASES: dict[str, tuple[Callable[[str], bytes], int | None, str, str | dict[str, str] | None]] = {
    "tsv-period": (
        _replace("tsv/monthly.tsv", "2024M02 ", "{Y}M02 "),
        1,
        "header cell 3 .*" + _PROBLEM,
        None,
    ),
    "tsv-old-bulk-period": (_replace("tsv/old_bulk.tsv", "2015 ", "{Y} "), 1, _PROBLEM, None),
    "sdmx1-codes-period": (_replace("sdmx/codes.csv", ",UK,2019,", ",UK,{Y},"), 5, _PROBLEM, None),
    "sdmx1-codes-last-update": (
        _replace(
            "sdmx/codes.csv",
            "(1.0),14/02/25 11:00:00,A,PER,NA,T,TOTAL,TOTAL,EL,2024,",
            "(1.0),14/02/{Y} 11:00:00,A,PER,NA,T,TOTAL,TOTAL,EL,2024,",
        ),
        3,
        "LAST UPDATE .*" + _PROBLEM,
        None,
    ),
    "sdmx1-labels-period": (
        _replace("sdmx/labels.csv", ",Germany,2023,", ",Germany,{Y},"),
        3,
        _PROBLEM,
        None,
    ),
    "sdmx2-codes-period": (_replace("sdmx/csv2_codes.csv", ",EL,2024-02,", ",EL,{Y}-02,"), 4, _PROBLEM, None),
    "sdmx2-labels-period": (
        _replace("sdmx/csv2_labels.csv", ",Greece,2024-02,", ",Greece,{Y}-02,"),
        3,
        _PROBLEM,
        None,
    ),
    "jsonstat-period": (_json("jsonstat/dataset.json", _time_category), None, _PROBLEM, None),
    "jsonstat-updated": (
        _json("jsonstat/dataset.json", lambda d, y: d.update(updated=f"{y}-03-27T23:00:00+0100")),
        None,
        "updated .*" + _PROBLEM,
        None,
    ),
    "legacy-period": (
        _replace("legacy/monthly_no_flags.csv", '"2015M02"', '"{Y}M02"'),
        3,
        _PROBLEM,
        None,
    ),
    "legacy-labels-last-update": (
        _replace("legacy/labels_sidecar.csv", "LAST UPDATE: 03.02.14", "LAST UPDATE: 03.02.{Y}"),
        3,
        _PROBLEM,
        None,
    ),
    "xlsx-period": (
        lambda year: _workbook(periods=["2018", year]),
        11,  # the sheet's TIME row
        _PROBLEM,
        None,
    ),
    "xlsx-last-update": (
        lambda year: _xlsx_last_update(year),
        3,  # the data sheet's "Last updated" row
        _PROBLEM,
        None,
    ),
    "toc-last-update": (
        _replace("toc/toc_small.txt", '"02.06.2023"', '"02.06.{Y}"'),
        6,
        _PROBLEM,
        None,
    ),
    "toc-structure-change": (
        _replace("toc/toc_small.txt", '"09.03.2023"', '"09.03.{Y}"'),
        6,
        _PROBLEM,
        None,
    ),
    "frontex-month": (
        _replace("frontex/ibc_small.csv", "Sea,TUN,2023-02-01", "Sea,TUN,{Y}-02-01"),
        3,
        _PROBLEM,
        None,
    ),
    "unhcr-csv-year": (
        _replace("unhcr/population_small.csv", "2023,Germany", "{Y},Germany"),
        2,
        _PROBLEM,
        None,
    ),
    "unhcr-api-year": (
        _json("periods/unhcr_api_page.json", lambda d, y: d["items"][1].update(year=int(y))),
        None,
        r"items\[1\] has year .*" + _PROBLEM,
        None,
    ),
    "iom-mmp-month": (
        _replace("iom/missing_migrants_small.csv", "2016-01-12,2016-01-01", "{Y}-01-12,{Y}-01-01"),
        3,
        _PROBLEM,
        None,
    ),
    "iom-download-date": (
        _replace("iom/download_small.csv", '"Thu, 01/01/2026 - 12:00",2026', '"Thu, 01/01/{Y} - 12:00",{Y}'),
        2,
        _PROBLEM,
        None,
    ),
    "iom-applicants-year": (
        _replace("iom/applicants_small.csv", "DEU,2024,SYR,male", "DEU,{Y},SYR,male"),
        4,
        _PROBLEM,
        None,
    ),
}


def _xlsx_last_update(year: str) -> bytes:
    """The built workbook with both 'Last updated' cells in year `year`."""
    book = openpyxl.load_workbook(io.BytesIO(_workbook()))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "17/09/2020 11:00":
                    cell.value = f"17/09/{year} 11:00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _params() -> list:
    out = []
    for name, (_, _, _, reasons) in CASES.items():
        for year in YEARS:
            reason = reasons.get(year) if isinstance(reasons, dict) else reasons
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(name, year, id=f"{name}-{year}", marks=marks))
    return out


@pytest.mark.parametrize(("case", "year"), _params())
def test_impossible_year_is_a_loader_error(case: str, year: str) -> None:
    build, line, message, _ = CASES[case]
    data = build(year)
    with pytest.raises(LoaderError) as err:
        read_bytes(data, "damaged")
    assert re.search(message.replace("{Y}", year), str(err.value)), str(err.value)
    assert err.value.line == line, str(err.value)
