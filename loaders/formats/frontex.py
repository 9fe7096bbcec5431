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

import re

import pandas as pd

from loaders import tidy
from loaders.formats import ReadResult
from loaders.formats import _strict_csv as strict
from loaders.formats._common import first_row, head_text

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


def route_labels() -> dict[str, str]:
    """Route id -> Frontex's label, for legends and the data dictionary."""
    return dict(ROUTES)


def sniff(head: bytes) -> bool:
    """Exactly the derived header `route,type,nat,t,n`."""
    return first_row(head_text(head)) == COLUMNS


def read(data: bytes, source: str) -> ReadResult:
    """Tidy monthly detections; one row per (route, border type, nationality, month)."""
    raw, lines = strict.read_csv(data, source, COLUMNS)

    route = strict.map_column(
        raw["route"],
        {label: rid for rid, label in ROUTES.items()},
        "route label",
        source,
        lines,
        expected="a route label listed in frontex.ROUTES",
    )
    border = strict.map_column(
        raw["type"], BORDER_TYPES, "border type", source, lines, expected="Land or Sea"
    )
    citizen = strict.map_column(
        raw["nat"],
        strict.iso3_table(raw["nat"], NATIONALITY_CODES),
        "nationality code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code or one of frontex.NATIONALITY_CODES",
    )
    strict.require_pattern(raw["t"], _MONTH_START, "month", source, lines, expected="YYYY-MM-01")
    tidy.check_periods(raw["t"], source, lines, expected="YYYY-MM-01, from 1900 to next year")
    value = strict.parse_counts(raw["n"], source, lines)

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
    strict.refuse_duplicates(
        frame, ["geo", "border_type", "citizen", "period"], raw, ["route", "type", "nat", "t"], source, lines
    )
    return ReadResult(tidy.finish(frame, source, DATASET), format=FORMAT, dataset=DATASET)


FORMATS = [(FORMAT, sniff, read)]
