"""Frontex monthly detections: no stable address, so a configured URL or a local file.

Frontex publishes its monthly spreadsheet at a new address every month; give the current one with
--frontex-url (or FRONTEX_URL), or download it by hand and pass --frontex-file. Without either,
`update` keeps Frontex data from the snapshot and says so.
"""

from __future__ import annotations

from pathlib import Path

from loaders.errors import LoaderError
from loaders.fetch import HttpClient
from loaders.registry import Dataset
from loaders.sources import CacheLookup, Download, FetchOptions, Plan, download, guess_ext

PUBLISHER = "frontex"


def plan(
    dataset: Dataset,
    *,
    url: str | None,
    file: Path | None,
    options: FetchOptions,
    cache: CacheLookup | None = None,
) -> Plan | None:
    """None when no source is configured."""
    if file is not None:
        path = Path(file)

        def read_file(client: HttpClient) -> list[Download]:
            try:
                body = path.read_bytes()
            except OSError as exc:
                raise LoaderError(str(path), f"cannot read the Frontex file: {exc.strerror}") from None
            return [Download(path.resolve().as_uri(), body, guess_ext(body, _suffix(path.name)))]

        return Plan(dataset.id, PUBLISHER, [str(path)], read_file)
    if url:

        def fetch(client: HttpClient) -> list[Download]:
            return [download(client, url, ext=_suffix(url), cache=cache, desc="frontex")]

        return Plan(dataset.id, PUBLISHER, [url], fetch)
    return None


def _suffix(name: str) -> str:
    tail = name.split("?", 1)[0].rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[-1].lower() if "." in tail else "csv"
