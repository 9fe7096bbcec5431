"""UNHCR population API JSON (`api.unhcr.org/population/v1/population/`): the live twin of unhcr.py.

An answer is one page: `{"page": 1, "maxPages": 1, "items": [{"year": 2024, "coa_iso": "DEU",
"coo_iso": "-", "refugees": 1234, "asylum_seekers": ..., ...}]}`. Each item is one (year, country
of asylum, country of origin) with one number per population type, like one line of the Refugee
Data Finder's CSV export; the tidy frame is the same as loaders/formats/unhcr.py's (same dataset,
codes and population names), so a live page and the CSV export merge without any mapping.
The API also has `oip` (other people in need of international protection), which the CSV export we
have lacks: it becomes population OIP when present. Missing numbers (null, "-", "") are null, never 0.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from loaders import geo, tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import head_text
from loaders.formats.unhcr import DATASET, ORIGIN_CODES

FORMAT = "unhcr_api_json"
# API field -> population code (unhcr.py's codes, in its order; OIP only exists in the API).
FIELDS: dict[str, str] = {
    "refugees": "REFUGEES",
    "returned_refugees": "RETURNED_REFUGEES",
    "asylum_seekers": "ASYLUM_SEEKERS",
    "idps": "IDPS",
    "returned_idps": "RETURNED_IDPS",
    "stateless": "STATELESS",
    "hst": "HST",
    "ooc": "OOC",
    "oip": "OIP",
}
_ITEMS = re.compile(r'"items"\s*:\s*\[')
_PAGING = re.compile(r'"(?:maxPages|page)"\s*:')
_ISO3 = re.compile(r"^[A-Z]{3}$")
_MISSING = (None, "", "-")


def sniff(head: bytes) -> bool:
    """A JSON object with the API's paging fields and an `items` list."""
    text = head_text(head).lstrip()
    return text.startswith("{") and bool(_ITEMS.search(text)) and bool(_PAGING.search(text))


def read(data: bytes, source: str) -> ReadResult:
    """One tidy row per (year, country of asylum, origin, population type) present in the page."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LoaderError(source, f"not valid JSON ({exc})") from None
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise LoaderError(source, "no `items` list", expected="a UNHCR population API answer")
    if not items:
        raise LoaderError(source, "the API answered with no items (no data for this query)")
    present = [f for f in FIELDS if any(isinstance(it, dict) and f in it for it in items)]
    if not present:
        raise LoaderError(source, "items have no population field", expected=", ".join(FIELDS))

    rows, seen = [], {}
    for n, item in enumerate(items):
        where = f"items[{n}]"
        if not isinstance(item, dict):
            raise LoaderError(source, f"{where} is not an object")
        year = str(item.get("year", "")).strip()
        if not re.fullmatch(r"\d{1,4}", year):
            raise LoaderError(source, f"{where} has year {item.get('year')!r}", expected="YYYY")
        if problem := tidy.year_problem(int(year)):  # JSON's 0 for 0000, or 6016
            raise LoaderError(source, f"{where} has year {item.get('year')!r}: {problem}", expected="YYYY")
        asylum = _code(item, "coa", source, where, {})
        origin = _code(item, "coo", source, where, ORIGIN_CODES)
        key = (year, asylum, origin)
        if key in seen:
            raise LoaderError(source, f"{where} repeats year {year}, asylum {asylum}, origin {origin}")
        seen[key] = n
        row = {"geo": asylum, "period": year, "citizen": origin}
        for field in present:
            row[FIELDS[field]] = _number(item.get(field), source, f"{where}.{field}")
        rows.append(row)

    wide = pd.DataFrame(rows)
    frame = wide.melt(
        id_vars=["geo", "period", "citizen"],
        value_vars=[FIELDS[f] for f in present],
        var_name="population",
        value_name="value",
    )
    frame["flag"] = None
    extra = {"page": doc.get("page"), "max_pages": doc.get("maxPages"), "items": len(items)}
    return ReadResult(tidy.finish(frame, source, DATASET), format=FORMAT, dataset=DATASET, extra=extra)


def _code(item: dict, side: str, source: str, where: str, special: dict[str, str]) -> str:
    """Country of asylum/origin as a Eurostat code, from `<side>_iso` (or `<side>` with cf_type=ISO)."""
    raw = item.get(f"{side}_iso", item.get(side))
    text = str(raw).strip() if raw is not None else ""
    found = special.get(text) or (geo.code_for_iso3(text) if _ISO3.match(text) else None)
    if found is None:
        what = "country of asylum" if side == "coa" else "country of origin"
        raise LoaderError(
            source, f"{where} has unknown {what} code {raw!r}", expected="an ISO 3166 alpha-3 code"
        )
    return found


def _number(value: object, source: str, where: str) -> float | None:
    if value in _MISSING:
        return None
    if isinstance(value, bool):
        raise LoaderError(source, f"{where} is {value!r}", expected="a number")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        raise LoaderError(source, f"{where} is {value!r}", expected="a number, null or '-'") from None


FORMATS = [(FORMAT, sniff, read)]
