"""Where each publisher's live data is, and how to ask for it: one small module per publisher.

Every module turns a registry dataset into a `Plan`: the URLs a dry run shows, and a `fetch`
that returns the raw answers (`Download`s) exactly as the server sent them. Validating, caching
and building happen in loaders/update.py, the same way for every publisher.

Base addresses come from the command line, then the environment, then the real publishers'
endpoints (see `Endpoints.from_env`), so a mirror or a local test server can stand in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from loaders.errors import LoaderError
from loaders.fetch import CachedRaw, HttpClient, Response
from loaders.registry import EUROSTAT_API, GISCO_API, IOM_ALL_DATA, UNHCR_API

# Environment variable -> Endpoints field.
ENV_VARS = {
    "EUROSTAT_API_BASE": "eurostat",
    "GISCO_API_BASE": "gisco",
    "UNHCR_API_BASE": "unhcr",
    "IOM_MMP_URL": "iom_url",
    "FRONTEX_URL": "frontex_url",
}


@dataclass(frozen=True)
class Endpoints:
    """Base address of every publisher (no trailing slash), and where Frontex's file is."""

    eurostat: str = EUROSTAT_API
    gisco: str = GISCO_API
    unhcr: str = UNHCR_API
    iom_url: str = IOM_ALL_DATA
    frontex_url: str | None = None
    frontex_file: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **given: str | Path | None) -> Endpoints:
        """Command-line values (`given`, None = not given) win over environment variables over defaults."""
        env = os.environ if env is None else env
        values: dict = {}
        for var, name in ENV_VARS.items():
            if env.get(var):
                values[name] = env[var]
        values.update({k: v for k, v in given.items() if v})
        for name in ("eurostat", "gisco", "unhcr"):
            if name in values:
                values[name] = str(values[name]).rstrip("/")
        if values.get("frontex_file"):
            values["frontex_file"] = Path(values["frontex_file"])
        return cls(**values)


@dataclass
class Download:
    """One raw answer as received. `cached` is set when a 304 told us our cached copy is current."""

    url: str
    body: bytes
    ext: str
    label: str = ""  # tells several answers for one dataset apart (split parts, pages, layers)
    etag: str | None = None
    last_modified: str | None = None
    cached: Path | None = None


@dataclass
class FetchOptions:
    """Knobs shared by all publishers (tests shorten the waits)."""

    start_period: str = "2008"  # Eurostat startPeriod when the snapshot does not say otherwise
    end_year: int | None = None  # last year for splitting a too-big request; None = this year
    known_geos: tuple[str, ...] = ()  # geo codes to split by when a single year is still too big
    poll_delay: float = 10.0  # Eurostat asynchronous answers: seconds between status checks
    poll_timeout: float = 900.0  # ... and the total time we wait for one
    conditional: bool = True  # send If-None-Match / If-Modified-Since for cached answers
    start_by_dataset: dict[str, str] = field(default_factory=dict)  # earlier starts, from the snapshot


Fetch = Callable[[HttpClient], list[Download]]
CacheLookup = Callable[[str], CachedRaw | None]  # url -> our newest intact cached answer for it


def conditional_get(
    client: HttpClient, url: str, cache: CacheLookup | None, desc: str | None = None
) -> tuple[Response, Path | None]:
    """GET, conditional when we hold a cached answer; on 304 the body is our cached copy's bytes."""
    cached = cache(url) if cache else None
    resp = client.get(url, validators=cached.validators if cached else None, desc=desc)
    if resp.not_modified:
        if cached is None:  # a 304 we did not ask for
            raise LoaderError(url, "server answered 304 Not Modified to an unconditional request")
        resp.body = cached.path.read_bytes()
        return resp, cached.path
    return resp, None


def download(
    client: HttpClient,
    url: str,
    *,
    ext: str,
    cache: CacheLookup | None,
    label: str = "",
    desc: str | None = None,
) -> Download:
    """One URL, one Download (the simple case: GISCO, UNHCR pages, IOM, Frontex)."""
    resp, cached = conditional_get(client, url, cache, desc)
    return Download(url, resp.body, guess_ext(resp.body, ext), label, resp.etag, resp.last_modified, cached)


@dataclass
class Plan:
    """What refreshing one dataset takes: the publisher folder for the raw cache, URLs, and how."""

    dataset_id: str
    publisher: str  # folder name under data/raw/
    urls: list[str]
    fetch: Fetch
    kind: str = "observations"  # observations | reference
    note: str = ""


def guess_ext(body: bytes, default: str) -> str:
    """File extension for the raw cache, from the bytes (gzip and zip are what the API may wrap)."""
    if body[:2] == b"\x1f\x8b":
        return default if default.endswith(".gz") else f"{default}.gz"
    if body[:4] == b"PK\x03\x04":
        return default if default in ("xlsx", "zip") else "zip"
    if body[:4] == b"PAR1":
        return "parquet"
    return default.removesuffix(".gz")
