"""HTTP downloads that survive a flaky network, and the raw cache that keeps every answer untouched.

`HttpClient.get` is the only place that talks to a server: connect and read timeouts, retries with
exponential backoff and jitter on 429, 5xx, dropped connections and timeouts (a server's
Retry-After wins over our own backoff), conditional requests (ETag / Last-Modified -> 304), and a
byte progress bar. Every other HTTP status is an error at once, with the server's own message.

Raw answers are kept under `data/raw/<publisher>/<dataset>/<UTC timestamp>[.<label>].<ext>`, never
edited, each with a `.sha256` (sha256sum format) and a `.meta.json` (URL, time, validators), so a
later run can ask "has this changed?" and any number in the snapshot can be traced to its bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import json
import os
import random
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from tqdm import tqdm

from loaders import LOADER_VERSION
from loaders.errors import LoaderError

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = f"crossroads-loaders/{LOADER_VERSION} (+https://github.com/; data refresh)"
CHUNK = 64 * 1024
META = ".meta.json"  # sidecar next to each raw file: URL, time, sha256, ETag, Last-Modified
_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class FetchError(LoaderError):
    """A download that failed for good: the URL, what went wrong, and the HTTP status if there was one."""

    def __init__(self, url: str, problem: str, *, status: int | None = None, body: bytes = b""):
        super().__init__(url, problem)
        self.url = url
        self.status = status
        self.body = body


@dataclass
class Response:
    """A complete answer: body fully read (and Content-Encoding undone), final URL, headers."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str]
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass
class Validators:
    """What we know about a cached copy, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass
class HttpClient:
    """requests with the manners a public API expects: time limits, patience, and no hammering.

    `sleep` and `jitter` are injectable so tests can check every wait without waiting.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_attempts: int = 5
    backoff: float = 2.0  # first retry after about this many seconds, doubling each time
    backoff_max: float = 60.0
    max_retry_after: float = 600.0  # a server asking for a longer pause is a failure, not a wait
    progress: bool = True
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    session: requests.Session = field(default_factory=requests.Session)
    waits: list[float] = field(default_factory=list)  # every pause taken, for the report and tests

    def __post_init__(self) -> None:
        self.session.headers.setdefault("User-Agent", USER_AGENT)

    def get(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        validators: Validators | None = None,
        desc: str | None = None,
    ) -> Response:
        """GET with retries; 200 (and 304 for a conditional request) returned, anything else raises."""
        headers = validators.headers() if validators else {}
        last_problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            try:
                with self.session.get(
                    url,
                    params=params,
                    headers=headers,
                    timeout=(self.connect_timeout, self.read_timeout),
                    stream=True,
                ) as resp:
                    full_url = resp.url
                    if resp.status_code in RETRY_STATUSES:
                        last_problem = f"HTTP {resp.status_code}{_reason(resp)}"
                        wait = self._retry_after(resp, full_url)
                        if wait is None:
                            wait = self._backoff(attempt)
                        if attempt < self.max_attempts:
                            self.pause(wait)
                        continue
                    if resp.status_code == 304:
                        return Response(full_url, 304, b"", _lower(resp.headers), attempt)
                    body = self._read_body(resp, desc or _short(full_url))
                    if resp.status_code >= 400 or resp.status_code < 200:
                        raise FetchError(
                            full_url,
                            f"HTTP {resp.status_code}: {_message(body) or resp.reason}",
                            status=resp.status_code,
                            body=body,
                        )
                    return Response(full_url, resp.status_code, body, _lower(resp.headers), attempt)
            except _TRANSIENT as exc:
                last_problem = _describe(exc, self.read_timeout)
                if attempt < self.max_attempts:
                    self.pause(self._backoff(attempt))
        raise FetchError(url, f"gave up after {self.max_attempts} attempts; last: {last_problem}")

    def _read_body(self, resp: requests.Response, desc: str) -> bytes:
        """Stream the body with a byte progress bar; a cut connection raises (and is retried)."""
        total = resp.headers.get("content-length")
        encoded = "content-encoding" in resp.headers
        size = int(total) if total and total.isdigit() and not encoded else None
        chunks = []
        with tqdm(
            total=size, unit="B", unit_scale=True, desc=desc, leave=False, disable=not self.progress
        ) as bar:
            for chunk in resp.iter_content(CHUNK):
                chunks.append(chunk)
                bar.update(len(chunk))
        return b"".join(chunks)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half fixed, half random, so clients do not retry in step."""
        base = min(self.backoff_max, self.backoff * 2 ** (attempt - 1))
        return base / 2 + self.jitter() * base / 2

    def _retry_after(self, resp: requests.Response, url: str) -> float | None:
        """Seconds the server asked us to wait (delta-seconds or an HTTP date), if it said."""
        value = resp.headers.get("retry-after")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            seconds = max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
        if seconds > self.max_retry_after:
            raise FetchError(
                url,
                f"HTTP {resp.status_code}: the server asks to retry after {seconds:.0f} s, "
                f"more than the {self.max_retry_after:.0f} s we wait; try again later",
                status=resp.status_code,
            )
        return seconds

    def pause(self, seconds: float) -> None:
        """Wait (through the injectable sleep) and remember the wait."""
        self.waits.append(seconds)
        self.sleep(seconds)


def _lower(headers: requests.structures.CaseInsensitiveDict) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _reason(resp: requests.Response) -> str:
    return f" {resp.reason}" if resp.reason else ""


def _short(url: str) -> str:
    tail = url.split("?", 1)[0].rstrip("/").rsplit("/", 2)
    return "/".join(tail[-2:])[-40:]


def _describe(exc: Exception, read_timeout: float) -> str:
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer within the read timeout of {read_timeout:g} s"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "could not connect within the connect timeout"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection dropped in the middle of the download"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed ({type(exc.__context__ or exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


_FAULT = re.compile(rb"<faultstring>(.*?)</faultstring>", re.S)
_TITLE = re.compile(rb"<title>(.*?)</title>", re.S | re.I)


def _message(body: bytes) -> str:
    """The server's own words from an error body: a SOAP fault, an HTML title, or the first line."""
    for pattern in (_FAULT, _TITLE):
        if m := pattern.search(body[:20000]):
            return m.group(1).decode("utf-8", "replace").strip()[:300]
    text = body[:300].decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else ""


# --- raw cache --------------------------------------------------------------------------------


@dataclass
class CachedRaw:
    """One cached raw answer and what its sidecar says about it."""

    path: Path
    url: str
    sha256: str
    retrieved_at: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)

    def intact(self) -> bool:
        """The file still has the bytes its checksum was taken of."""
        return self.path.is_file() and sha256_bytes(self.path.read_bytes()) == self.sha256


def utc_stamp(now: dt.datetime | None = None) -> str:
    """`20250312T113000Z`: sortable, no colons (safe on every file system)."""
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_folder(data_dir: Path, publisher: str, dataset: str) -> Path:
    return Path(data_dir) / "raw" / publisher / dataset


def save_raw(
    data_dir: Path,
    publisher: str,
    dataset: str,
    body: bytes,
    *,
    ext: str,
    url: str,
    stamp: str,
    label: str = "",
    etag: str | None = None,
    last_modified: str | None = None,
    subfolder: str = "",
) -> Path:
    """Write raw bytes (atomically) with their .sha256 and .meta.json sidecars; never overwrite a file."""
    folder = raw_folder(data_dir, publisher, dataset) / subfolder
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{stamp}.{label}" if label else stamp
    path = folder / f"{stem}.{ext}"
    n = 1
    while path.exists():
        path = folder / f"{stem}-{n}.{ext}"
        n += 1
    digest = sha256_bytes(body)
    _atomic_write(path, body)
    _atomic_write(path.with_name(path.name + ".sha256"), f"{digest}  {path.name}\n".encode())
    meta = {
        "url": url,
        "retrieved_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "sha256": digest,
        "bytes": len(body),
        "etag": etag,
        "last_modified": last_modified,
    }
    _atomic_write(path.with_name(path.name + META), (json.dumps(meta, indent=2) + "\n").encode())
    return path


def cached_for(data_dir: Path, publisher: str, dataset: str, url: str) -> CachedRaw | None:
    """The newest intact cached answer for exactly this URL, if any."""
    folder = raw_folder(data_dir, publisher, dataset)
    if not folder.is_dir():
        return None
    newest_first = sorted(folder.glob(f"*{META}"), key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    for meta_path in newest_first:
        with contextlib.suppress(OSError, ValueError):
            meta = json.loads(meta_path.read_text("utf-8"))
            if meta.get("url") != url:
                continue
            entry = CachedRaw(
                path=meta_path.with_name(meta_path.name[: -len(META)]),
                url=url,
                sha256=meta["sha256"],
                retrieved_at=meta.get("retrieved_at", ""),
                etag=meta.get("etag"),
                last_modified=meta.get("last_modified"),
            )
            if entry.intact():
                return entry
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; raw data is as public as its publisher's
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
