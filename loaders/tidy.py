"""The tidy observation schema every reader returns, and the period rules behind it.

Columns, in order: dataset, geo, period, freq, period_start, <breakdowns...>, value, flag.
Breakdown columns are whatever dimensions the publisher has (citizen, sex, reason ...), as codes.
`:` is null, never 0; flags are kept exactly as published.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from loaders.errors import LoaderError

FIXED_FRONT = ["dataset", "geo", "period", "freq", "period_start"]
FIXED_BACK = ["value", "flag"]
NOT_BREAKDOWNS = set(FIXED_FRONT + FIXED_BACK)

_ANNUAL = re.compile(r"^(\d{4})$")
_MONTHLY = re.compile(r"^(\d{4})(?:M|-)(\d{2})(?:-01)?$")
_QUARTERLY = re.compile(r"^(\d{4})-?Q([1-4])$")


def normalise_period(raw: str) -> tuple[str, str]:
    """Return (period, freq) in our spelling: `2024`/A, `2024-03`/M, `2024-Q1`/Q.

    Accepts the publishers' spellings: `2024M03`, `2024-03`, `2024-03-01` (first of month),
    `2023Q4`, `2023-Q4`. Raises ValueError for anything else, so a reader can name the line.
    """
    text = raw.strip()
    if m := _ANNUAL.match(text):
        return m.group(1), "A"
    if m := _MONTHLY.match(text):
        month = int(m.group(2))
        if 1 <= month <= 12:
            return f"{m.group(1)}-{month:02d}", "M"
    if m := _QUARTERLY.match(text):
        return f"{m.group(1)}-Q{m.group(2)}", "Q"
    raise ValueError(f"unknown period {raw!r}")


def period_start(period: str, freq: str) -> pd.Timestamp:
    """First day of a normalised period."""
    if freq == "A":
        return pd.Timestamp(int(period), 1, 1)
    if freq == "M":
        return pd.Timestamp(int(period[:4]), int(period[5:7]), 1)
    return pd.Timestamp(int(period[:4]), 3 * int(period[-1]) - 2, 1)


def finish(frame: pd.DataFrame, source: str, dataset: str | None = None) -> pd.DataFrame:
    """Turn a reader's raw long frame into the typed tidy schema.

    `frame` needs at least geo, period (as published), value and flag; other columns are
    breakdowns. `dataset` overrides/sets the dataset column. Periods are normalised once per
    distinct value (a dataset has few), which keeps this fast on millions of rows.
    """
    frame = frame.copy(deep=False)  # copy-on-write: columns are replaced below, never written into
    if dataset is not None:
        frame["dataset"] = pd.array(
            pa.repeat(pa.scalar(dataset, pa.large_string()), len(frame)), dtype="string"
        )
    missing = [c for c in ("dataset", "geo", "period", "value", "flag") if c not in frame.columns]
    if missing:
        raise LoaderError(source, f"reader produced no {', '.join(missing)} column")

    # A dataset has few distinct periods: normalise each once, then spread by position (vectorised).
    codes, uniques = pd.factorize(frame["period"].astype("string"))
    if (codes < 0).any():
        raise LoaderError(source, "an observation has no period")
    periods, freqs, starts = [], [], []
    for raw in uniques:
        try:
            per, freq = normalise_period(str(raw))
        except ValueError as exc:
            raise LoaderError(source, str(exc), expected="YYYY, YYYY-MM, YYYYMmm or YYYYQn") from None
        periods.append(per)
        freqs.append(freq)
        starts.append(period_start(per, freq).date())
    rows = pa.array(codes)
    frame["period"] = pd.array(pa.array(periods, pa.large_string()).take(rows), dtype="string")
    frame["freq"] = pd.array(pa.array(freqs, pa.large_string()).take(rows), dtype="string")
    frame["period_start"] = pd.array(
        pa.array(starts, pa.date32()).take(rows), dtype=pd.ArrowDtype(pa.date32())
    )

    breakdowns = [c for c in frame.columns if c not in NOT_BREAKDOWNS]
    for col in ["dataset", "geo", *breakdowns]:
        frame[col] = frame[col].astype("string")
    if frame["value"].dtype != "float64":
        frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype("float64")
    flag = frame["flag"].astype("string").str.strip()
    empty = flag == ""
    frame["flag"] = flag.mask(empty) if empty.any() else flag
    out = frame[FIXED_FRONT + breakdowns + FIXED_BACK]
    return out.reset_index(drop=True)


def sort_key_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that identify one observation: everything but value, flag and what period implies."""
    return [c for c in frame.columns if c not in ("value", "flag", "period_start", "freq")]


def _line(first_line: int | None, position: int) -> int | None:
    return None if first_line is None else first_line + position


def _check_periods(periods: pd.Series, source: str, first_line: int | None) -> None:
    """Name the line of the first period tidy.finish could not read (it only knows the value)."""
    for raw in periods.unique():
        try:
            normalise_period(str(raw))
        except ValueError:
            at = int(np.flatnonzero(periods.to_numpy() == raw)[0])
            problem = "no TIME_PERIOD (blank line?)" if raw == "" else f"unknown period {raw!r}"
            raise LoaderError(
                source, problem, line=_line(first_line, at), expected="YYYY, YYYY-MM, YYYYMmm or YYYYQn"
            ) from None


def finish_checked(raw: pd.DataFrame, source: str, dataset: str, first_line: int | None = 2) -> pd.DataFrame:
    """tidy.finish, after checking what it cannot: the file's freq against each period, and duplicates.

    `raw` rows are in file order (row i on line first_line + i; None when the format has no lines).
    freq is dropped from the breakdowns because tidy derives it from the period; a disagreement
    means the file or our reading of it is wrong. Used by the SDMX-CSV and JSON-stat readers; the
    duplicate check costs a hash of every key, so the TSV reader (millions of rows) checks on its own.
    """
    _check_periods(raw["period"], source, first_line)
    file_freq = raw.pop("freq") if "freq" in raw.columns else None
    out = finish(raw, source, dataset=dataset)
    if file_freq is not None:
        wrong = file_freq.astype("string").to_numpy() != out["freq"].to_numpy()
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise LoaderError(
                source,
                f"freq {file_freq.iloc[i]!r} does not match period {out['period'].iloc[i]!r}",
                line=_line(first_line, i),
                expected=f"freq {out['freq'].iloc[i]}",
            )
    keys = sort_key_columns(out)
    dupes = out.duplicated(keys, keep=False)
    if dupes.any():
        first, second = np.flatnonzero(dupes.to_numpy())[:2].tolist()
        row = out.loc[dupes, keys].iloc[0].to_dict()
        where = "two cells"
        if first_line is not None:
            lines = f"lines {first_line + first} and {first_line + second}"
            where = f"{lines} (two labels for one code, or a repeated line)"
        raise LoaderError(
            source,
            f"{where} are the same observation {row}",
            line=_line(first_line, second),
            expected="one line per observation",
        )
    return out
