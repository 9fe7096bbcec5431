"""Eurostat's data structure definitions (DSD): the dimension order a data key must follow.

The registry's `dimensions` were copied from file headers, some from legacy exports, and Eurostat
refuses a key with the wrong number or order of positions. So before a dataset's first data request
we read its DSD, `{base}/sdmx/2.1/datastructure/ESTAT/{CODE}`, an SDMX-ML 2.1 structure message:

    <m:Structure xmlns:m=".../v2_1/message" xmlns:s=".../v2_1/structure" xmlns:c=".../v2_1/common">
      <m:Structures><s:DataStructures><s:DataStructure agencyID="ESTAT" id="CODE" ...>
        <s:DataStructureComponents><s:DimensionList id="DimensionDescriptor">
          <s:Dimension id="freq" position="1"> ... </s:Dimension> ... <s:Dimension id="geo" position="6">
          <s:TimeDimension id="TIME_PERIOD" position="7"> ... (not part of the key)

Prefixes vary between servers, so elements are matched by namespace URI. The key then lists, in the
DSD's order, our filter values (or nothing: a wildcard). What does not fit is said, not hidden: a
registry filter on a dimension the DSD lacks is dropped with a warning; a DSD dimension we neither
filter nor keep is named (the download may carry several values there). If the DSD cannot be read,
the registry's order is used and the report says so. One DSD request per dataset and run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field

from loaders.errors import LoaderError
from loaders.fetch import HttpClient
from loaders.registry import Dataset
from loaders.tidy import NOT_BREAKDOWNS  # freq, geo, ...: columns select() never asks to be constant

STRUCTURE_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
_S = f"{{{STRUCTURE_NS}}}"
KEY_COMPONENTS = (f"{_S}Dimension", f"{_S}MeasureDimension")  # TimeDimension is not in the key


def dsd_url(base: str, code: str) -> str:
    """Where Eurostat publishes a dataset's structure (the DSD id is the dataset code, upper case)."""
    return f"{base}/sdmx/2.1/datastructure/ESTAT/{code.upper()}"


def parse_dimensions(body: bytes, source: str, code: str) -> tuple[str, ...]:
    """Key dimension ids of the DSD for `code`, in position order (time excluded)."""
    if b"<!DOCTYPE" in body:  # no entity tricks from a server we do not control
        raise LoaderError(source, "the structure message declares a DOCTYPE", expected="plain SDMX-ML")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise LoaderError(source, f"is not XML ({exc})", expected="an SDMX-ML 2.1 structure") from None
    structure = _data_structure(root, source, code)
    dim_list = structure.find(f"{_S}DataStructureComponents/{_S}DimensionList")
    if dim_list is None:
        raise LoaderError(source, f"DataStructure {code.upper()} has no DimensionList")
    return _ordered_ids(dim_list, source)


def _data_structure(root: ET.Element, source: str, code: str) -> ET.Element:
    """The DataStructure for this code (a message with references may hold several)."""
    found = list(root.iter(f"{_S}DataStructure"))
    if not found:
        raise LoaderError(source, "holds no DataStructure", expected="an SDMX-ML 2.1 structure message")
    named = [s for s in found if (s.get("id") or "").upper() == code.upper()]
    if named:
        return named[0]
    if len(found) == 1:
        return found[0]
    raise LoaderError(
        source,
        f"holds {len(found)} data structures, none with id {code.upper()}",
        expected="the dataset's SDMX-ML 2.1 DataStructure",
    )


def _ordered_ids(dim_list: ET.Element, source: str) -> tuple[str, ...]:
    """Ids sorted by their `position` attribute; document order where a position is missing."""
    entries = []
    for index, element in enumerate(dim_list):
        if element.tag not in KEY_COMPONENTS:
            continue
        dim_id, position = element.get("id"), element.get("position")
        if not dim_id:
            raise LoaderError(source, "a Dimension without an id")
        if position is not None and not position.isdigit():
            raise LoaderError(source, f"dimension {dim_id} has position {position!r}", expected="a number")
        entries.append((int(position) if position else index + 1, index, dim_id))
    ids = tuple(dim_id for _, _, dim_id in sorted(entries))
    if not ids:
        raise LoaderError(source, "the DSD lists no key dimensions")
    if len({i.casefold() for i in ids}) != len(ids):
        raise LoaderError(source, f"the DSD lists a dimension twice: {', '.join(ids)}")
    return ids


@dataclass(frozen=True)
class KeyLayout:
    """The dimensions a data key lists, in order, the filter values per dimension, and what to say."""

    dimensions: tuple[str, ...]
    filters: Mapping[str, tuple[str, ...]]  # keyed by the layout's own dimension ids
    origin: str  # "dsd" | "registry"
    notes: tuple[str, ...] = ()

    def key(self, overrides: Mapping[str, tuple[str, ...]] | None = None) -> str:
        """`A.TOTAL..PER.` : values of one dimension joined with `+`, an empty position a wildcard.
        `overrides` (e.g. geo halves when splitting) replace a dimension's values, by any case."""
        values = {d.casefold(): v for d, v in self.filters.items()}
        values.update({d.casefold(): v for d, v in (overrides or {}).items()})
        return ".".join("+".join(values.get(dim.casefold(), ())) for dim in self.dimensions)

    def has(self, dimension: str) -> bool:
        return dimension.casefold() in {d.casefold() for d in self.dimensions}


def registry_layout(dataset: Dataset, why: str | None = None) -> KeyLayout:
    """The registry's own order; with `why`, a note that the DSD could not be read."""
    if not dataset.dimensions:
        raise LoaderError(dataset.id, "registry entry has no Eurostat dimensions (DSD order) to build a key")
    unknown = [d for d in dataset.filters if d not in dataset.dimensions]
    if unknown:
        raise LoaderError(
            dataset.id,
            f"filter on {', '.join(unknown)}, which is not among its dimensions {dataset.dimensions}",
            expected="registry filters on Eurostat dimensions only",
        )
    notes = ()
    if why:
        notes = (
            f"could not read Eurostat's DSD ({why}): the key follows the registry's dimension order "
            f"{'.'.join(dataset.dimensions)}, which may be out of date",
        )
    return KeyLayout(dataset.dimensions, dict(dataset.filters), "registry", notes)


def dsd_layout(dataset: Dataset, dimensions: tuple[str, ...]) -> KeyLayout:
    """Our filters placed on the DSD's dimensions; mismatches with the registry become notes."""
    by_fold = {d.casefold(): d for d in dimensions}
    filters = {by_fold[k.casefold()]: v for k, v in dataset.filters.items() if k.casefold() in by_fold}
    notes = []
    registry = tuple(d.casefold() for d in dataset.dimensions)
    if registry and registry != tuple(by_fold):
        notes.append(
            f"Eurostat's DSD orders the key {'.'.join(dimensions)}, the registry "
            f"{'.'.join(dataset.dimensions)}: the DSD's order was used (update the registry)"
        )
    for dim, values in dataset.filters.items():
        if dim.casefold() not in by_fold:
            notes.append(
                f"warning: registry filter {dim}={'+'.join(values)} dropped: Eurostat's DSD for "
                f"{dataset.code.upper()} has no {dim!r} dimension ({', '.join(dimensions)})"
            )
    handled = {d.casefold() for d in (*dataset.filters, *dataset.keep)} | NOT_BREAKDOWNS
    for dim in dimensions:
        if dim.casefold() not in handled:
            notes.append(
                f"DSD dimension {dim!r} has no registry filter and is not kept: the download may carry "
                f"several values there (add a filter for {dim!r} to the registry entry of {dataset.id})"
            )
    return KeyLayout(dimensions, filters, "dsd", tuple(notes))


@dataclass
class Structures:
    """Per-run cache of key layouts: at most one DSD request per dataset, whatever the splits."""

    base: str
    layouts: dict[str, KeyLayout] = field(default_factory=dict)

    def url(self, dataset: Dataset) -> str:
        return dsd_url(self.base, dataset.code)

    def layout(self, client: HttpClient, dataset: Dataset) -> KeyLayout:
        """The DSD's layout, read once; the registry's (with a note) when the DSD is unavailable."""
        if dataset.code not in self.layouts:
            self.layouts[dataset.code] = self._read(client, dataset)
        return self.layouts[dataset.code]

    def notes(self, dataset: Dataset) -> tuple[str, ...]:
        """What this run found about the dataset's key (nothing if its DSD was not asked for)."""
        layout = self.layouts.get(dataset.code)
        return layout.notes if layout else ()

    def _read(self, client: HttpClient, dataset: Dataset) -> KeyLayout:
        url = self.url(dataset)
        try:
            body = client.get(url, desc=f"{dataset.id} structure").body
            dimensions = parse_dimensions(body, url, dataset.code)
        except LoaderError as exc:  # FetchError too: 404, gave up after retries, HTML page, bad XML
            return registry_layout(dataset, why=exc.problem)
        return dsd_layout(dataset, dimensions)
