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

import re

import pandas as pd

from loaders import tidy
from loaders.formats import ReadResult
from loaders.formats import _strict_csv as strict
from loaders.formats._common import first_row, head_text

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


def sniff(head: bytes) -> bool:
    """Exactly the Data Finder header (quoting aside)."""
    return first_row(head_text(head)) == COLUMNS


def read(data: bytes, source: str) -> ReadResult:
    """One tidy row per (year, country of asylum, origin, population type)."""
    raw, lines = strict.read_csv(data, source, COLUMNS)

    strict.require_pattern(raw["Year"], _YEAR, "year", source, lines, expected="YYYY")
    tidy.check_periods(raw["Year"], source, lines, expected="YYYY, from 1900 to next year")
    asylum = strict.map_column(
        raw["Country of Asylum ISO"],
        strict.iso3_table(raw["Country of Asylum ISO"], {}),
        "country of asylum code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code",
    )
    origin = raw["Country of Origin ISO"]
    citizen = strict.map_column(
        origin,
        strict.iso3_table(origin, ORIGIN_CODES),
        "country of origin code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code or '-' (all origins)",
    )

    wide = pd.DataFrame({"geo": asylum, "period": raw["Year"], "citizen": citizen})
    strict.refuse_duplicates(
        wide,
        ["geo", "period", "citizen"],
        raw,
        ["Year", "Country of Asylum ISO", "Country of Origin ISO"],
        source,
        lines,
    )
    for column, code in POPULATIONS.items():
        cells = raw[column].mask(raw[column].str.strip() == "-", "")
        wide[code] = strict.parse_numbers(cells, source, lines)
    frame = wide.melt(
        id_vars=["geo", "period", "citizen"],
        value_vars=list(POPULATIONS.values()),
        var_name="population",
        value_name="value",
    )
    frame["flag"] = None
    return ReadResult(tidy.finish(frame, source, DATASET), format=FORMAT, dataset=DATASET)


FORMATS = [(FORMAT, sniff, read)]
