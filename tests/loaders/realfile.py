"""Read a real publisher CSV twice: with our reader, and independently with the csv module.

Tests compare the two, so an expected count or total comes from the file itself, not from our code.
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
