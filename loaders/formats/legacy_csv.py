"""Eurostat's legacy Data Explorer CSV (before 2019), and the label listing exported beside it.

The old Data Explorer printed labels, not codes (`"Germany (until 1990 former territory of the FRG)"`,
`"European Union (27 countries)"`), thousands separators inside quotes (`"1,257,610"`) and `":"`
for missing values, with an optional `"Flag and Footnotes"` column:

    "TIME","GEO","CITIZEN",...,"UNIT","Value","Flag and Footnotes"

Labels are mapped back to today's codes through loaders/reference, so these series join the ones
read from the API. Legacy names are traps: "European Union (27 countries)" is EU27_2007 (before
Croatia), never EU27_2020. The file does not name its dataset, so `dataset` is "" and the caller
(the registry) says which dataset it is.

The sidecar `..._labels.csv` (`"DATASET: ... [code]"`, `"LAST UPDATE: dd.mm.yy hh:mm:ss"`, then one
block per dimension listing its labels) is read as metadata: which dataset and when it was updated.
Its legends go to `extra`: `"Special value:"` (special_values) and `"Available flags:"` (flags, one
`"symbol","meaning"` row each), footnotes as text; `"No footnotes available"` says there are none.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime

import pandas as pd

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import at_lines, first_row, head_text, labels_to_codes, numbers

VALUE = "Value"
FLAG = "Flag and Footnotes"
EXPECTED_HEADER = '"TIME","GEO",...,"Value"[,"Flag and Footnotes"]'
# Legacy dimension names that today's Eurostat datasets call differently. INDIC_MG of migr_eirtn
# ("Total number of persons returned" ...) is today's c_dest of migr_eirtn1.
RENAMED = {"INDIC_MG": "c_dest"}
_DIMENSION_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_BRACKETED = re.compile(r"\[([A-Za-z0-9_]+)\]\s*$")
# Legend blocks of the label listing (symbol, meaning) and the extra key each goes to.
_LEGENDS = {"special value": "special_values", "special values": "special_values", "available flags": "flags"}
_NO_FOOTNOTES = {"no footnotes available", "no footnotes available."}


def dimension_id(name: str) -> str:
    """Today's Eurostat id for a legacy column name: lower case, INDIC_MG -> c_dest."""
    return RENAMED.get(name, name.lower())


def _is_header(cells: list[str]) -> bool:
    """Dimension names (TIME and GEO among them), then Value, then optionally the flag column."""
    cells = [c.strip() for c in cells]
    if cells and cells[-1] == FLAG:
        cells = cells[:-1]
    if len(cells) < 3 or cells[-1] != VALUE:
        return False
    dims = cells[:-1]
    return "TIME" in dims and "GEO" in dims and all(_DIMENSION_NAME.match(d) for d in dims)


def sniff(head: bytes) -> bool:
    """A Data Explorer header: `"TIME","GEO",...,"Value"` (first cell may be unquoted)."""
    return _is_header(first_row(head_text(head)))


def sniff_labels(head: bytes) -> bool:
    """The label listing starts with `"DATASET: ... [code]"` and has a `"LAST UPDATE: ..."` line."""
    text = head_text(head).lstrip()
    return text.startswith(('"DATASET:', "DATASET:")) and "LAST UPDATE:" in text[:4096]


def _decode(data: bytes, source: str) -> str:
    """UTF-8 as exported; Windows-1252 for older exports (a wrong guess fails on the labels)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise LoaderError(source, f"not UTF-8 or Windows-1252 text (byte {exc.start})") from None


def _rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every non-blank CSV row; quoting errors name the line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                out.append((reader.line_num, row))
    except csv.Error as exc:
        raise LoaderError(source, f"broken CSV quoting ({exc})", line=reader.line_num) from None
    return out


def _in_column(column: str) -> Callable[[int], str]:
    """The note `at_lines` adds to an error: the column, the same on every row."""
    return lambda _row: f"column {column}"


def read(data: bytes, source: str) -> ReadResult:
    """Tidy rows from a legacy Data Explorer CSV: labels mapped to codes, flags kept as published."""
    rows = _rows(_decode(data, source), source)
    if not rows:
        raise LoaderError(source, "file is empty")
    header_line, header = rows[0]
    header = [c.strip() for c in header]
    if not _is_header(header):
        raise LoaderError(
            source,
            f"not a Data Explorer CSV header: {header[:10]!r}",
            line=header_line,
            expected=EXPECTED_HEADER,
        )
    body = rows[1:]
    if not body:
        raise LoaderError(source, "no observations after the header", line=header_line)
    for line, row in body:
        if len(row) != len(header):
            raise LoaderError(
                source,
                f"{len(row)} fields instead of {len(header)}",
                line=line,
                expected="one cell per column",
            )
    lines = [line for line, _ in body]
    cells = pd.DataFrame([row for _, row in body], columns=header, dtype="string")

    raw = pd.DataFrame(index=cells.index)
    raw["geo"] = at_lines(
        lambda: labels_to_codes(cells["GEO"], "geo", source, first_line=0), lines, _in_column("GEO")
    )
    raw["period"] = _periods(cells["TIME"].str.strip(), source, lines)
    for name in header[: header.index(VALUE)]:
        if name in ("TIME", "GEO"):
            continue
        dim = dimension_id(name)

        def _codes(name: str = name, dim: str = dim) -> pd.Series:
            return labels_to_codes(cells[name], dim, source, first_line=0)

        raw[dim] = at_lines(_codes, lines, _in_column(name))
    raw["value"] = at_lines(lambda: numbers(cells[VALUE], source, first_line=0), lines, _in_column(VALUE))
    raw["flag"] = (
        cells[FLAG] if FLAG in cells.columns else pd.Series(pd.NA, index=cells.index, dtype="string")
    )
    _check_unique(raw, source, lines)
    return ReadResult(frame=tidy.finish(raw, source, dataset=""), format="legacy_csv")


def _periods(raw: pd.Series, source: str, lines: list[int]) -> pd.Series:
    """Check every TIME label here, so a bad one is reported with its line (tidy.finish cannot)."""
    for period in raw.unique():
        try:
            tidy.normalise_period(str(period))
        except ValueError as exc:
            pos = int((raw == period).to_numpy().nonzero()[0][0])
            raise LoaderError(source, str(exc), line=lines[pos], expected=tidy.PERIOD_SPELLINGS) from None
    return raw


def _check_unique(raw: pd.DataFrame, source: str, lines: list[int]) -> None:
    """Two labels mapped to one code (e.g. two spellings of Germany) would silently double a series."""
    keys = [c for c in raw.columns if c not in ("value", "flag")]
    dup = raw.duplicated(keys, keep=False)
    if dup.any():
        first, second = dup.to_numpy().nonzero()[0][:2]
        key = ", ".join(f"{k}={raw[k].iloc[first]}" for k in keys)
        raise LoaderError(
            source,
            f"two rows for the same observation ({key}), also on line {lines[first]}",
            line=lines[second],
            expected="one row per observation",
        )


def _iso_update(text: str, source: str, line: int) -> str:
    """`19.06.15 06:54:23` (day.month.two-digit year) -> `2015-06-19T06:54:23`."""
    if problem := tidy.date_problem(text):
        raise LoaderError(source, f"impossible date {text.strip()!r}: {problem}", line=line)
    for pattern in ("%d.%m.%y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d.%m.%y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).isoformat()
        except ValueError:
            continue
    raise LoaderError(source, f"unreadable date {text!r}", line=line, expected="dd.mm.yy hh:mm:ss")


def _legend(cell: str) -> str | None:
    """Extra key a legend heading fills: `Special value:` -> special_values, `Available flags:` -> flags."""
    return _LEGENDS.get(cell.rstrip(":").strip().lower())


def _read_legends(block: list[tuple[int, list[str]]], legends: dict[str, dict[str, str]]) -> None:
    """`symbol, meaning` rows under each legend heading; both headings may share one block."""
    target = legends["special_values"]
    for _, row in block:
        key = _legend(row[0]) if len(row) == 1 else None
        if key is not None:
            target = legends[key]
        else:
            target[row[0]] = row[1] if len(row) > 1 else ""


def read_labels(data: bytes, source: str) -> ReadResult:
    """Dataset code, last update and the labels of each dimension from a Data Explorer listing."""
    rows = _rows(_decode(data, source), source)
    if not rows:
        raise LoaderError(source, "file is empty")
    # Blocks are separated by blank lines, which _rows dropped: rebuild them from the line numbers.
    blocks: list[list[tuple[int, list[str]]]] = []
    previous = None
    for line, row in rows:
        if previous is None or line != previous + 1:
            blocks.append([])
        blocks[-1].append((line, [c.strip() for c in row]))
        previous = line

    header: dict[str, tuple[int, str]] = {}
    legends: dict[str, dict[str, str]] = {"special_values": {}, "flags": {}}
    footnotes: list[str] = []
    listing: list[dict[str, str]] = []
    for block in blocks:
        line, first = block[0]
        key, sep, rest = first[0].partition(":")
        if _legend(first[0]) is not None:
            _read_legends(block, legends)
        elif len(block) == 1 and len(first) == 1 and first[0].lower() in _NO_FOOTNOTES:
            continue  # "No footnotes available": nothing to keep
        elif first[0].rstrip(":").lower() == "footnotes":
            footnotes += [", ".join(c for c in r if c) for _, r in block[1:]]
        elif len(block) == 1 and sep and len(first) == 1:
            header[key.strip().upper()] = (line, rest.strip())
        elif len(first) == 1 and _DIMENSION_NAME.match(first[0]):
            dim = dimension_id(first[0])
            for row_line, row in block[1:]:
                if len(row) != 1:
                    raise LoaderError(
                        source,
                        f"{len(row)} cells in the {first[0]} listing",
                        line=row_line,
                        expected="one label",
                    )
                listing.append({"dimension": dim, "label": row[0]})
        else:
            raise LoaderError(
                source,
                f"unexpected block starting {first[0][:60]!r}",
                line=line,
                expected="`KEY: value` lines, dimension listings, `Special value:` or `Available flags:`",
            )

    if "DATASET" not in header:
        raise LoaderError(source, "no DATASET line", line=1, expected='"DATASET: title [code]"')
    line, title = header["DATASET"]
    code = _BRACKETED.search(title)
    if code is None:
        raise LoaderError(source, f"no [code] in the DATASET line {title!r}", line=line)
    if "LAST UPDATE" not in header:
        raise LoaderError(source, "no LAST UPDATE line", expected='"LAST UPDATE: dd.mm.yy hh:mm:ss"')
    last_update = _iso_update(header["LAST UPDATE"][1], source, header["LAST UPDATE"][0])
    if not listing:
        raise LoaderError(source, "no dimension listings", expected="a block per dimension (TIME, GEO ...)")
    extra: dict = {"title": _BRACKETED.sub("", title).strip(), **legends, "footnotes": footnotes}
    if "EXTRACTION DATE" in header:
        extra["extracted"] = _iso_update(header["EXTRACTION DATE"][1], source, header["EXTRACTION DATE"][0])
    if "SOURCE OF DATA" in header:
        extra["source_of_data"] = header["SOURCE OF DATA"][1]
    frame = pd.DataFrame(listing, columns=["dimension", "label"], dtype="string")
    return ReadResult(
        frame=frame,
        format="legacy_csv_labels",
        dataset=code.group(1).lower(),
        last_update=last_update,
        extra=extra,
        kind="metadata",
    )


FORMATS = [("legacy_csv", sniff, read), ("legacy_csv_labels", sniff_labels, read_labels)]
