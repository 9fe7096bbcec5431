"""Frontex detections of illegal border crossings (IBC), monthly, by route, border type and nationality.

Source layout: the DERIVED CSV `route,type,nat,t,n` (IOM's gdidata conversion of Frontex's
"Monthly detections of IBC" spreadsheet): route is Frontex's published route label, type `Land` or
`Sea`, nat an ISO3 nationality, t the first day of the month, n the number of detections. These are
detections, not persons: one person crossing twice is counted twice.

Tidy output (dataset `frontex_ibc`, monthly): geo is a route id from `ROUTES`, not a country;
breakdowns border_type (land/sea) and citizen (Eurostat code); value = n; no flags. Labels and codes
are mapped through explicit tables and anything new is an error naming its line, never a guess.

Non-ISO nationality codes in the file (`NATIONALITY_CODES`). The derived file has no legend for
them; their meaning is read from the data:
- OOO: nationality not specified (e.g. 556,238 detections on the Western Balkan route in 2015,
  when most people were not identified) -> Eurostat UNK (unknown).
- STL: stateless -> Eurostat STLS.
  (In the asylum file from the same converter, OOO and STL are the only non-ISO codes, and the only
  non-country citizenships Eurostat has there are UNK and STLS.)
- OOS: only on the African routes (Central and Western Mediterranean, Western African, one
  detection Eastern Mediterranean), 2011-2022, at times most of a route's detections (Western
  African route 2021: 14,749 of 22,351):
  Frontex's "unspecified sub-Saharan nationals". Eurostat has no sub-Saharan code; its nearest is
  AFR_NSP (African countries, not specified). This reading is an inference: check it against
  Frontex's own spreadsheet when the live reader is written.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from loaders import geo, tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import head_text, numbers

FORMAT = "frontex_ibc"
DATASET = "frontex_ibc"
COLUMNS = ["route", "type", "nat", "t", "n"]

# Route id -> Frontex's published label. Ids are shared with the IOM Missing Migrants routes where
# both publishers mean the same sea route (central/eastern/western_mediterranean, western_african).
ROUTES: dict[str, str] = {
    "central_mediterranean": "Central Mediterranean Route",
    "eastern_mediterranean": "Eastern Mediterranean Route",
    "western_mediterranean": "Western Mediterranean Route",
    "western_balkan": "Western Balkan Route",
    "eastern_borders": "Eastern Borders Route",
    "black_sea": "Black Sea Route",
    "western_african": "Western African Route",
    "circular_albania_greece": "Circular Route from Albania to Greece",
    "other": "Other",
}
BORDER_TYPES: dict[str, str] = {"Land": "land", "Sea": "sea"}
# Frontex's codes that are not ISO 3166 alpha-3 -> Eurostat citizen code (see module docstring).
NATIONALITY_CODES: dict[str, str] = {"OOO": "UNK", "STL": "STLS", "OOS": "AFR_NSP"}

_MONTH_START = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-01$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


def route_labels() -> dict[str, str]:
    """Route id -> Frontex's label, for legends and the data dictionary."""
    return dict(ROUTES)


def sniff(head: bytes) -> bool:
    """Exactly the derived header `route,type,nat,t,n`."""
    return _first_row(head_text(head)) == COLUMNS


def read(data: bytes, source: str) -> ReadResult:
    """Tidy monthly detections; one row per (route, border type, nationality, month)."""
    text, raw = _read_csv(data, source, COLUMNS)
    lines = _LineFinder(text)

    route = _map_column(
        raw["route"],
        {label: rid for rid, label in ROUTES.items()},
        "route label",
        source,
        lines,
        expected="a route label listed in frontex.ROUTES",
    )
    border = _map_column(raw["type"], BORDER_TYPES, "border type", source, lines, expected="Land or Sea")
    citizen = _map_column(
        raw["nat"],
        _nationality_table(raw["nat"]),
        "nationality code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code or one of frontex.NATIONALITY_CODES",
    )
    bad_month = ~raw["t"].str.match(_MONTH_START.pattern)
    if bad_month.any():
        pos = _first(bad_month)
        raise LoaderError(
            source, f"bad month {raw['t'].iloc[pos]!r}", line=lines.line(pos), expected="YYYY-MM-01"
        )
    empty = raw["n"].str.strip() == ""
    if empty.any():
        raise LoaderError(
            source,
            "empty count (the file has a number on every line: truncated?)",
            line=lines.line(_first(empty)),
        )
    value = _numbers(raw["n"], source, lines)

    frame = pd.DataFrame(
        {
            "geo": route,
            "period": raw["t"],
            "border_type": border,
            "citizen": citizen,
            "value": value,
            "flag": None,
        }
    )
    _refuse_duplicates(
        frame, ["geo", "border_type", "citizen", "period"], raw, ["route", "type", "nat", "t"], source, lines
    )
    return ReadResult(tidy.finish(frame, source, DATASET), format=FORMAT, dataset=DATASET)


def _nationality_table(codes: pd.Series) -> dict[str, str]:
    """Code -> Eurostat citizen code for the distinct codes present; unknown ones left out."""
    table = {}
    for code in codes.unique():
        found = NATIONALITY_CODES.get(code) or (geo.code_for_iso3(code) if _ISO3.match(code) else None)
        if found is not None:
            table[code] = found
    return table


# --- strict CSV helpers (the same few lines in frontex, unhcr and iom: each reader stands alone) ---


def _first_row(text: str) -> list[str]:
    """Cells of the first line; [] when it is not CSV at all (binary, NUL bytes)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        return next(csv.reader([first]), [])
    except csv.Error:
        return []


def _read_csv(data: bytes, source: str, columns: list[str]) -> tuple[str, pd.DataFrame]:
    """All cells as strings (no NA guessing: NAM stays Namibia); the header must match exactly."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(source, f"file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        raise LoaderError(source, "file is empty")
    header = _first_row(text)
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
    return text, frame


class _LineFinder:
    """File line of a data row, for error messages only (quoted newlines and blank lines shift it)."""

    def __init__(self, text: str):
        self.text = text

    def line(self, pos: int) -> int:
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


def _first(mask: pd.Series) -> int:
    return int(mask.to_numpy().nonzero()[0][0])


def _map_column(
    series: pd.Series, table: dict[str, str], what: str, source: str, lines: _LineFinder, expected: str
) -> pd.Series:
    """Map codes or labels through an explicit table; the first unknown one is an error naming its line."""
    mapped = series.map(table)
    unknown = mapped.isna()
    if unknown.any():
        pos = _first(unknown)
        raise LoaderError(
            source,
            f"unknown {what} {series.iloc[pos]!r}",
            line=lines.line(pos),
            expected=expected,
        )
    return mapped.astype("string")


def _numbers(series: pd.Series, source: str, lines: _LineFinder) -> pd.Series:
    try:
        return numbers(series, source, first_line=0)
    except LoaderError as exc:  # `numbers` counts rows; name the file line instead
        line = lines.line(exc.line) if exc.line is not None else None
        raise LoaderError(source, exc.problem, line=line, expected=exc.expected) from None


def _refuse_duplicates(
    frame: pd.DataFrame,
    keys: list[str],
    raw: pd.DataFrame,
    raw_keys: list[str],
    source: str,
    lines: _LineFinder,
) -> None:
    """Two lines for one observation (after mapping codes) are refused, naming both lines."""
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        first = _first(dup)
        same = (frame[keys] == frame.loc[first, keys]).all(axis=1)
        second = int(same.to_numpy().nonzero()[0][1])
        cells = ", ".join(f"{c}={raw.iloc[second][c]}" for c in raw_keys)
        raise LoaderError(
            source,
            f"duplicate observation {cells} (first on line {lines.line(first)})",
            line=lines.line(second),
            expected="one line per key",
        )


FORMATS = [(FORMAT, sniff, read)]
