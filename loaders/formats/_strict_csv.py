"""Strict CSV for the derived files (frontex, unhcr, iom): exact header, cells as text, real line numbers.

These files have a fixed header and codes or labels from a known list: anything unexpected is an
error naming its line, never a guess. Blank lines and quoted newlines make a row's position differ
from its file line, so errors ask `LineFinder` for the real one.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import pandas as pd

from loaders import geo
from loaders.errors import LoaderError
from loaders.formats._common import at_lines, first_row, numbers

_ISO3 = re.compile(r"^[A-Z]{3}$")


class LineFinder(Sequence[int]):
    """File line of each data row, for error messages only (quoted newlines and blank lines shift it).

    Found by reading the text again when asked, so a file without errors never pays for it.
    """

    def __init__(self, text: str, rows: int):
        self.text = text
        self.rows = rows

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, pos: int) -> int:
        if not 0 <= pos < self.rows:
            raise IndexError(pos)
        reader = csv.reader(io.StringIO(self.text, newline=""))
        next(reader)
        start, row_number = 2, -1
        for row in reader:
            if row:  # pandas skips blank lines
                row_number += 1
                if row_number == pos:
                    return start
            start = reader.line_num + 1
        return start


def read_csv(data: bytes, source: str, columns: list[str]) -> tuple[pd.DataFrame, LineFinder]:
    """All cells as strings (no NA guessing: NAM stays Namibia); the header must match exactly."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(source, f"file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        raise LoaderError(source, "file is empty")
    header = first_row(text)
    if header != columns:
        raise LoaderError(source, f"unexpected header {header!r}", line=1, expected=",".join(columns))
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, ValueError) as exc:
        where = re.search(r"line (\d+)", str(exc))
        line = int(where.group(1)) if where else None
        raise LoaderError(source, f"malformed CSV: {str(exc).strip()}", line=line) from None
    if frame.empty:
        raise LoaderError(source, "file has a header but no data lines")
    return frame, LineFinder(text, len(frame))


def first_true(mask: pd.Series) -> int:
    """Position of the first row where `mask` holds, the one an error names."""
    return int(mask.to_numpy().nonzero()[0][0])


def iso3_table(codes: pd.Series, special: dict[str, str]) -> dict[str, str]:
    """Code -> Eurostat code for the distinct codes present; unknown ones left out for `map_column` to report.

    `special` holds the publisher's non-ISO codes and wins over the ISO3 lookup.
    """
    table = {}
    for code in codes.unique():
        found = special.get(code) or (geo.code_for_iso3(code) if _ISO3.match(code) else None)
        if found is not None:
            table[code] = found
    return table


def map_column(
    series: pd.Series, table: dict[str, str], what: str, source: str, lines: LineFinder, expected: str
) -> pd.Series:
    """Map codes or labels through an explicit table; the first unknown one is an error naming its line."""
    mapped = series.map(table)
    unknown = mapped.isna()
    if unknown.any():
        pos = first_true(unknown)
        raise LoaderError(source, f"unknown {what} {series.iloc[pos]!r}", line=lines[pos], expected=expected)
    return mapped.astype("string")


def require_pattern(
    series: pd.Series, pattern: re.Pattern[str], what: str, source: str, lines: LineFinder, expected: str
) -> None:
    """Every cell must match `pattern` (a year, a month); the first that does not is an error at its line."""
    bad = ~series.str.match(pattern.pattern)
    if bad.any():
        pos = first_true(bad)
        raise LoaderError(source, f"bad {what} {series.iloc[pos]!r}", line=lines[pos], expected=expected)


def parse_numbers(series: pd.Series, source: str, lines: LineFinder) -> pd.Series:
    """`_common.numbers`, with a bad cell reported at its file line rather than its row number."""
    return at_lines(lambda: numbers(series, source, first_line=0), lines)


def parse_counts(series: pd.Series, source: str, lines: LineFinder) -> pd.Series:
    """`parse_numbers` for a column these files fill on every line: an empty cell means a cut-off file."""
    empty = series.str.strip() == ""
    if empty.any():
        raise LoaderError(
            source,
            "empty count (the file has a number on every line: truncated?)",
            line=lines[first_true(empty)],
        )
    return parse_numbers(series, source, lines)


def refuse_duplicates(
    frame: pd.DataFrame,
    keys: list[str],
    raw: pd.DataFrame,
    raw_keys: list[str],
    source: str,
    lines: LineFinder,
) -> None:
    """Two lines for one observation (after mapping codes) are refused, naming both lines."""
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        first = first_true(dup)
        same = (frame[keys] == frame.loc[first, keys]).all(axis=1)
        second = int(same.to_numpy().nonzero()[0][1])
        cells = ", ".join(f"{c}={raw.iloc[second][c]}" for c in raw_keys)
        raise LoaderError(
            source,
            f"duplicate observation {cells} (first on line {lines[first]})",
            line=lines[second],
            expected="one line per key",
        )
