"""One key for every country: Eurostat's geo code (ISO 3166 alpha-2, except EL and UK).

Eurostat files use codes or labels (and labels change between vintages); UNHCR, IOM and Frontex
use ISO3. Everything is mapped here, once, so all sources join on `geo`. Unknown labels or codes
are never guessed: callers get None and must raise with the file and line.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd
import pycountry

_REFERENCE = Path(__file__).parent / "reference" / "geo_labels.tsv"

# EU membership: (first year a member, last year a member or None). Source: europa.eu.
EU_MEMBERS: dict[str, tuple[int, int | None]] = {
    **{c: (1958, None) for c in ("BE", "DE", "FR", "IT", "LU", "NL")},
    "DK": (1973, None), "IE": (1973, None), "UK": (1973, 2020),
    "EL": (1981, None), "ES": (1986, None), "PT": (1986, None),
    **{c: (1995, None) for c in ("AT", "FI", "SE")},
    **{c: (2004, None) for c in ("CY", "CZ", "EE", "HU", "LT", "LV", "MT", "PL", "SI", "SK")},
    "BG": (2007, None), "RO": (2007, None), "HR": (2013, None),
}  # fmt: skip
EU27_2020 = sorted(c for c, (_, left) in EU_MEMBERS.items() if left is None)
EFTA = ("CH", "IS", "LI", "NO")
# European Migration Network: national contact points in every member state but Denmark
# (observer), plus Norway.
EMN_MEMBERS = sorted([c for c in EU27_2020 if c != "DK"] + ["NO"])
AGGREGATES = {
    "EU27_2020": "EU 27 (from 2020)",
    "EU28": "EU 28 (2013-2020)",
    "EU27_2007": "EU 27 (2007-2013)",
    "EA20": "Euro area 20",
    "EA19": "Euro area 19",
    "EA18": "Euro area 18",
    "EFTA": "EFTA",
    "EEA30_2007": "EEA (EU27 2007-2013 and IS, LI, NO)",
    "EEA31": "EEA (EU28 and IS, LI, NO)",
    "EEA30_2020": "EEA (EU27 from 2020 and IS, LI, NO)",
    "TOTAL": "Total",
}

# Labels seen in publishers' files that differ from today's geo_en.dic label.
LABEL_ALIASES: dict[str, str] = {
    "Germany": "DE",
    "Czech Republic": "CZ",
    "Former Yugoslav Republic of Macedonia, the": "MK",
    "Turkey": "TR",
    "Kosovo*": "XK",
    "Germany (including former GDR)": "DE_TOT",
    # Legacy (before 2019) aggregate names: EU27_2007 is the EU before Croatia, not EU27_2020.
    "European Union (28 countries)": "EU28",
    "European Union (27 countries)": "EU27_2007",
    "Euro area (18 countries)": "EA18",
    "Euro area (19 countries)": "EA19",
    "European Economic Area (EU-27 plus IS, LI, NO)": "EEA30_2007",
    "European Economic Area (EU-28 plus IS, LI, NO)": "EEA31",
}

# Eurostat codes whose ISO 3166 alpha-2 differs, and codes ISO 3166 does not have.
_EUROSTAT_TO_ISO2 = {"EL": "GR", "UK": "GB"}
_ISO2_TO_EUROSTAT = {v: k for k, v in _EUROSTAT_TO_ISO2.items()}
_ISO3_EXTRA = {"XKX": "XK", "XXK": "XK", "KOS": "XK"}  # Kosovo: UNHCR/World Bank/other spellings


@cache
def _eurostat_labels() -> dict[str, str]:
    """code -> label for countries and our aggregates, from the committed reference table."""
    with _REFERENCE.open(encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return {row["code"]: row["label"] for row in rows}


@cache
def label_index() -> dict[str, str]:
    """label -> code. Country-level codes only, so "Malta" is MT, never MT0 or MT001."""
    index = {label: code for code, label in _eurostat_labels().items()}
    index.update(LABEL_ALIASES)
    return index


def code_for_label(label: str) -> str | None:
    """Eurostat geo code for a country or aggregate label, or None when unknown."""
    return label_index().get(label.strip())


def eurostat_label(code: str) -> str | None:
    """Today's Eurostat English label for a code."""
    return _eurostat_labels().get(code)


def iso2_for(code: str) -> str | None:
    """ISO 3166 alpha-2 for a Eurostat country code (EL -> GR, UK -> GB)."""
    if len(code) != 2:
        return None
    return _EUROSTAT_TO_ISO2.get(code, code)


def iso3_for(code: str) -> str | None:
    """ISO 3166 alpha-3 for a Eurostat country code, None for aggregates."""
    iso2 = iso2_for(code)
    if iso2 is None:
        return None
    if iso2 == "XK":
        return "XKX"
    country = pycountry.countries.get(alpha_2=iso2)
    return country.alpha_3 if country else None


@cache
def code_for_iso3(iso3: str) -> str | None:
    """Eurostat geo code for an ISO3 code (GRC -> EL, GBR -> UK), None when unknown."""
    iso3 = iso3.strip().upper()
    if iso3 in _ISO3_EXTRA:
        return _ISO3_EXTRA[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return None
    return _ISO2_TO_EUROSTAT.get(country.alpha_2, country.alpha_2)


def reference_table() -> pd.DataFrame:
    """The rows of data/geo.parquet: every country code and our aggregates."""
    rows = []
    for code, label in sorted(_eurostat_labels().items()):
        is_aggregate = code in AGGREGATES or len(code) != 2
        eu_from, eu_to = EU_MEMBERS.get(code, (None, None))
        rows.append(
            {
                "geo": code,
                "name": AGGREGATES.get(code, label) if is_aggregate else _short_name(code, label),
                "eurostat_label": label,
                "iso2": None if is_aggregate else iso2_for(code),
                "iso3": None if is_aggregate else iso3_for(code),
                "is_aggregate": is_aggregate,
                "eu_from": eu_from,
                "eu_to": eu_to,
                "eu27_2020": code in EU27_2020,
                "efta": code in EFTA,
                "emn_member": code in EMN_MEMBERS,
            }
        )
    frame = pd.DataFrame(rows)
    for col in ("geo", "name", "eurostat_label", "iso2", "iso3"):
        frame[col] = frame[col].astype("string")
    for col in ("eu_from", "eu_to"):
        frame[col] = frame[col].astype("Int16")
    return frame


def _short_name(code: str, label: str) -> str:
    """Display name: Eurostat's label without the historical qualifier."""
    short = {"DE": "Germany", "XK": "Kosovo"}
    return short.get(code, label)
