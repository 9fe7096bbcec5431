"""Format detection and dispatch: bytes in, a tidy frame (plus what the file says about itself) out.

Each format lives in its own module with two functions:
    FORMATS = [(name, sniff, read), ...]
    sniff(head: bytes) -> bool      do these first bytes (up to 64 KB, already un-gzipped) look like mine?
    read(data: bytes, source: str) -> ReadResult
Text formats decode the head with `_common.head_text`.
Detection is by content, never by file name. Gzip is unwrapped here, once, for every format.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from loaders.errors import LoaderError
from loaders.formats._common import head_text

SNIFF_BYTES = 64 * 1024


@dataclass
class ReadResult:
    """What a reader found: tidy rows and the file's own metadata."""

    frame: pd.DataFrame
    format: str
    dataset: str | None = None  # publisher's dataset code when the file names it
    last_update: str | None = None  # publisher's last update (ISO 8601) when the file has one
    extra: dict = field(default_factory=dict)  # format-specific metadata (e.g. flag labels)
    kind: str = "observations"  # observations (tidy schema) | reference (own columns) | metadata


Reader = Callable[[bytes, str], ReadResult]
Sniffer = Callable[[bytes], bool]


def _formats() -> list[tuple[str, Sniffer, Reader]]:
    """Most specific formats first; imported lazily so one broken reader does not break all."""
    from loaders.formats import (
        codelist,
        eurostat_tsv,
        frontex,
        gisco,
        iom,
        jsonstat,
        legacy_csv,
        sdmx_csv,
        snapshot,
        spreadsheet,
        toc,
        unhcr,
        unhcr_api,
    )

    modules = [
        snapshot,  # our own Parquet (previous snapshot, for updates)
        spreadsheet,  # binary: XLSX (zip) and legacy XLS (OLE2)
        unhcr_api,  # UNHCR API pages: JSON with `items`, before JSON-stat
        jsonstat,
        gisco,
        sdmx_csv,
        eurostat_tsv,
        legacy_csv,
        toc,
        frontex,
        unhcr,
        iom,
        codelist,  # plain `code<TAB>label`: last, it is the least specific
    ]
    out = []
    for module in modules:
        for name, sniff, read in module.FORMATS:
            out.append((name, sniff, read))
    return out


def unwrap(data: bytes, source: str) -> bytes:
    """Decompress gzip (the API's `compressed=true`); a truncated or corrupt archive is an error."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise LoaderError(source, f"gzip archive is truncated or corrupt ({exc})") from None


def detect(data: bytes, source: str) -> str:
    """Name of the format of already unwrapped bytes; a clear error when none fits."""
    if not data.strip():
        raise LoaderError(source, "file is empty")
    head = data[:SNIFF_BYTES]
    text = head_text(head)
    lowered = text.lstrip()[:512].lower()
    if lowered.startswith(("<!doctype html", "<html", "<?xml")) or "<html" in lowered:
        raise LoaderError(source, "got an HTML/XML page instead of data (an error or login page?)")
    for name, sniff, _ in _formats():
        if sniff(head):
            return name
    first = text.splitlines()[0][:120] if text.splitlines() else ""
    if text.lstrip().startswith("{"):
        raise LoaderError(source, f"JSON is not a JSON-stat dataset or GeoJSON: {first!r}")
    raise LoaderError(source, f"unknown file format, first line {first!r}", line=1)


def read_bytes(data: bytes, source: str) -> ReadResult:
    """Detect the format of `data` and read it."""
    data = unwrap(data, source)
    name = detect(data, source)
    for fmt, _, read in _formats():
        if fmt == name:
            return read(data, source)
    raise AssertionError(name)  # detect only returns known names


def read_path(path: str | Path) -> ReadResult:
    """Read a file from disk, format detected from its content."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(str(path), f"cannot read file: {exc.strerror}") from None
    return read_bytes(data, str(path))
