"""JSON-stat 2.0 datasets as Eurostat's Statistics API sends them, and the API's JSON error bodies.

A JSON-stat dataset is a cube: `id` names the dimensions, `size` their lengths, and `value` /
`status` hold the cells keyed by their flat row-major index over `size` (sparse objects, or dense
arrays; a lone status string or one-element array applies to every cell). We turn the index back
into one code per dimension with integer arithmetic on the whole index array at once, so a
response of millions of cells needs no Python loop per cell.

The dimension `role` says which dimension is the geo and which the time (other offices call them
`area`, `country`, `year` ...); without a role we take Eurostat's ids `geo` and `time`.

A cell with a `status` but no `value` (a flagged missing value) becomes a row with a null value,
so its flag is kept, like `: c` in the TSV. Eurostat's `:` status only says "not available" and
is not a flag. Since 2025 Eurostat writes the status as OBS_FLAG|CONF_STATUS (`p|C`, `|C`); it
becomes the flag the SDMX-CSV reader gives for the same cell (flags.combine). When the API
refuses a request it answers with a small JSON error body instead of a dataset; we raise with the
publisher's own words. An empty answer (a dimension of size 0, no cell) is an error too.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import numpy as np
import pandas as pd

from loaders import flags, tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import head_text

_DATASET = re.compile(r'"class"\s*:\s*"dataset"')
_VERSION_2 = re.compile(r'"version"\s*:\s*"2\.0"')
_GEOJSON = re.compile(r'"type"\s*:\s*"(?:FeatureCollection|Feature)"')
_ERROR = re.compile(r'^\{\s*"error"\s*:|"class"\s*:\s*"error"|EXTRACTION_TOO_BIG')
_NOT_AVAILABLE = ":"


def sniff(head: bytes) -> bool:
    """A JSON-stat dataset (`"class": "dataset"`, or version 2.0 with dimensions) or an API error body.

    `"class"` comes before the possibly huge `value` object in Eurostat's answers, so it is in the
    head; GeoJSON is another reader's.
    """
    text = head_text(head).lstrip()
    if not text.startswith("{") or _GEOJSON.search(text):
        return False
    if _DATASET.search(text) or (_VERSION_2.search(text) and '"dimension"' in text):
        return True
    return bool(_ERROR.search(text))


def publisher_error(doc: dict) -> str | None:
    """The message of a Eurostat JSON error body, or None when `doc` is not one.

    Seen shapes: `{"error": {"status", "id", "label"}}`, `{"error": [{...}, ...]}`, a JSON-stat
    `{"class": "error", "status", "label"}`, and 413 bodies naming EXTRACTION_TOO_BIG.
    """
    if "error" in doc:
        items = doc["error"] if isinstance(doc["error"], list) else [doc["error"]]
    elif doc.get("class") == "error" or ("value" not in doc and "EXTRACTION_TOO_BIG" in json.dumps(doc)):
        items = [doc]
    else:
        return None
    parts = []
    for item in items:
        if isinstance(item, dict):
            fields = [item.get(k) for k in ("status", "id", "label", "message", "description", "detail")]
            text = " ".join(dict.fromkeys(str(f) for f in fields if f not in (None, "")))  # 413 once
            parts.append(text or json.dumps(item)[:300])
        else:
            parts.append(str(item))
    return "; ".join(parts) or json.dumps(doc)[:300]


def _raise_error_body(message: str, source: str) -> None:
    hint = ""
    if "EXTRACTION_TOO_BIG" in message or message.startswith("413"):
        hint = " (the request asks for more than Eurostat serves at once: filter on the server)"
    raise LoaderError(source, f"the publisher sent an error instead of data: {message}{hint}")


def _categories(name: str, dim: object, size: int, source: str) -> list[str]:
    """Codes of one dimension in index order, checked against its size."""
    category = dim.get("category") if isinstance(dim, dict) else None
    if not isinstance(category, dict):
        raise LoaderError(source, f"dimension {name!r} has no category", expected="JSON-stat 2.0")
    index = category.get("index")
    if index is None:  # allowed for a single category only: the label's one key is the code
        labels = category.get("label")
        if not isinstance(labels, dict) or len(labels) != 1:
            raise LoaderError(
                source,
                f"dimension {name!r} has no category index",
                expected="an index, or a label with a single category",
            )
        index = list(labels)
    if isinstance(index, dict):
        codes = [""] * len(index)
        for code, position in index.items():
            if not isinstance(position, int) or not 0 <= position < len(index) or codes[position]:
                raise LoaderError(
                    source,
                    f"dimension {name!r}: category {code!r} has position {position!r}",
                    expected=f"positions 0..{len(index) - 1}, each once",
                )
            codes[position] = str(code)
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    else:
        raise LoaderError(source, f"dimension {name!r}: category index is {type(index).__name__}")
    if len(codes) != size or len(set(codes)) != len(codes):
        raise LoaderError(
            source,
            f"dimension {name!r} has {len(codes)} categories ({len(set(codes))} distinct) but size {size}",
            expected="as many distinct categories as its size",
        )
    return codes


def _flat_keys(keys: list, what: str, total: int, source: str) -> np.ndarray:
    """Object keys (`"4834"`) as int64 positions, each within the cube and named once."""
    try:
        positions = np.fromiter(map(int, keys), dtype=np.int64, count=len(keys))
    except (ValueError, OverflowError):
        bad = next((k for k in keys if not str(k).lstrip("-").isdigit()), keys[0])
        raise LoaderError(source, f"{what} key {bad!r} is not a cell index", expected="0, 1, 2 ...") from None
    outside = (positions < 0) | (positions >= total)
    if outside.any():
        raise LoaderError(
            source,
            f"{what} index {int(positions[outside][0])} is beyond the {total} cells of the cube",
            expected=f"indices 0..{total - 1} (product of size)",
        )
    ordered = np.sort(positions)  # "7" and "07" are the same cell
    if (ordered[1:] == ordered[:-1]).any():
        raise LoaderError(source, f"{what} names a cell twice", expected="one entry per cell")
    return positions


def _numbers(values: list, keys: np.ndarray, source: str) -> np.ndarray:
    """JSON numbers (null -> NaN) as float64; a string or boolean cell is an error."""
    series = pd.Series(values, dtype=None if values else "float64")
    if series.dtype.kind in "iuf":
        return series.to_numpy(dtype="float64")
    ok = series.map(lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)))
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise LoaderError(
            source, f"value at index {int(keys[i])} is {values[i]!r}", expected="a number or null"
        )
    return pd.to_numeric(series).to_numpy(dtype="float64")


def _flags(status: pd.Series) -> pd.Series:
    """Statuses -> flags, only the cells that have one; `p|C` is OBS_FLAG|CONF_STATUS, as in SDMX-CSV.

    A status without `|` is OBS_FLAG alone (Eurostat before 2025). `:` only says "not available".
    """
    if status.empty:
        return status
    parts = status.str.strip().str.partition("|")
    obs_flag = parts[0].mask(parts[0].str.strip() == _NOT_AVAILABLE, "")
    flag = flags.combine(obs_flag, parts[2])
    return flag[flag.notna()]


def _cells(doc: dict, total: int, source: str) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Flat index, value and flag of every published cell, in index order."""
    value = doc.get("value")
    if isinstance(value, dict):
        value_at = _flat_keys(list(value), "value", total, source)
        values = _numbers(list(value.values()), value_at, source)
    elif isinstance(value, list):
        if value and len(value) != total:  # [] is an empty result, said by the caller
            raise LoaderError(
                source, f"value array has {len(value)} cells, the cube {total}", expected="product of size"
            )
        value_at = np.arange(len(value), dtype=np.int64)
        values = _numbers(value, value_at, source)
    else:
        raise LoaderError(source, "no value object or array", expected="JSON-stat 2.0 dataset")

    status = doc.get("status")
    if status is None or status == []:
        status_text = pd.Series([], index=np.empty(0, np.int64), dtype="string")
    elif isinstance(status, dict):
        status_at = _flat_keys(list(status), "status", total, source)
        status_text = pd.Series(list(status.values()), index=status_at, dtype="string")
    elif isinstance(status, list) and len(status) == total:
        status_text = pd.Series(status, index=np.arange(total, dtype=np.int64), dtype="string")
    elif isinstance(status, str) or (isinstance(status, list) and len(status) == 1):  # for every cell
        one = status if isinstance(status, str) else status[0]
        status_text = pd.Series(one, index=value_at, dtype="string")
    elif isinstance(status, list):
        raise LoaderError(
            source,
            f"status array has {len(status)} cells, the cube {total}",
            expected="one status per cell, or one for all",
        )
    else:
        raise LoaderError(source, f"status is {type(status).__name__}", expected="object, array or string")
    flag = _flags(status_text)

    published = pd.Series(values, index=value_at)
    if isinstance(value, list):  # dense: a null without a status is just an empty cell
        published = published[published.notna()]
    index = pd.Index(published.index).union(pd.Index(flag.index)).to_numpy()  # sorted
    return index, published.reindex(index).to_numpy(), flag.reindex(index)


def _geo_and_time(roles: object, ids: list[str], source: str) -> tuple[str, str]:
    """The geo and the time dimension: as `role` names them, else Eurostat's ids `geo` and `time`."""
    if roles is None:
        roles = {}
    if not isinstance(roles, dict):
        raise LoaderError(source, f"role is {type(roles).__name__}", expected='an object {"geo": [...], ...}')
    found = []
    for role in ("geo", "time"):
        named = roles.get(role)
        if named is None:
            matches = [d for d in ids if d.lower() == role]
        elif isinstance(named, list):
            unknown = [d for d in named if d not in ids]
            if unknown:
                raise LoaderError(source, f"role {role!r} names dimension {unknown[0]!r}, not in id {ids}")
            matches = list(named)
        else:
            raise LoaderError(source, f"role {role!r} is {named!r}", expected="a list of dimension ids")
        if len(matches) != 1:
            raise LoaderError(
                source,
                f"{len(matches) or 'no'} {role} dimension{'s' if len(matches) > 1 else ''} among {ids}",
                expected=f"one {role} dimension: named in role, or with the id {role!r}",
            )
        found.append(matches[0])
    if found[0] == found[1]:
        raise LoaderError(source, f"dimension {found[0]!r} has both the geo and the time role")
    return found[0], found[1]


def _columns(ids: list[str], geo_id: str, time_id: str, source: str) -> list[str]:
    """Tidy column of each dimension: geo, period, else the lower-cased id (a breakdown)."""
    columns = ["geo" if d == geo_id else "period" if d == time_id else d.lower() for d in ids]
    reserved = tidy.NOT_BREAKDOWNS - {"freq"}  # tidy derives freq from the period and checks it
    for d, column in zip(ids, columns, strict=True):
        if d not in (geo_id, time_id) and (column in reserved or columns.count(column) > 1):
            raise LoaderError(
                source,
                f"dimension {d!r} would be a second {column!r} column",
                expected=f"breakdown ids other than {sorted(reserved)}, distinct in lower case",
            )
    return columns


def _no_data(source: str, why: str) -> LoaderError:
    """An answer without a single cell: the request asked for nothing the publisher has."""
    return LoaderError(source, f"the filter matched no data: {why}")


def _last_update(updated: object, source: str) -> str | None:
    """`2026-05-12T11:00:00+0200` -> `2026-05-12T11:00:00+02:00` (ISO 8601, offset kept)."""
    if updated in (None, ""):
        return None
    if problem := tidy.date_problem(str(updated)):
        raise LoaderError(source, f"impossible date: updated {updated!r}: {problem}")
    try:
        return dt.datetime.fromisoformat(str(updated)).isoformat()
    except ValueError:
        raise LoaderError(source, f"updated {updated!r} not understood", expected="ISO 8601") from None


def read(data: bytes, source: str) -> ReadResult:
    """A JSON-stat 2.0 dataset -> tidy rows: the geo and time dimensions (by role) become geo and
    period, every other dimension a breakdown column; codes are kept."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise LoaderError(source, f"invalid JSON: {exc.msg} (cut off?)", line=exc.lineno) from None
    except UnicodeDecodeError:
        raise LoaderError(source, "JSON is not UTF-8 text") from None
    if not isinstance(doc, dict):
        raise LoaderError(source, f"JSON is a {type(doc).__name__}", expected="a JSON-stat dataset object")
    message = publisher_error(doc)
    if message is not None:
        _raise_error_body(message, source)
    if doc.get("class", "dataset") != "dataset":
        raise LoaderError(source, f"JSON-stat class {doc.get('class')!r}", expected="dataset")

    ids, sizes, dims = doc.get("id"), doc.get("size"), doc.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not isinstance(dims, dict):
        raise LoaderError(source, "no id, size or dimension", expected="JSON-stat 2.0 dataset")
    if len(ids) != len(sizes) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise LoaderError(
            source, f"id has {len(ids)} dimensions, size {sizes}", expected="one size (0 or more) per id"
        )
    missing = [d for d in ids if d not in dims]
    if missing:
        raise LoaderError(source, f"dimension {missing[0]!r} listed in id is not described")
    geo_id, time_id = _geo_and_time(doc.get("role"), ids, source)
    columns = _columns(ids, geo_id, time_id, source)
    if 0 in sizes:  # no category of that dimension passed the request's filter
        raise _no_data(source, f"dimension {ids[sizes.index(0)]!r} has size 0")
    codes = [_categories(d, dims[d], s, source) for d, s in zip(ids, sizes, strict=True)]

    total = math.prod(sizes)
    index, values, flag = _cells(doc, total, source)
    if len(index) == 0:
        raise _no_data(source, "value is empty" if not doc["value"] else "no cell has a value or a flag")
    raw: dict[str, object] = {}
    rest = index.copy()
    for column, size, cats in reversed(list(zip(columns, sizes, codes, strict=True))):
        raw[column] = np.asarray(cats, dtype=object)[rest % size]
        rest //= size
    frame = pd.DataFrame({c: raw[c] for c in reversed(list(raw))})
    frame["value"] = values
    frame["flag"] = flag.to_numpy()
    if "freq" in frame:  # a daily series' first of the month is a day, not the month (tidy.day_spelling)
        daily = frame["freq"].astype(str) == "D"
        frame.loc[daily, "period"] = frame.loc[daily, "period"].map(tidy.day_spelling)

    extension = doc.get("extension") or {}
    dataset = str(extension.get("id") or "").lower()
    frame = tidy.finish_checked(frame, source, dataset, first_line=None)  # JSON has no lines to name
    extra = {
        "flag_labels": dict((extension.get("status") or {}).get("label") or {}),
        "title": doc.get("label"),
        "labels": {
            c: dict(dims[d]["category"].get("label") or {})
            for d, c in zip(ids, columns, strict=True)
            if d != time_id
        },
    }
    return ReadResult(
        frame=frame,
        format="jsonstat",
        dataset=dataset,
        last_update=_last_update(doc.get("updated"), source),
        extra=extra,
    )


FORMATS = [("jsonstat", sniff, read)]
