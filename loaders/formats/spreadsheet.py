"""Eurostat spreadsheet exports: the Data Browser's XLSX and the legacy Data Explorer's XLS.

Both are a table for people, not machines: a header block naming the dataset, its last update and
the dimensions held fixed, then a grid of countries (rows) by periods (columns), `:` for missing.

- `eurostat_xlsx` (Data Browser, since 2019): sheets Summary, Structure and "Sheet 1" ... Each data
  sheet has `Dataset: | title [MIGR_DUBRI]`, `Last updated: | 17/09/2020 11:00`, one row per fixed
  dimension by label (`Legal provision | Total`), a `TIME` row of periods with an empty flag column
  after each period, a `GEO (Labels)` row, the country rows and a `Special value` legend.
- `eurostat_xls` (Data Explorer, before 2019): `title [migr_dubti]`, `Last update`, `Extracted on`,
  fixed dimensions by code (`LEG_PROV | Total requests`), a `GEO/TIME` row, then the country rows.

Labels become codes through loaders/reference (dimension names through the `dimension` rows of
dimension_labels.tsv), so a spreadsheet reads to the same tidy rows as the API's TSV.
"""

from __future__ import annotations

import io
import itertools
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import at_lines, code_for, labels_to_codes, numbers

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound document
_BRACKETED = re.compile(r"\[([A-Za-z0-9_]+)\]\s*$")
_DIMENSION_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ROW_HEADER = re.compile(r"^([A-Z][A-Z0-9_]*) \(Labels\)$")  # `GEO (Labels)`
_CORNER = re.compile(r"^([A-Z][A-Z0-9_]*)/TIME$")  # `GEO/TIME`
_LEGEND = ("special value", "available flags")
_DATE_PATTERNS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")
# Header-block rows that describe the file, not a dimension.
_META = {"dataset", "last updated", "last update", "extracted on", "source of data"}


def sniff_xlsx(head: bytes) -> bool:
    """A zip archive with the `xl/` parts of a workbook (a .docx has `word/`)."""
    return head.startswith(XLSX_MAGIC) and b"xl/" in head


def sniff_xls(head: bytes) -> bool:
    """An OLE2 compound document, the container of legacy .xls workbooks."""
    return head.startswith(XLS_MAGIC)


Grid = list[list[object]]


def _corrupt(source: str, exc: Exception) -> LoaderError:
    return LoaderError(source, f"spreadsheet is truncated or corrupt ({type(exc).__name__}: {exc})")


def _xlsx_grids(data: bytes, source: str) -> list[tuple[str, Grid]]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # Data Browser workbooks have no default style; openpyxl warns and uses its own.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                grids = []
                for ws in book.worksheets:
                    ws.reset_dimensions()  # exports declare a wrong used range (A1); read all cells
                    grids.append((ws.title, [list(r) for r in ws.iter_rows(values_only=True)]))
                return grids
            finally:
                book.close()
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean unreadable bytes
        raise _corrupt(source, exc) from None


def _xls_grids(data: bytes, source: str) -> list[tuple[str, Grid]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
        grids = []
        for sheet in book.sheets():
            grid: Grid = []
            for r in range(sheet.nrows):
                row: list[object] = []
                for cell in sheet.row(r):
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append(None)
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))
                    else:
                        row.append(cell.value)
                grid.append(row)
            grids.append((sheet.name, grid))
        return grids
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct.error ... on bad bytes
        raise _corrupt(source, exc) from None


def _text(cell: object) -> str:
    """A cell as the text a person sees: 2010.0 -> `2010`, None -> ``."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _iso(cell: object, source: str, line: int) -> str:
    """A published timestamp (a date cell or `17/09/2020 11:00`) in ISO 8601, to the second."""
    if isinstance(cell, datetime):
        return (cell + timedelta(microseconds=500_000)).replace(microsecond=0).isoformat()
    text = _text(cell)
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(text, pattern).isoformat()
        except ValueError:
            continue
    raise LoaderError(source, f"unreadable date {text!r}", line=line, expected="dd/mm/yyyy hh:mm")


@dataclass
class _Sheet:
    """What one data sheet says about itself, before labels become codes."""

    source: str
    title: str | None = None
    dataset: str | None = None
    last_update: str | None = None
    extra: dict = field(default_factory=dict)
    fixed: list[tuple[str, str, str, int]] = field(default_factory=list)  # (id, name, label, line)
    row_dim: str = "geo"
    row_name: str = "GEO"
    periods: list[tuple[int, str, int | None]] = field(default_factory=list)  # (column, period, flag column)
    period_line: int | None = None
    rows: list[tuple[int, str, list[object]]] = field(default_factory=list)  # (line, label, cells)


def _dimension_id(name: str, source: str, line: int) -> str:
    """`LEG_PROV` -> leg_prov (legacy codes); `Legal provision` -> leg_prov via dimension_labels.tsv."""
    if _DIMENSION_CODE.match(name):
        return name.lower()
    found = code_for("dimension", name)
    if found is None:
        raise LoaderError(
            source,
            f"unknown dimension {name!r} in the header block",
            line=line,
            expected="a dimension listed as `dimension` in loaders/reference/dimension_labels.tsv",
        )
    return found


def _first_value(row: list[object]) -> object:
    return next((c for c in row[1:] if _text(c) != ""), None)


def _header_row(sheet: _Sheet, label: str, row: list[object], line: int) -> None:
    """One row of the header block: the file's own metadata or a dimension held fixed."""
    value = _first_value(row)
    if label.startswith("Data extracted on"):  # `Data extracted on 20/10/2020 07:09:23 from [ESTAT]`
        stamp = re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}(:\d{2})?", label)
        sheet.extra["extracted"] = _iso(stamp.group(0), sheet.source, line) if stamp else label
        return
    if value is None and _BRACKETED.search(label):  # legacy title row: `... [migr_dubti]`
        sheet.title = label
        return
    key = label.rstrip(":").strip().lower()
    if key in _META:
        if key == "dataset":
            sheet.title = _text(value)
        elif key in ("last updated", "last update"):
            sheet.last_update = _iso(value, sheet.source, line)
        elif key == "extracted on":
            sheet.extra["extracted"] = _iso(value, sheet.source, line)
        else:
            sheet.extra["source_of_data"] = _text(value)
        return
    dim = _dimension_id(label, sheet.source, line)
    if value is None:
        raise LoaderError(sheet.source, f"dimension {label!r} has no value", line=line)
    sheet.fixed.append((dim, label, _text(value), line))


def _periods(
    row: list[object], source: str, line: int, *, flag_columns: bool
) -> list[tuple[int, str, int | None]]:
    """Period columns; an empty header cell between two periods is the flag column of the first.

    With a single period the spacing cannot tell: `flag_columns` says what the layout does (the
    Data Browser always adds a flag column, the old Data Explorer XLS never did).
    """
    cols = [(c, _text(row[c])) for c in range(1, len(row)) if _text(row[c]) != ""]
    if not cols:
        raise LoaderError(source, "no periods in the TIME row", line=line)
    steps = {b[0] - a[0] for a, b in itertools.pairwise(cols)}
    if len(steps) > 1 or steps - {1, 2}:
        raise LoaderError(
            source, "irregular period columns", line=line, expected="periods in every or every other column"
        )
    with_flags = steps == {2} or (not steps and flag_columns)
    return [(c, p, c + 1 if with_flags else None) for c, p in cols]


def _parse_sheet(grid: Grid, source: str) -> _Sheet | None:
    """Header block, period row and country rows of one sheet; None for sheets without data."""
    if not any(r and (_text(r[0]) == "TIME" or _CORNER.match(_text(r[0]))) for r in grid):
        return None  # Summary, Structure: notes for people, no data grid
    sheet = _Sheet(source=source)
    width = max((len(r) for r in grid), default=0)
    grid = [list(r) + [None] * (width - len(r)) for r in grid]
    i = 0
    while i < len(grid):
        line, row = i + 1, grid[i]
        label = _text(row[0])
        if label == "" and all(_text(c) == "" for c in row):
            i += 1
            continue
        if label == "TIME":  # Data Browser: TIME row, then `GEO (Labels)`
            sheet.periods = _periods(row, source, line, flag_columns=True)
            sheet.period_line = line
            i += 1
            while i < len(grid) and all(_text(c) == "" for c in grid[i]):
                i += 1
            names = _ROW_HEADER.match(_text(grid[i][0])) if i < len(grid) else None
            if names is None:
                raise LoaderError(
                    source, "no row header after the TIME row", line=i + 1, expected="GEO (Labels)"
                )
            sheet.row_name = names.group(1)
            i += 1
            break
        if corner := _CORNER.match(label):  # Data Explorer: `GEO/TIME` and the periods on one row
            sheet.row_name = corner.group(1)
            sheet.periods = _periods(row, source, line, flag_columns=False)
            sheet.period_line = line
            i += 1
            break
        if label == "":
            raise LoaderError(source, "header row without a name in its first cell", line=line)
        _header_row(sheet, label, row, line)
        i += 1

    sheet.row_dim = _dimension_id(sheet.row_name, source, i)
    legend: dict[str, str] = {}
    in_legend = False
    for r in range(i, len(grid)):
        row = grid[r]
        label = _text(row[0])
        blank = all(_text(c) == "" for c in row)
        if in_legend:
            if not blank:
                legend[label] = _text(_first_value(row))
            continue
        if blank:
            in_legend = True  # anything after the first blank row is notes and legend
            continue
        if label.rstrip(":").lower() in _LEGEND:
            in_legend = True
            continue
        if label == "":
            raise LoaderError(
                source, "data row without a label", line=r + 1, expected=f"a {sheet.row_name} label"
            )
        sheet.rows.append((r + 1, label, row))
    sheet.extra["special_values"] = {k: v for k, v in legend.items() if k.rstrip(":").lower() not in _LEGEND}
    if not sheet.rows:
        raise LoaderError(
            source, "no data rows after the period row", expected=f"one row per {sheet.row_name}"
        )
    return sheet


def _tidy_sheet(sheet: _Sheet) -> tuple[pd.DataFrame, str | None]:
    """Long frame of one sheet with codes; also the frequency code the header block declares."""
    source = sheet.source
    row_lines = [line for line, _, _ in sheet.rows]
    row_labels = pd.Series([label for _, label, _ in sheet.rows], dtype="string")
    row_codes = at_lines(lambda: labels_to_codes(row_labels, sheet.row_dim, source, first_line=0), row_lines)

    lines, periods, values, flags, codes = [], [], [], [], []
    for (line, _, cells), code in zip(sheet.rows, row_codes, strict=True):
        for col, period, flag_col in sheet.periods:
            lines.append(line)
            periods.append(period)
            codes.append(code)
            values.append(_text(cells[col]))
            flags.append(_text(cells[flag_col]) if flag_col is not None and flag_col < len(cells) else "")
    raw = pd.DataFrame({sheet.row_dim: pd.Series(codes, dtype="string")})
    if sheet.row_dim != "geo" and "geo" not in [d for d, *_ in sheet.fixed]:
        raise LoaderError(source, "neither the rows nor the header block name a geo", expected="GEO (Labels)")
    for period in dict.fromkeys(periods):
        try:
            tidy.normalise_period(period)
        except ValueError:
            raise LoaderError(
                source,
                f"unknown period {period!r}",
                line=sheet.period_line,
                expected="YYYY, YYYY-MM or YYYY-Qn",
            ) from None
    raw["period"] = pd.Series(periods, dtype="string")

    freq = None
    for dim, name, label, line in sheet.fixed:
        code = code_for(dim, label)
        if code is None:
            raise LoaderError(
                source,
                f"label {label!r} of dimension {name!r} ({dim}) maps to no Eurostat code",
                line=line,
                expected="a label listed in loaders/reference (geo_labels.tsv or dimension_labels.tsv)",
            )
        if dim == "freq":  # tidy.finish derives freq from the period; checked against this below
            freq = code
            continue
        if dim in raw.columns:
            raise LoaderError(source, f"dimension {name!r} appears twice", line=line)
        raw[dim] = code
    context = [
        f"{sheet.row_name} {lab!r}, {per}"
        for lab, per in zip(row_labels.repeat(len(sheet.periods)), periods, strict=True)
    ]
    raw["value"] = at_lines(
        lambda: numbers(pd.Series(values, dtype="string"), source, first_line=0),
        lines,
        lambda row: context[row],
    )
    raw["flag"] = pd.Series(flags, dtype="string")
    keys = [c for c in raw.columns if c not in ("value", "flag")]
    dup = raw.duplicated(keys, keep=False).to_numpy().nonzero()[0]
    if len(dup):
        raise LoaderError(
            source,
            f"two rows map to {sheet.row_dim}={raw[sheet.row_dim].iloc[dup[0]]} (lines {lines[dup[0]]} and "
            f"{lines[dup[-1]]})",
            line=lines[dup[-1]],
            expected="one row per code",
        )
    return raw, freq


def _read(grids: list[tuple[str, Grid]], source: str, fmt: str) -> ReadResult:
    """Every data sheet of a workbook, stacked; all must name the same dataset."""
    frames, datasets, updates, extra = [], set(), set(), {}
    for name, grid in grids:
        sheet_source = f"{source}, sheet {name!r}"
        sheet = _parse_sheet(grid, sheet_source)
        if sheet is None:
            continue
        code = _BRACKETED.search(sheet.title or "")
        if code is None:
            raise LoaderError(
                sheet_source, f"no [dataset code] in the title {sheet.title!r}", expected="`title [CODE]`"
            )
        raw, freq = _tidy_sheet(sheet)
        frame = tidy.finish(raw, sheet_source, dataset=code.group(1).lower())
        if freq is not None and (frame["freq"] != freq).any():
            wrong = frame.loc[frame["freq"] != freq, "period"].iloc[0]
            raise LoaderError(sheet_source, f"period {wrong!r} does not match the declared frequency {freq}")
        frames.append(frame)
        datasets.add(code.group(1).lower())
        updates.add(sheet.last_update)
        extra = {"title": _BRACKETED.sub("", sheet.title or "").strip(), **sheet.extra}
    if not frames:
        raise LoaderError(
            source, "no data sheet in the workbook", expected="a sheet with a TIME or GEO/TIME row"
        )
    if len(datasets) > 1 or len(updates) > 1:
        raise LoaderError(
            source,
            f"sheets disagree on dataset or last update: {sorted(datasets)}, {sorted(map(str, updates))}",
        )
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1 and frame.duplicated(tidy.sort_key_columns(frame)).any():
        raise LoaderError(source, "two sheets hold the same observations", expected="one sheet per slice")
    return ReadResult(frame=frame, format=fmt, dataset=datasets.pop(), last_update=updates.pop(), extra=extra)


def read_xlsx(data: bytes, source: str) -> ReadResult:
    """Tidy rows from a Data Browser XLSX export."""
    return _read(_xlsx_grids(data, source), source, "eurostat_xlsx")


def read_xls(data: bytes, source: str) -> ReadResult:
    """Tidy rows from a legacy Data Explorer XLS export."""
    return _read(_xls_grids(data, source), source, "eurostat_xls")


FORMATS = [("eurostat_xlsx", sniff_xlsx, read_xlsx), ("eurostat_xls", sniff_xls, read_xls)]
