"""UNHCR Refugee Data Finder CSV export: people UNHCR counts by country of asylum, at the end of each year.

Layout (the Data Finder's "download CSV"): `Year,"Country of Asylum","Country of Origin","Country of
Asylum ISO","Country of Origin ISO"`, then one column per population type (Refugees, Returned
Refugees, Asylum Seekers, IDPs, Returned IDPs, Stateless, HST, OOC). Only this layout for now; the
live refresh from UNHCR's API will be a separate reader.

Tidy output (dataset `unhcr_population`, annual, end-year stocks): geo = Eurostat code of the country
of asylum (ISO3 -> code: GRC -> EL); citizen = country of origin (`-`, UNHCR's "all origins", ->
TOTAL; otherwise ISO3 -> Eurostat code); breakdown population = one code per measure column (the
wide table is melted); value as published, empty or `-` -> null (never 0: UNHCR's own 0 stays 0);
no flags. The shared file has origin `-` only and a number in every cell.
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

FORMAT = "unhcr_population"
DATASET = "unhcr_population"
KEY_COLUMNS = [
    "Year",
    "Country of Asylum",
    "Country of Origin",
    "Country of Asylum ISO",
    "Country of Origin ISO",
]
# Measure column -> population code.
POPULATIONS: dict[str, str] = {
    "Refugees": "REFUGEES",
    "Returned Refugees": "RETURNED_REFUGEES",
    "Asylum Seekers": "ASYLUM_SEEKERS",
    "IDPs": "IDPS",
    "Returned IDPs": "RETURNED_IDPS",
    "Stateless": "STATELESS",
    "HST": "HST",  # host community
    "OOC": "OOC",  # others of concern to UNHCR
}
COLUMNS = KEY_COLUMNS + list(POPULATIONS)
# UNHCR origin codes that are not ISO3 -> Eurostat citizen code. Only "-" (all origins) occurs in the
# export we have; any other non-ISO code is refused until it is looked at and added here.
ORIGIN_CODES: dict[str, str] = {"-": "TOTAL"}

_YEAR = re.compile(r"^\d{4}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


def sniff(head: bytes) -> bool:
    """Exactly the Data Finder header (quoting aside)."""
    return _first_row(head_text(head)) == COLUMNS


def read(data: bytes, source: str) -> ReadResult:
    """One tidy row per (year, country of asylum, origin, population type)."""
    text, raw = _read_csv(data, source, COLUMNS)
    lines = _LineFinder(text)

    bad_year = ~raw["Year"].str.match(_YEAR.pattern)
    if bad_year.any():
        pos = _first(bad_year)
        raise LoaderError(
            source, f"bad year {raw['Year'].iloc[pos]!r}", line=lines.line(pos), expected="YYYY"
        )
    asylum = _map_column(
        raw["Country of Asylum ISO"],
        _iso3_table(raw["Country of Asylum ISO"], {}),
        "country of asylum code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code",
    )
    origin = raw["Country of Origin ISO"]
    citizen = _map_column(
        origin,
        _iso3_table(origin, ORIGIN_CODES),
        "country of origin code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code or '-' (all origins)",
    )

    wide = pd.DataFrame({"geo": asylum, "period": raw["Year"], "citizen": citizen})
    _refuse_duplicates(
        wide,
        ["geo", "period", "citizen"],
        raw,
        ["Year", "Country of Asylum ISO", "Country of Origin ISO"],
        source,
        lines,
    )
    for column, code in POPULATIONS.items():
        cells = raw[column].mask(raw[column].str.strip() == "-", "")
        wide[code] = _numbers(cells, source, lines)
    frame = wide.melt(
        id_vars=["geo", "period", "citizen"],
        value_vars=list(POPULATIONS.values()),
        var_name="population",
        value_name="value",
    )
    frame["flag"] = None
    return ReadResult(tidy.finish(frame, source, DATASET), format=FORMAT, dataset=DATASET)


def _iso3_table(codes: pd.Series, special: dict[str, str]) -> dict[str, str]:
    """Code -> Eurostat code for the distinct codes present; unknown ones left out."""
    table = {}
    for code in codes.unique():
        found = special.get(code) or (geo.code_for_iso3(code) if _ISO3.match(code) else None)
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
