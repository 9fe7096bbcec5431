"""IOM Missing Migrants Project: one CSV download (IOM's all-data file, or IOM_MMP_URL)."""

from __future__ import annotations

from loaders.fetch import HttpClient
from loaders.registry import Dataset
from loaders.sources import CacheLookup, Download, FetchOptions, Plan, download

PUBLISHER = "iom"


def plan(dataset: Dataset, url: str, options: FetchOptions, cache: CacheLookup | None = None) -> Plan:
    def fetch(client: HttpClient) -> list[Download]:
        return [download(client, url, ext="csv", cache=cache, desc="iom missing migrants")]

    return Plan(dataset.id, PUBLISHER, [url], fetch)
