"""Eurostat dissemination API: filtered SDMX-CSV extractions, split when too big, polled when queued.

One request per dataset: `{base}/sdmx/2.1/data/{code}/{key}?format=SDMX-CSV&compressed=true&
startPeriod=...`, where the key lists the registry's filters in DSD order (`A.TOTAL.T.PER.TOTAL.
ASY_APP+NASY_APP.` : values of one dimension joined with `+`, an empty position is a wildcard), so
we download only the breakdowns we keep, never the full table. The order is the one Eurostat's data
structure definition gives today, read first (see eurostat_dsd.py); the registry's `dimensions` are
only the fallback when that cannot be read.

Two answers need more than one request:
- HTTP 413 `EXTRACTION_TOO_BIG`: the period range is halved (then, for a single year, the geo list)
  until every part fits; the parts are disjoint, so the build merges them without overlap.
- An asynchronous answer (HTTP 200, a SOAP envelope with `<queued><id>KEY</id>`): we poll
  `{base}/1.0/async/status/KEY` every `poll_delay` seconds until AVAILABLE, then fetch
  `{base}/1.0/async/data/KEY`; we give up after `poll_timeout` seconds or on EXPIRED/ERROR.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
import zlib
from urllib.parse import urlencode

from loaders.errors import LoaderError
from loaders.fetch import FetchError, HttpClient
from loaders.registry import Dataset
from loaders.sources import CacheLookup, Download, FetchOptions, Plan, conditional_get, guess_ext
from loaders.sources.eurostat_dsd import KeyLayout, Structures, registry_layout

PUBLISHER = "eurostat"
WAITING = ("SUBMITTED", "PROCESSING", "QUEUED")
_QUEUED = re.compile(rb"<queued>.*?<id>\s*([^<\s]+)\s*</id>", re.S)
_STATUS = re.compile(rb"<(?:\w+:)?status>\s*([A-Z_]+)\s*</(?:\w+:)?status>")
_TOO_BIG = b"EXTRACTION_TOO_BIG"


def catalogue_url(base: str) -> str:
    """The table of contents: every dataset's "last update of data", for the freshness check."""
    return f"{base}/catalogue/toc/txt?lang=en"


def series_key(dataset: Dataset, overrides: dict[str, tuple[str, ...]] | None = None) -> str:
    """SDMX key from the registry filters in the registry's order; `overrides` replace a dimension's
    values. The update itself uses the DSD's order (Extraction); this is the dry run's guess."""
    return registry_layout(dataset).key(overrides)


def data_url(
    base: str, dataset: Dataset, *, start: str | None, end: str | None = None, key: str | None = None
) -> str:
    """Full URL of one filtered SDMX-CSV extraction (gzip-compressed); no `key`: the registry's."""
    key = series_key(dataset) if key is None else key
    params = {"format": "SDMX-CSV", "compressed": "true"}
    if start:
        params["startPeriod"] = start
    if end:
        params["endPeriod"] = end
    return f"{base}/sdmx/2.1/data/{dataset.code}/{key}?{urlencode(params)}"


def plan(
    dataset: Dataset,
    base: str,
    options: FetchOptions,
    cache: CacheLookup | None = None,
    structures: Structures | None = None,
) -> Plan:
    """What `update` will ask Eurostat for this dataset: its DSD, then the data (in the registry's
    order until the DSD is read; splits, if any, are decided by the server)."""
    start = options.start_by_dataset.get(dataset.id, options.start_period)
    structures = structures if structures is not None else Structures(base)
    url = data_url(base, dataset, start=start)

    def fetch(client: HttpClient) -> list[Download]:
        layout = structures.layout(client, dataset)
        return Extraction(client, base, dataset, options, cache, layout).run(int(start[:4]))

    return Plan(dataset.id, PUBLISHER, [structures.url(dataset), url], fetch)


class Extraction:
    """One dataset's download, with the splitting and polling it may take."""

    def __init__(
        self,
        client: HttpClient,
        base: str,
        dataset: Dataset,
        options: FetchOptions,
        cache: CacheLookup | None = None,
        layout: KeyLayout | None = None,
    ):
        self.client = client
        self.base = base
        self.dataset = dataset
        self.options = options
        self.cache = cache  # for conditional requests
        self.layout = layout or registry_layout(dataset)  # the key's dimension order and filters
        self.end_year = options.end_year or dt.datetime.now(dt.UTC).year
        self.requests: list[str] = []  # every data URL asked, in order (for the report and tests)

    def run(self, start_year: int) -> list[Download]:
        downloads = self._range(start_year, None, None, whole=True)
        if not downloads:
            raise LoaderError(self.dataset.id, "Eurostat returned no observations for the registry filters")
        return downloads

    def _range(
        self, start: int, end: int | None, geos: tuple[str, ...] | None, *, whole: bool = False
    ) -> list[Download]:
        key = self.layout.key({"geo": geos} if geos else None)
        url = data_url(
            self.base, self.dataset, start=str(start), end=str(end) if end is not None else None, key=key
        )
        label = "" if whole else _label(start, end, geos)
        self.requests.append(url)
        try:
            resp, cached = conditional_get(self.client, url, self.cache, f"{self.dataset.id} {label}".strip())
        except FetchError as exc:
            if exc.status == 413 or _TOO_BIG in exc.body:
                return self._split(start, end, geos, str(exc))
            if not whole and exc.status == 404 and _no_results(exc.body):
                return []  # a split part where the dataset has no data (e.g. years before it starts)
            raise
        body = resp.body
        if not cached:
            head = _peek(body)
            if _TOO_BIG in head:
                return self._split(start, end, geos, _TOO_BIG.decode())
            if m := _QUEUED.search(head):
                body = self._poll(m.group(1).decode(), url)
        ext = guess_ext(body, "csv.gz")
        return [Download(url, body, ext, label, resp.etag, resp.last_modified, cached)]

    def _split(self, start: int, end: int | None, geos: tuple[str, ...] | None, why: str) -> list[Download]:
        """Halve the period range; a single year is split by geo; one year and one geo cannot be split."""
        last = end if end is not None else self.end_year
        if start < last and geos is None:
            mid = (start + last) // 2
            return self._range(start, mid, None) + self._range(mid + 1, end, None)
        candidates = geos or self.dataset.filters.get("geo") or self.options.known_geos
        if not self.layout.has("geo"):
            candidates = ()  # no geo position in the key to split on
        if len(candidates) < 2:
            raise LoaderError(
                self.dataset.id,
                f"Eurostat refuses the extraction as too big even for {start}"
                f"{'' if end is None or end == start else f'-{end}'} and geo {','.join(candidates) or 'all'} "
                f"({why})",
                expected="a narrower registry filter",
            )
        half = len(candidates) // 2
        parts = [tuple(sorted(candidates))[:half], tuple(sorted(candidates))[half:]]
        return [d for part in parts for d in self._range(start, end, part)]

    def _poll(self, key: str, url: str) -> bytes:
        """Wait for a queued extraction, then download it; bounded by poll_timeout."""
        status_url = f"{self.base}/1.0/async/status/{key}"
        started, waited = time.monotonic(), 0.0
        while True:
            answer = self.client.get(status_url, desc=f"{self.dataset.id} status").body
            found = _STATUS.findall(answer)
            status = found[-1].decode() if found else "UNKNOWN"
            if status == "AVAILABLE":
                body = self.client.get(f"{self.base}/1.0/async/data/{key}", desc=self.dataset.id).body
                return _unzip(body, url)
            if status not in WAITING:
                raise FetchError(url, f"Eurostat's asynchronous extraction {key} ended as {status}")
            elapsed = max(waited, time.monotonic() - started)
            if elapsed + self.options.poll_delay > self.options.poll_timeout:
                raise FetchError(
                    url,
                    f"Eurostat's asynchronous extraction {key} still {status} after {elapsed:.0f} s "
                    f"(limit {self.options.poll_timeout:.0f} s); try again later",
                )
            self.client.pause(self.options.poll_delay)
            waited += self.options.poll_delay


def _label(start: int, end: int | None, geos: tuple[str, ...] | None) -> str:
    label = f"{start}-{end if end is not None else ''}"
    if geos:
        label += f".{geos[0]}-{geos[-1]}" if len(geos) > 1 else f".{geos[0]}"
    return label


def _peek(body: bytes, size: int = 65536) -> bytes:
    """First bytes of a possibly gzip-compressed body, uncompressed (a cut archive is fine here)."""
    if body[:2] != b"\x1f\x8b":
        return body[:size]
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body[:size], size)
    except zlib.error:
        return b""


def _no_results(body: bytes) -> bool:
    text = body[:5000].upper()
    return b"NO_RESULTS" in text or b"NO RESULTS" in text or b"NO_RECORDS" in text


def _unzip(body: bytes, source: str) -> bytes:
    """The async data endpoint may send a ZIP with one file; gzip and plain bodies pass through."""
    if body[:4] != b"PK\x03\x04":
        return body
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise LoaderError(source, f"ZIP answer has {len(members)} files", expected="exactly one")
            return archive.read(members[0])
    except zipfile.BadZipFile as exc:
        raise LoaderError(source, f"ZIP answer is damaged ({exc})") from None
