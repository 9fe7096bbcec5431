"""Helpers shared by the reader tests.

`read_with_rows` reads a real publisher CSV twice, with our reader and independently with the csv
module, so an expected count or total comes from the file itself, not from our code.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from loaders.formats import ReadResult


def read_with_rows(path: Path, read: Callable[[bytes, str], ReadResult]) -> tuple[pd.DataFrame, list, list]:
    """(our tidy frame, the file's rows as dicts, the file's text lines)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lines = path.read_text(encoding="utf-8").splitlines()
    return read(path.read_bytes(), str(path)).frame, rows, lines


def one_row(frame: pd.DataFrame, **where: str) -> pd.Series:
    """The single row whose columns have these values; fails the test when there are 0 or several."""
    hit = frame
    for column, value in where.items():
        hit = hit[hit[column] == value]
    assert len(hit) == 1, f"{where} matched {len(hit)} rows"
    return hit.iloc[0]
