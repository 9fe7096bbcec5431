"""Eurostat spreadsheet exports: the Data Browser's XLSX and the legacy Data Explorer's XLS.

Both are a table for people, not machines: a header block naming the dataset, its last update and
the dimensions held fixed, then a grid of labels, `:` for missing.

- `eurostat_xlsx` (Data Browser, since 2019): sheets Summary, Structure and "Sheet 1" ... Each data
  sheet has `Dataset: | title [MIGR_DUBRI]`, `Last updated: | 17/09/2020 11:00`, one row per fixed
  dimension by name (`Legal provision | Total`), then one of the layouts the Data Browser exports:
  - time across: a `TIME` row of periods with an empty flag column after each, a `GEO (Labels)` row,
    one row per country;
  - time down (or any other pair): `GEO (Labels)` with the countries across, a `TIME` row, one row
    per period;
  - long table: a header row `GEO (Labels) | ... | TIME | OBS_VALUE | OBS_FLAG`, one row per observation;
  and a `Special value` legend after a blank row.
- `eurostat_xls` (Data Explorer, before 2019): `title [migr_dubti]`, `Last update`, `Extracted on`,
  fixed dimensions by code (`LEG_PROV | Total requests`), a `GEO/TIME` row, then the country rows.

Dimension names (`Country of citizenship`) become ids through loaders/reference/dimension_names.tsv,
labels become codes through loaders/reference, so a spreadsheet reads to the same tidy rows as the
API's TSV.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pandas as pd

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import at_lines, code_for, labels_to_codes, numbers, where_to_add

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound document
_BRACKETED = re.compile(r"\[([A-Za-z0-9_]+)\]\s*$")
_DIMENSION_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_AXIS = re.compile(r"^(?:(TIME)|([A-Z][A-Z0-9_]*) \(Labels\))$")  # `TIME`, `GEO (Labels)`
_CORNER = re.compile(r"^([A-Z][A-Z0-9_]*)/TIME$")  # `GEO/TIME`
_LEGEND = ("special value", "available flags")
_DATE_PATTERNS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")
# Header-block rows that describe the file, not a dimension.
_META = {"dataset", "last updated", "last update", "extracted on", "source of data"}
_VALUE, _FLAG = "OBS_VALUE", "OBS_FLAG"  # the long table's value and flag columns
_TIME_IDS = {"time", "time_period"}
_DIMENSION_NAMES = Path(__file__).parent.parent / "reference" / "dimension_names.tsv"


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
        if problem := tidy.year_problem(cell.year):
            raise LoaderError(source, f"impossible date {cell:%d/%m/%Y}: {problem}", line=line)
        return (cell + timedelta(microseconds=500_000)).replace(microsecond=0).isoformat()
    text = _text(cell)
    if problem := tidy.date_problem(text):
        raise LoaderError(source, f"impossible date {text!r}: {problem}", line=line)
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(text, pattern).isoformat()
        except ValueError:
            continue
    raise LoaderError(source, f"unreadable date {text!r}", line=line, expected="dd/mm/yyyy hh:mm")


@dataclass
class _Sheet:
    """What one data sheet says about itself, before labels become codes.

    Every layout (time across, time down, long table) ends up as the same columns: per dimension
    the label of each observation and the line it is printed on, then value, flag and row line.
    """

    source: str
    title: str | None = None
    dataset: str | None = None
    last_update: str | None = None
    extra: dict = field(default_factory=dict)
    fixed: list[tuple[str, str, str, int]] = field(default_factory=list)  # (id, name, label, line)
    names: dict[str, str] = field(default_factory=dict)  # dimension id -> header as printed (`GEO`)
    labels: dict[str, list[str]] = field(default_factory=dict)  # dimension id -> label per observation
    label_lines: dict[str, list[int]] = field(default_factory=dict)  # where each of those labels is
    lines: list[int] = field(default_factory=list)  # line of each observation's value
    values: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # `GEO 'Malta', 2019`, for value errors

    def add(self, keys: dict[str, tuple[str, int]], value: str, flag: str, line: int, context: str) -> None:
        """One observation: (label, line) per dimension of the grid, its value and flag."""
        for dim, (label, label_line) in keys.items():
            self.labels.setdefault(dim, []).append(label)
            self.label_lines.setdefault(dim, []).append(label_line)
        self.lines.append(line)
        self.values.append(value)
        self.flags.append(flag)
        self.context.append(context)


@cache
def dimension_names() -> dict[str, str]:
    """Dimension name as Eurostat prints it (`Country of citizenship`) -> its id (citizen).

    One declared table, loaders/reference/dimension_names.tsv, so a new dataset's header block
    needs a row there, not a code change.
    """
    with _DIMENSION_NAMES.open(encoding="utf-8") as fh:
        rows = csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")
        return {row["label"]: row["dimension"] for row in rows}


def _short(name: str) -> str:
    """`GEO (Labels)` -> GEO; anything else as printed."""
    found = _AXIS.match(name)
    return (found.group(1) or found.group(2)) if found else name


def _dimension_id(name: str, source: str, line: int) -> str:
    """`LEG_PROV`, `GEO (Labels)` -> codes lower-cased; `Legal provision` -> leg_prov via the table.

    TIME and TIME_PERIOD are both `time`: its labels are periods, not codes.
    """
    short = _short(name)
    found = short.lower() if _DIMENSION_CODE.match(short) else dimension_names().get(short)
    if found is None:
        raise LoaderError(
            source,
            f"unknown dimension {name!r} in the header block",
            line=line,
            expected="a dimension name listed in loaders/reference/dimension_names.tsv",
        )
    return "time" if found in _TIME_IDS else found


def _first_value(row: list[object]) -> object:
    return next((c for c in row[1:] if _text(c) != ""), None)


def _blank(row: list[object]) -> bool:
    return all(_text(c) == "" for c in row)


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


def _columns(
    row: list[object], source: str, line: int, *, flag_columns: bool
) -> list[tuple[int, str, int | None]]:
    """Label columns of the column header; an empty cell between two labels is the first's flag column.

    With a single label the spacing cannot tell: `flag_columns` says what the layout does (the
    Data Browser always adds a flag column, the old Data Explorer XLS never did).
    """
    cols = [(c, _text(row[c])) for c in range(1, len(row)) if _text(row[c]) != ""]
    if not cols:
        raise LoaderError(source, f"no labels in the {_text(row[0])} row", line=line)
    steps = {b[0] - a[0] for a, b in itertools.pairwise(cols)}
    if len(steps) > 1 or steps - {1, 2}:
        raise LoaderError(
            source, "irregular label columns", line=line, expected="labels in every or every other column"
        )
    with_flags = steps == {2} or (not steps and flag_columns)
    return [(c, p, c + 1 if with_flags else None) for c, p in cols]


def _is_grid_start(row: list[object]) -> bool:
    """The first row of a data grid: `TIME`, `GEO (Labels)`, `GEO/TIME` or a long table's header."""
    first = _text(row[0]) if row else ""
    return bool(_AXIS.match(first) or _CORNER.match(first)) or any(_text(c) == _VALUE for c in row)


def _data_rows(sheet: _Sheet, grid: Grid, start: int, what: str) -> list[tuple[int, str, list[object]]]:
    """(line, first cell, cells) of the data rows from `start`; the legend after them goes to extra."""
    rows = []
    legend: dict[str, str] = {}
    in_legend = False
    for r in range(start, len(grid)):
        row = grid[r]
        label = _text(row[0])
        if in_legend:
            if not _blank(row):
                legend[label] = _text(_first_value(row))
            continue
        if _blank(row) or label.rstrip(":").lower() in _LEGEND:
            in_legend = True  # anything after the first blank row is notes and legend
            continue
        if label == "":
            raise LoaderError(
                sheet.source, "data row without a label", line=r + 1, expected=f"a {what} label"
            )
        rows.append((r + 1, label, row))
    sheet.extra["special_values"] = {k: v for k, v in legend.items() if k.rstrip(":").lower() not in _LEGEND}
    if not rows:
        raise LoaderError(sheet.source, "no data rows after the header row", expected=f"one row per {what}")
    return rows


def _crosstab(sheet: _Sheet, grid: Grid, i: int) -> None:
    """A table for people: one dimension across the columns, one down the rows, value and flag cells.

    Data Browser: `TIME` (or `GEO (Labels)` when time runs down the rows) with the column labels,
    then the row header alone on the next row. Data Explorer XLS: `GEO/TIME` and the periods on one row.
    """
    source, head, line = sheet.source, grid[i], i + 1
    if corner := _CORNER.match(_text(head[0])):
        col_name, row_name, flag_columns = "TIME", corner.group(1), False
        j = i + 1
    else:
        col_name, flag_columns = _text(head[0]), True
        j = i + 1
        while j < len(grid) and _blank(grid[j]):
            j += 1
        row_name = _text(grid[j][0]) if j < len(grid) else ""
        if not _AXIS.match(row_name):
            raise LoaderError(
                source, f"no row header after the {col_name} row", line=j + 1, expected="GEO (Labels) or TIME"
            )
        j += 1
    columns = _columns(head, source, line, flag_columns=flag_columns)
    col_dim, row_dim = _dimension_id(col_name, source, line), _dimension_id(row_name, source, j)
    if col_dim == row_dim:
        raise LoaderError(source, f"dimension {row_name!r} is both the rows and the columns", line=j)
    sheet.names.update({row_dim: _short(row_name), col_dim: _short(col_name)})
    for row_line, label, cells in _data_rows(sheet, grid, j, _short(row_name)):
        for col, col_label, flag_col in columns:
            sheet.add(
                {row_dim: (label, row_line), col_dim: (col_label, line)},
                _text(cells[col]),
                _text(cells[flag_col]) if flag_col is not None and flag_col < len(cells) else "",
                row_line,
                f"{_short(row_name)} {label!r}, {col_label}",
            )


def _long_table(sheet: _Sheet, grid: Grid, i: int) -> None:
    """One row per observation: a column per dimension (`GEO (Labels)`, `TIME` ...), OBS_VALUE, OBS_FLAG."""
    source, line = sheet.source, i + 1
    header = [_text(c) for c in grid[i]]
    value_col = header.index(_VALUE)
    flag_col = header.index(_FLAG) if _FLAG in header else None
    dims: dict[int, str] = {}
    for col, name in enumerate(header):
        if name and col not in (value_col, flag_col):
            dim = _dimension_id(name, source, line)
            if dim in sheet.names:
                raise LoaderError(source, f"dimension {name!r} appears twice", line=line)
            dims[col] = dim
            sheet.names[dim] = _short(name)
    if 0 not in dims:
        raise LoaderError(source, "the long table does not start with a dimension", line=line)
    for row_line, _, cells in _data_rows(sheet, grid, i + 1, "observation"):
        keys = {dim: (_text(cells[col]), row_line) for col, dim in dims.items()}
        sheet.add(
            keys,
            _text(cells[value_col]),
            _text(cells[flag_col]) if flag_col is not None else "",
            row_line,
            ", ".join(f"{sheet.names[d]} {label!r}" for d, (label, _) in keys.items()),
        )


def _parse_sheet(grid: Grid, source: str) -> _Sheet | None:
    """Header block, then the grid in whichever layout; None for sheets without data."""
    if not any(r and _is_grid_start(r) for r in grid):
        return None  # Summary, Structure: notes for people, no data grid
    sheet = _Sheet(source=source)
    width = max((len(r) for r in grid), default=0)
    grid = [list(r) + [None] * (width - len(r)) for r in grid]
    for i, row in enumerate(grid):
        line, label = i + 1, _text(row[0])
        if _blank(row):
            continue
        if any(_text(c) == _VALUE for c in row):
            _long_table(sheet, grid, i)
            break
        if _AXIS.match(label) or _CORNER.match(label):
            _crosstab(sheet, grid, i)
            break
        if label == "":
            raise LoaderError(source, "header row without a name in its first cell", line=line)
        _header_row(sheet, label, row, line)
    return sheet


def _check_periods(sheet: _Sheet, periods: list[str], lines: list[int]) -> None:
    """Every period label is one we can normalise; a bad one is reported where it is printed."""
    checked: set[str] = set()
    for period, line in zip(periods, lines, strict=True):
        if period in checked:
            continue
        try:
            tidy.normalise_period(period)
        except ValueError as exc:
            raise LoaderError(sheet.source, str(exc), line=line, expected=tidy.PERIOD_SPELLINGS) from None
        checked.add(period)


def _tidy_sheet(sheet: _Sheet) -> tuple[pd.DataFrame, str | None]:
    """Long frame of one sheet with codes; also the frequency code the header block declares."""
    source = sheet.source
    raw = pd.DataFrame(index=pd.RangeIndex(len(sheet.lines)))
    for dim, labels in sheet.labels.items():
        lines = sheet.label_lines[dim]
        if dim == "time":
            _check_periods(sheet, labels, lines)
            raw["period"] = pd.Series(labels, dtype="string")
            continue
        series = pd.Series(labels, dtype="string")
        raw[dim] = at_lines(lambda s=series, d=dim: labels_to_codes(s, d, source, first_line=0), lines)
    if "geo" not in raw.columns and "geo" not in [d for d, *_ in sheet.fixed]:
        raise LoaderError(
            source, "neither the table nor the header block name a geo", expected="GEO (Labels)"
        )

    freq = None
    for dim, name, label, line in sheet.fixed:
        if dim in raw.columns or (dim == "time" and "period" in raw.columns):
            raise LoaderError(source, f"dimension {name!r} appears twice", line=line)
        if dim == "time":  # a single period, held fixed in the header block
            _check_periods(sheet, [label], [line])
            raw["period"] = label
            continue
        code = code_for(dim, label)
        if code is None:
            raise LoaderError(
                source,
                f"label {label!r} of dimension {name!r} ({dim}) maps to no Eurostat code",
                line=line,
                expected=where_to_add(dim),
            )
        if dim == "freq":  # tidy.finish derives freq from the period; checked against this below
            freq = code
            continue
        raw[dim] = code
    if "period" not in raw.columns:
        raise LoaderError(source, "no TIME in the table or the header block", expected="a TIME row or column")
    raw["value"] = at_lines(
        lambda: numbers(pd.Series(sheet.values, dtype="string"), source, first_line=0),
        sheet.lines,
        lambda row: sheet.context[row],
    )
    raw["flag"] = pd.Series(sheet.flags, dtype="string")
    _check_unique(sheet, raw)
    return raw, freq


def _check_unique(sheet: _Sheet, raw: pd.DataFrame) -> None:
    """Two labels mapped to one code (two spellings of Germany) would silently double a series."""
    keys = [c for c in raw.columns if c not in ("value", "flag")]
    dup = raw.duplicated(keys, keep=False).to_numpy().nonzero()[0]
    if not len(dup):
        return
    first = dup[0]
    second = next(p for p in dup[1:] if (raw.loc[p, keys] == raw.loc[first, keys]).all())
    # name the dimension whose two labels differ (two spellings), else the one on two rows or columns
    dims = [d for d in sheet.labels if d != "time"] or list(sheet.labels)
    spelled = [d for d in dims if sheet.labels[d][first] != sheet.labels[d][second]]
    moved = [d for d in dims if sheet.label_lines[d][first] != sheet.label_lines[d][second]]
    dim = (spelled or moved or dims)[0]
    kind = "rows" if sheet.lines[first] != sheet.lines[second] else "columns"
    column = "period" if dim == "time" else dim
    key = ", ".join(f"{k}={raw[k].iloc[first]}" for k in keys)
    raise LoaderError(
        sheet.source,
        f"two {kind} map to {dim}={raw[column].iloc[first]} ({key}; lines {sheet.lines[first]} and "
        f"{sheet.lines[second]})",
        line=sheet.lines[second],
        expected="one row or column per code",
    )


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
