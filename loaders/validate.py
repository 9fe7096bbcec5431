"""Rules every observation table must pass before it is written: impossible values never reach data/.

A reader checks the syntax of its format; these rules check what the values mean, the same way for
every format, so that a file (or a live answer) that parses but says something impossible is refused
with the dataset, the rule and an example row. The rules are declared once, here, per kind of
dataset (the defaults of `registry.Rules`), and a registry entry may override them with
`Dataset.rules`.

Why our own code and not a validation library (pandera, Great Expectations): five vectorised checks
over tidy frames we already hold, with messages in the same LoaderError form as every other loader
error, are shorter than a schema dependency and its adapters. The column types themselves are
checked where the Parquet is written (store.py).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pandas as pd
import pycountry

from loaders import geo
from loaders.errors import LoaderError
from loaders.formats._common import _dimension_labels
from loaders.registry import Dataset, Rules

# Breakdown columns whose codes are countries (or a few non-country groups named below).
COUNTRY_COLUMNS = ("citizen", "partner", "c_dest", "incident_country")
# Non-country codes the publishers use in those columns, with what they mean.
SPECIAL_COUNTRY_CODES = {
    "UNK": "unknown",
    "STLS": "stateless",
    "AFR_NSP": "Africa, not specified (Frontex)",
    "FOR_STLS": "foreign citizens and stateless",
}
_CODE = re.compile(r"^[A-Za-z0-9_+\-]+$")  # no spaces, no control characters


def check_table(dataset: Dataset, frame: pd.DataFrame, source: str, today: dt.date | None = None) -> None:
    """Raise a LoaderError naming `source`, the rule and the first offending row; return when all hold."""
    rules = dataset.rules
    if frame.empty:
        raise LoaderError(source, f"has no observations for {dataset.id}", expected="at least one row")
    _check_periods(frame, rules, source, today or dt.date.today())
    _check_geo(frame, dataset, rules, source)
    for column in _breakdowns(frame):
        _check_codes(frame, column, source)
    _check_values(frame, rules, source)


# A download with fewer than half, or more than three times, the rows the snapshot has is reported.
ROW_JUMP = (0.5, 3.0)


def row_jump(old_rows: int | None, new_rows: int) -> str | None:
    """A sentence when a dataset's new download is far smaller or larger than its snapshot table.

    Reported, not refused: a publisher may really drop or add a breakdown; a person should look.
    """
    if not old_rows:
        return None
    ratio = new_rows / old_rows
    if ROW_JUMP[0] <= ratio <= ROW_JUMP[1]:
        return None
    return (
        f"the download has {new_rows:,} rows against {old_rows:,} in the snapshot ({ratio:.0%}): "
        "check the publisher's release (rows the download lacks are kept from the snapshot)"
    )


def _breakdowns(frame: pd.DataFrame) -> list[str]:
    fixed = {"dataset", "geo", "period", "freq", "period_start", "value", "flag"}
    return [c for c in frame.columns if c not in fixed]


def _fail(source: str, frame: pd.DataFrame, mask: pd.Series, problem: str, expected: str) -> None:
    row = frame[mask.to_numpy()].iloc[0]
    where = ", ".join(f"{c}={row[c]}" for c in ("geo", "period") if c in frame)
    raise LoaderError(source, f"{problem} ({int(mask.sum())} rows, e.g. {where})", expected=expected)


def _check_periods(frame: pd.DataFrame, rules: Rules, source: str, today: dt.date) -> None:
    starts = pd.to_datetime(frame["period_start"])
    early = starts.dt.year < rules.first_year
    if early.any():
        _fail(source, frame, early, "period before the plausible range", f"periods from {rules.first_year}")
    future = starts.dt.date > today
    if future.any():
        _fail(
            source, frame, future, "period in the future", f"periods that have begun by {today.isoformat()}"
        )


def _check_geo(frame: pd.DataFrame, dataset: Dataset, rules: Rules, source: str) -> None:
    known = route_ids(dataset.id) if rules.geo == "route" else None
    unknown = ~frame["geo"].map(lambda code: _known_geo(code) if known is None else code in known)
    if unknown.any():
        what = (
            "a route id of the publisher"
            if known is not None
            else "a code of loaders/reference/geo_labels.tsv"
        )
        _fail(source, frame, unknown, f"unknown geo code {frame['geo'][unknown.to_numpy()].iloc[0]!r}", what)


def _check_codes(frame: pd.DataFrame, column: str, source: str) -> None:
    values = frame[column].astype("string")
    bad = ~values.fillna("").str.fullmatch(_CODE.pattern)
    if column in COUNTRY_COLUMNS:
        bad |= ~values.fillna("").map(lambda code: _known_country(column, code))
    if bad.any():
        code = values[bad.to_numpy()].iloc[0]
        _fail(
            source,
            frame,
            bad,
            f"unknown {column} code {code!r}",
            "a publisher's code (letters, digits, _ + -)",
        )


def _check_values(frame: pd.DataFrame, rules: Rules, source: str) -> None:
    values = frame["value"]
    negative = values < 0
    if negative.any():
        _fail(source, frame, negative.fillna(False), "negative count", "counts of 0 or more")
    if rules.integer_counts:
        fractional = values.notna() & (values % 1 != 0)
        if fractional.any():
            value = values[fractional.to_numpy()].iloc[0]
            _fail(
                source,
                frame,
                fractional,
                f"count {value} is not a whole number (a decimal comma or thousands point misread?)",
                "whole numbers",
            )


@cache
def route_ids(dataset_id: str) -> frozenset[str]:
    """Route ids a route dataset may name."""
    from loaders.formats import frontex, iom

    table = {"frontex_ibc": frontex.route_labels, "iom_mmp": iom.route_labels}
    return frozenset(table[dataset_id]())


@cache
def _known_geo(code: str) -> bool:
    return code in geo.AGGREGATES or geo.eurostat_label(code) is not None


@cache
def _known_country(column: str, code: str) -> bool:
    """A country, an aggregate, or a code the dimension's labels (loaders/reference) list."""
    if code in SPECIAL_COUNTRY_CODES or _known_geo(code):
        return True
    if (
        code in _dimension_labels().get(column, {}).values()
        or code in _dimension_labels()["citizen"].values()
    ):
        return True
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None
