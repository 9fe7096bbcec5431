"""Our own Parquet observation tables, readable like any publisher file.

`loaders update` builds on the previous snapshot: data/observations/<id>.parquet is read back as
the oldest input of its dataset, and a fresh download (newer, so it wins on overlaps) follows it.
data/shapes.parquet reads back as the GISCO shapes (a reference table) when they are not re-fetched.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.tidy import FIXED_BACK, FIXED_FRONT

PARQUET_MAGIC = b"PAR1"


def sniff(head: bytes) -> bool:
    """Parquet files start (and end) with PAR1."""
    return head[:4] == PARQUET_MAGIC


def read(data: bytes, source: str) -> ReadResult:
    """A tidy observation table written by loaders/store.py."""
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise LoaderError(source, f"Parquet file is damaged ({exc})") from None
    if {"geo", "geometry"} <= set(table.column_names):  # data/shapes.parquet: shapes kept by an update
        return ReadResult(frame=table.to_pandas(), format="crossroads_shapes_parquet", kind="reference")
    missing = [c for c in FIXED_FRONT + FIXED_BACK if c not in table.column_names]
    if missing:
        raise LoaderError(source, f"Parquet file has no {', '.join(missing)} column", expected="a tidy table")
    frame = table.to_pandas()
    for col in frame.columns:
        if col not in ("period_start", "value"):
            frame[col] = frame[col].astype("string")
    dataset = str(frame["dataset"].iloc[0]) if len(frame) else None
    return ReadResult(frame=frame, format="crossroads_parquet", dataset=dataset)


FORMATS = [("crossroads_parquet", sniff, read)]
