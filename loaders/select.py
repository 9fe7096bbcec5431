"""The dataset step: from what the readers found in each file to one observation table.

Filters pick the series we show; breakdowns we do not keep must then be constant (one value),
so dropping them loses nothing. Files overlapping on the same observation: the later file in the
registry wins, and we count how many rows each file contributed and lost, for the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from loaders.errors import LoaderError
from loaders.registry import Dataset
from loaders.tidy import FIXED_BACK, FIXED_FRONT, NOT_BREAKDOWNS
from loaders.tidy import sort_key_columns as key_columns


@dataclass
class FileContribution:
    """What one input file gave to a dataset."""

    path: str
    rows_read: int
    rows_selected: int
    rows_kept: int = 0  # after newer files overrode overlapping observations
    dropped_constants: dict[str, str] = field(default_factory=dict)


def select(frame: pd.DataFrame, dataset: Dataset, source: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Apply the registry filters; drop breakdowns that are constant and not kept."""
    out = frame
    for column, allowed in dataset.filters.items():
        if column in out.columns:
            out = out[out[column].isin(allowed)]
    missing = [c for c in dataset.keep if c not in out.columns]
    if missing:
        raise LoaderError(
            source, f"has no {', '.join(missing)} column", expected=f"breakdowns {dataset.keep}"
        )
    constants: dict[str, str] = {}
    for column in [c for c in out.columns if c not in NOT_BREAKDOWNS and c not in dataset.keep]:
        values = out[column].dropna().unique()
        if len(values) > 1:
            raise LoaderError(
                source,
                f"breakdown {column!r} has several values {sorted(map(str, values))[:5]} after filtering",
                expected=f"a filter for {column!r} in the registry entry of {dataset.id}, or keep it",
            )
        if len(values) == 1:
            constants[column] = str(values[0])
        out = out.drop(columns=column)
    out = out.assign(dataset=dataset.id)
    order = FIXED_FRONT + sorted(dataset.keep) + FIXED_BACK
    return out[order].reset_index(drop=True), constants


def merge_newest_wins(
    frames: list[pd.DataFrame], contributions: list[FileContribution], source: str
) -> pd.DataFrame:
    """Concatenate per-file frames; on the same key the later file wins. Duplicates within a file fail."""
    for frame, contrib in zip(frames, contributions, strict=True):
        dupes = frame.duplicated(key_columns(frame))
        if dupes.any():
            row = frame[dupes].iloc[0].to_dict()
            raise LoaderError(contrib.path, f"two observations for the same key {row}")
    tagged = [f.assign(_file=i) for i, f in enumerate(frames)]
    allrows = pd.concat(tagged, ignore_index=True) if tagged else pd.DataFrame()
    if allrows.empty:
        raise LoaderError(source, "no observations left after filtering")
    merged = allrows.drop_duplicates(key_columns(frames[0]), keep="last")
    counts = merged["_file"].value_counts()
    for i, contrib in enumerate(contributions):
        contrib.rows_kept = int(counts.get(i, 0))
    merged = merged.drop(columns="_file")
    return merged.sort_values(key_columns(merged), kind="stable").reset_index(drop=True)
