"""Small helpers every reader shares: number cells, value/flag cells, label-to-code mapping.

Also the first CSV row for sniffers, and `at_lines` to report a helper's error at the file's own line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TypeVar

import pandas as pd

from loaders import geo
from loaders.errors import LoaderError

_DIMENSION_LABELS = Path(__file__).parent.parent / "reference" / "dimension_labels.tsv"
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
COUNTRY_DIMENSIONS = {"geo", "citizen", "partner", "c_birth", "c_dest_country"}
_T = TypeVar("_T")


def head_text(head: bytes) -> str:
    """Decode the first bytes of a file for sniffing, tolerating a cut multi-byte character."""
    return head.decode("utf-8-sig", errors="replace")


def first_row(text: str) -> list[str]:
    """Cells of the first line, for sniffing a CSV header; [] when it is not CSV (binary, NUL bytes)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    try:
        return next(csv.reader([first]), [])
    except csv.Error:
        return []


def numbers(series: pd.Series, source: str, first_line: int = 2) -> pd.Series:
    """Published numbers of a column: `12750`, `1,257,610` (legacy thousands separators), `:` -> null.

    Anything else (a stray letter, `n/a`) is an error naming the first bad line: we never guess.
    """
    text = series.astype("string").str.strip()
    thousands = text.str.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?").fillna(False)
    if thousands.any():  # legacy exports: "1,257,610"
        text = text.mask(thousands, text.str.replace(",", "", regex=False))
    missing = text.isna() | text.isin([":", ""])
    bad = ~missing & ~text.str.match(_NUMBER.pattern).fillna(False)
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise LoaderError(
            source,
            f"non-numeric value {series.iloc[pos]!r}",
            line=first_line + pos,
            expected="a number or ':'",
        )
    return pd.to_numeric(text.mask(missing), errors="raise").astype("float64")


@cache
def _dimension_labels() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    with _DIMENSION_LABELS.open(encoding="utf-8") as fh:
        for row in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"):
            out.setdefault(row["dimension"], {})[row["label"]] = row["code"]
    return out


def code_for(dimension: str, label: str) -> str | None:
    """Eurostat code for a label of a dimension; country dimensions also use the geo table.

    A country dimension (citizen, partner ...) also takes the `geo` rows of dimension_labels.tsv:
    legacy aggregate spellings are the same whichever country dimension prints them.
    """
    label = label.strip()
    dimension = dimension.lower()
    table = _dimension_labels()
    found = table.get(dimension, {}).get(label)
    if found is None and dimension in COUNTRY_DIMENSIONS:
        found = table.get("geo", {}).get(label) or geo.code_for_label(label)
    return found


def where_to_add(dimension: str) -> str:
    """What to do about an unknown label: the reference table to extend, or Eurostat's code list.

    Offline we never guess a code, so the error names the code list that has it (ESTAT/CITIZEN).
    """
    dimension = dimension.lower()
    table = "geo_labels.tsv" if dimension in COUNTRY_DIMENSIONS else "dimension_labels.tsv"
    code_list = f"ESTAT/{dimension.upper()}"
    return f"a label of loaders/reference/{table}: add it there or fetch Eurostat's code list {code_list}"


def labels_to_codes(series: pd.Series, dimension: str, source: str, first_line: int = 2) -> pd.Series:
    """Map a column of labels to codes; an unknown label is an error naming its line and code list."""
    uniques = series.astype("string").unique()
    mapping = {}
    for label in uniques:
        code = None if pd.isna(label) else code_for(dimension, str(label))
        if code is None:
            pos = (
                int((series.astype("string") == label).to_numpy().nonzero()[0][0])
                if not pd.isna(label)
                else 0
            )
            raise LoaderError(
                source,
                f"label {label!r} of dimension {dimension!r} maps to no Eurostat code",
                line=first_line + pos,
                expected=where_to_add(dimension),
            )
        mapping[label] = code
    return series.astype("string").map(mapping).astype("string")


def at_lines(func: Callable[[], _T], lines: Sequence[int], note: Callable[[int], str] | None = None) -> _T:
    """Run a helper above with `first_line=0` and re-raise its error at the file's own line.

    The helpers count rows from 0; only the reader knows which file line each row came from (blank
    lines, quoted newlines, header blocks). `note(row)` adds where in the row, e.g. the column.
    """
    try:
        return func()
    except LoaderError as exc:
        pos = exc.line
        if pos is None or not 0 <= pos < len(lines):
            raise
        problem = exc.problem if note is None else f"{exc.problem} ({note(pos)})"
        raise LoaderError(exc.source, problem, line=lines[pos], expected=exc.expected) from None
