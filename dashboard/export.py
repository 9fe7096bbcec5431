"""What a download holds: exactly the rows a chart shows, with unit, flag, source and extraction dates,
and a data dictionary built from the indicator catalogue."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from dashboard.data import Snapshot
from dashboard.formatting import flag_words
from dashboard.strings import t
from loaders.catalogue import BY_ID

# Download columns, in order; their descriptions are strings "dict.<column>" in strings.py.
COLUMNS = (
    "indicator",
    "indicator_label",
    "geo",
    "geo_name",
    "period",
    "value",
    "unit",
    "flag",
    "flag_meaning",
    "denominator_flag",
    "note",
    "source_dataset",
    "source_url",
    "publisher_last_update",
    "snapshot_built_at",
)


def table(rows: pd.DataFrame, snap: Snapshot) -> pd.DataFrame:
    """Rows as a downloadable table: one line per value shown, provenance on every line."""
    frame = rows.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "indicator": frame["indicator"].astype("string"),
            "indicator_label": [BY_ID[i].label if i in BY_ID else i for i in frame["indicator"]],
            "geo": frame["geo"].astype("string"),
            "geo_name": [snap.name(g) for g in frame["geo"]],
            "period": frame["period"].astype("string"),
            "value": frame["value"],
            "unit": frame["unit"].astype("string"),
            "flag": frame["flag"].astype("string"),
            "flag_meaning": [flag_words(f) for f in frame["flag"]],
            "denominator_flag": (
                frame["denominator_flag"].astype("string") if "denominator_flag" in frame else None
            ),
            "note": frame["note"].astype("string") if "note" in frame else None,
            "source_dataset": frame["source_dataset"].astype("string"),
        }
    )
    out["source_url"] = [_each_source(snap, codes, source_url) for codes in out["source_dataset"]]
    out["publisher_last_update"] = [_each_source(snap, codes, last_update) for codes in out["source_dataset"]]
    out["snapshot_built_at"] = snap.manifest.get("built_at", "")
    return out[list(COLUMNS)]


def source_url(entry: dict) -> str:
    """The address a dataset was read from, as the manifest records it."""
    return entry.get("source_url") or ""


def last_update(entry: dict) -> str:
    """The publisher's last update: the file's own date, else the one in Eurostat's catalogue."""
    return entry.get("last_update") or entry.get("catalogue_last_update") or ""


def _each_source(snap: Snapshot, codes: object, field: Callable[[dict], str]) -> str:
    """`field` of every dataset in `a+b`, joined by ' | ' in the same order (one per code)."""
    if pd.isna(codes):
        return ""
    return " | ".join(field(snap.dataset(code)) for code in str(codes).split("+"))


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so spreadsheet programs read accents right; empty cells for nulls."""
    return frame.to_csv(index=False, na_rep="").encode("utf-8-sig")


def dictionary(indicator_ids: list[str]) -> pd.DataFrame:
    """The columns of a download, then each indicator's definition, formula, sources and caveats."""
    rows = [{"name": col, "kind": "column", "description": t(f"dict.{col}")} for col in COLUMNS]
    for ind_id in dict.fromkeys(indicator_ids):
        ind = BY_ID.get(ind_id)
        if ind is None:
            continue
        rows.append(
            {
                "name": ind.id,
                "kind": "indicator",
                "description": f"{ind.label} ({ind.unit}). {ind.definition}",
                "formula": ind.formula,
                "sources": ", ".join(ind.sources),
                "caveats": " ".join(ind.caveats),
            }
        )
    return pd.DataFrame(rows)
