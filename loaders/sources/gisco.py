"""GISCO (Eurostat's geographic service): the NUTS 2021 level-0 country shapes and label points.

Two GeoJSON files, polygons first (build.reference_tables expects that order). The NUTS 2021
vintage at 1:60 million never changes once published, so `update` fetches it only when the
snapshot has no shapes yet, with --force, or when gisco_countries is named.
"""

from __future__ import annotations

from loaders.fetch import HttpClient
from loaders.registry import Dataset
from loaders.sources import CacheLookup, Download, FetchOptions, Plan, download

PUBLISHER = "gisco"
LAYERS = (
    ("polygons", "nuts/geojson/NUTS_RG_60M_2021_4326_LEVL_0.geojson"),
    ("labels", "nuts/geojson/NUTS_LB_2021_4326_LEVL_0.geojson"),
)


def urls(base: str) -> list[tuple[str, str]]:
    """(label, URL) of each layer, polygons first."""
    return [(label, f"{base}/{path}") for label, path in LAYERS]


def plan(dataset: Dataset, base: str, options: FetchOptions, cache: CacheLookup | None = None) -> Plan:
    layers = urls(base)

    def fetch(client: HttpClient) -> list[Download]:
        return [
            download(client, url, ext="geojson", cache=cache, label=label, desc=f"gisco {label}")
            for label, url in layers
        ]

    return Plan(dataset.id, PUBLISHER, [u for _, u in layers], fetch, kind="reference")
