"""UNHCR's population statistics API (JSON): refugees, asylum seekers and others hosted, by year.

`{base}/population/?yearFrom=2008&yearTo=<this year>&coa=AUT,BEL,...&coa_all=true&cf_type=ISO`
asks for one row per country of asylum (EU and EFTA, ISO3 codes) and year, all origins together
(the same table as the Refugee Data Finder's CSV export). Answers are paged (`page`, `maxPages`);
we ask for large pages and fetch any further ones as separate raw files. Read by
loaders/formats/unhcr_api.py.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from loaders import geo
from loaders.fetch import HttpClient
from loaders.registry import Dataset
from loaders.sources import CacheLookup, Download, FetchOptions, Plan, download

PUBLISHER = "unhcr"
PAGE_SIZE = 10_000
MAX_PAGES = 50  # a safety stop: our query is a few hundred rows


def asylum_countries() -> list[str]:
    """ISO3 codes of the countries of asylum we show: EU27 and EFTA."""
    codes = [geo.iso3_for(c) for c in (*geo.EU27_2020, *geo.EFTA)]
    return sorted(c for c in codes if c)


def population_url(base: str, *, year_from: int, year_to: int, page: int = 1) -> str:
    params = {
        "limit": str(PAGE_SIZE),
        "page": str(page),
        "yearFrom": str(year_from),
        "yearTo": str(year_to),
        "coa": ",".join(asylum_countries()),
        "coa_all": "true",
        "cf_type": "ISO",
    }
    return f"{base}/population/?{urlencode(params)}"


def plan(dataset: Dataset, base: str, options: FetchOptions, cache: CacheLookup | None = None) -> Plan:
    year_from = int(options.start_period[:4])
    year_to = options.end_year or dt.datetime.now(dt.UTC).year
    first = population_url(base, year_from=year_from, year_to=year_to)

    def fetch(client: HttpClient) -> list[Download]:
        pages = [download(client, first, ext="json", cache=cache, desc="unhcr population")]
        for page in range(2, min(_max_pages(pages[0].body), MAX_PAGES) + 1):
            url = population_url(base, year_from=year_from, year_to=year_to, page=page)
            pages.append(download(client, url, ext="json", cache=cache, label=f"page{page:02d}"))
        if len(pages) > 1:
            pages[0].label = "page01"
        return pages

    return Plan(dataset.id, PUBLISHER, [first], fetch)


def _max_pages(body: bytes) -> int:
    """`maxPages` of an answer; 1 when absent or unreadable (the reader then says what is wrong)."""
    try:
        return max(1, int(json.loads(body).get("maxPages") or 1))
    except (ValueError, TypeError, AttributeError):
        return 1
