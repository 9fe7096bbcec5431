"""The tidy observation schema every reader returns, and the period rules behind it.

Columns, in order: dataset, geo, period, freq, period_start, <breakdowns...>, value, flag.
Breakdown columns are whatever dimensions the publisher has (citizen, sex, reason ...), as codes.
`:` is null, never 0; flags are kept exactly as published.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from loaders.errors import LoaderError

FIXED_FRONT = ["dataset", "geo", "period", "freq", "period_start"]
FIXED_BACK = ["value", "flag"]
NOT_BREAKDOWNS = set(FIXED_FRONT + FIXED_BACK)

_ANNUAL = re.compile(r"^(\d{4})$")
_SEMESTER = re.compile(r"^(\d{4})-?S([12])$")
_QUARTERLY = re.compile(r"^(\d{4})-?Q([1-4])$")
_MONTHLY = re.compile(r"^(\d{4})(?:M|-)(\d{2})(?:-01)?$")
_WEEKLY = re.compile(r"^(\d{4})-?W(\d{2})$")
_DAILY = re.compile(r"^(\d{4})(?:-(\d{2})-|M(\d{2})D)(\d{2})$")
_FIRST_OF_MONTH = re.compile(r"^(\d{4})-(\d{2})-01$")
FIRST_YEAR = 1900  # no series we load starts earlier; an earlier year is a typo or a placeholder
PERIOD_SPELLINGS = "YYYY, YYYY-Sn, YYYY-Qn, YYYY-MM (YYYYMmm), YYYY-Www or YYYY-MM-DD, from 1900 to next year"


_UNIT = {"A": "year", "S": "half-year", "Q": "quarter", "M": "month", "W": "ISO week", "D": "day"}


def last_year() -> int:
    """The latest plausible year: next calendar year (forecasts and early releases, nothing later)."""
    return dt.date.today().year + 1


def year_problem(year: int) -> str | None:
    """Why `year` cannot be a publisher's (`0000`, `6016`), or None when it is plausible."""
    if year < FIRST_YEAR:
        return f"year {year:04d} is before {FIRST_YEAR}"
    if year > last_year():
        return f"year {year:04d} is after next year ({last_year()})"
    return None


def date_problem(text: str) -> str | None:
    """Why a published date (`03.02.6016`, `0000-01-01`) cannot be, from its four-digit year; else None."""
    found = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    return year_problem(int(found.group(1))) if found else None


def _parse(text: str) -> tuple[str, str] | None:
    """(period, freq) in our spelling when `text` has one of the known shapes, else None."""
    if m := _ANNUAL.match(text):
        return m.group(1), "A"
    if m := _SEMESTER.match(text):
        return f"{m.group(1)}-S{m.group(2)}", "S"
    if m := _QUARTERLY.match(text):
        return f"{m.group(1)}-Q{m.group(2)}", "Q"
    if m := _MONTHLY.match(text):
        return f"{m.group(1)}-{m.group(2)}", "M"
    if m := _WEEKLY.match(text):
        return f"{m.group(1)}-W{m.group(2)}", "W"
    if m := _DAILY.match(text):
        return f"{m.group(1)}-{m.group(2) or m.group(3)}-{m.group(4)}", "D"
    return None


def normalise_period(raw: str) -> tuple[str, str]:
    """Return (period, freq) in our spelling: `2024`/A, `2021-S1`/S, `2024-Q1`/Q, `2024-03`/M,
    `2024-W05`/W, `2024-01-15`/D.

    Accepts the publishers' spellings: `2021S1`, `2023Q4`, `2024M03`, `2024-03-01` (first of month:
    the derived files write months so), `2024W05`, `2024M01D15` (old bulk days). `YYYY-MM-01` is a
    month; a reader whose file declares a day passes it through `day_spelling` first. The period
    must exist (no month 13, week 53 of a 52-week year, 30 February) and its year be plausible
    (`year_problem`). Raises ValueError for anything else, so a reader can name the line.
    """
    found = _parse(raw.strip())
    if found is None:
        raise ValueError(f"unknown period {raw!r}")
    period, freq = found
    if problem := year_problem(int(period[:4])):
        raise ValueError(f"impossible period {raw!r}: {problem}")
    try:
        period_start(period, freq)
    except ValueError:
        raise ValueError(f"unknown period {raw!r}: no such {_UNIT[freq]}") from None
    return period, freq


def period_start(period: str, freq: str) -> pd.Timestamp:
    """First day of a normalised period (a week starts on its ISO Monday)."""
    year = int(period[:4])
    if freq == "A":
        return pd.Timestamp(year, 1, 1)
    if freq == "S":
        return pd.Timestamp(year, 6 * int(period[-1]) - 5, 1)
    if freq == "Q":
        return pd.Timestamp(year, 3 * int(period[-1]) - 2, 1)
    if freq == "M":
        return pd.Timestamp(year, int(period[5:7]), 1)
    if freq == "W":
        return pd.Timestamp(dt.date.fromisocalendar(year, int(period[6:8]), 1))
    if freq == "D":
        return pd.Timestamp(year, int(period[5:7]), int(period[8:10]))
    raise ValueError(f"unknown frequency {freq!r}")


def day_spelling(period: str) -> str:
    """`2024-01-01` of a series its file declares daily -> `2024M01D01`, which normalise_period reads
    as that day (alone, `YYYY-MM-01` is a month). Any other text is returned unchanged.
    """
    return _FIRST_OF_MONTH.sub(r"\1M\2D01", period)


def first_bad_period(periods: pd.Series) -> tuple[int, str] | None:
    """(position, problem) of the first period normalise_period refuses, for a reader to name its line."""
    for raw in periods.unique():
        try:
            normalise_period(str(raw))
        except ValueError as exc:
            at = int(np.flatnonzero(periods.to_numpy() == raw)[0])
            return at, str(exc)
    return None


def check_periods(
    periods: pd.Series, source: str, lines: Sequence[int], expected: str = PERIOD_SPELLINGS
) -> None:
    """Refuse the first period normalise_period refuses at its file line, `lines[row]`.

    For readers whose rows are not one per line (blank lines, quoted newlines); tidy.finish
    only knows the value.
    """
    bad = first_bad_period(periods)
    if bad is not None:
        at, problem = bad
        raise LoaderError(source, problem, line=lines[at], expected=expected)


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
            raise LoaderError(source, str(exc), expected=PERIOD_SPELLINGS) from None
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
    bad = first_bad_period(periods)
    if bad is not None:
        at, problem = bad
        if periods.iloc[at] == "":
            problem = "no TIME_PERIOD (blank line?)"
        raise LoaderError(source, problem, line=_line(first_line, at), expected=PERIOD_SPELLINGS)


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
