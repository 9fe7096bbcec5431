"""What changed in a dataset between two snapshots: rows added and removed, values and flags revised.

`loaders update` writes the result to data/changes.json so the dashboard can say "what changed in
this release", with a few concrete examples (geo, period, breakdowns, old and new value) per kind of
change. Observations are matched on their key (dataset, geo, period and the kept breakdowns).
"""

from __future__ import annotations

import math

import pandas as pd

from loaders.select import key_columns

EXAMPLES = 5


def diff(old: pd.DataFrame | None, new: pd.DataFrame, examples: int = EXAMPLES) -> dict:
    """Counts and examples of changes from `old` (None: no previous table) to `new`."""
    if old is None or old.empty:
        return {
            "rows_before": 0 if old is None else len(old),
            "rows_after": len(new),
            "rows_added": len(new),
            "rows_removed": 0,
            "values_revised": 0,
            "flags_changed": 0,
            "periods_added": sorted(map(str, new["period"].unique())) if len(new) else [],
            "examples": {},
        }
    keys = [k for k in key_columns(new) if k in old.columns]
    if set(key_columns(old)) != set(key_columns(new)):
        return {
            "rows_before": len(old),
            "rows_after": len(new),
            "note": "breakdown columns differ between the two snapshots; rows not compared one by one",
        }
    left = _prepared(old, keys)
    right = _prepared(new, keys)
    both = left.merge(right, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    added = both[both["_merge"] == "right_only"]
    removed = both[both["_merge"] == "left_only"]
    matched = both[both["_merge"] == "both"]
    value_old, value_new = matched["value_old"], matched["value_new"]
    same_value = (value_old == value_new) | (value_old.isna() & value_new.isna())
    revised = matched[~same_value]
    flag_old = matched["flag_old"].fillna("")
    flag_new = matched["flag_new"].fillna("")
    reflagged = matched[same_value & (flag_old != flag_new)]
    old_periods = set(old["period"].astype(str))
    breakdowns = [k for k in keys if k not in ("dataset", "geo", "period")]
    return {
        "rows_before": len(old),
        "rows_after": len(new),
        "rows_added": len(added),
        "rows_removed": len(removed),
        "values_revised": len(revised),
        "flags_changed": len(reflagged),
        "periods_added": sorted({str(p) for p in new["period"].unique()} - old_periods),
        "examples": {
            name: _examples(rows, breakdowns, examples)
            for name, rows in (
                ("added", added),
                ("removed", removed),
                ("revised", revised),
                ("flags_changed", reflagged),
            )
            if len(rows)
        },
    }


def _prepared(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame[[*keys, "value", "flag"]].copy()
    for k in keys:
        out[k] = out[k].astype("string").fillna("")
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["flag"] = out["flag"].astype("string")
    return out


def _examples(rows: pd.DataFrame, breakdowns: list[str], n: int) -> list[dict]:
    """The latest periods first: that is where a release's changes are usually looked for."""
    picked = rows.sort_values(["period", "geo"], ascending=[False, True], kind="stable").head(n)
    return [
        {
            "geo": str(r["geo"]),
            "period": str(r["period"]),
            "breakdowns": {b: str(r[b]) for b in breakdowns},
            "old": _number(r.get("value_old")),
            "new": _number(r.get("value_new")),
            "old_flag": _text(r.get("flag_old")),
            "new_flag": _text(r.get("flag_new")),
        }
        for _, r in picked.iterrows()
    ]


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)
