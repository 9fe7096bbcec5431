"""Numbers and flags in words, the same way in charts, tiles, tables and summaries."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.strings import t
from loaders import flags
from loaders.indicators import EU27_RATE_NOTE, EU27_SUM_NOTE

EU = "EU27_2020"


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(math.isnan(value))  # type: ignore[arg-type]
    except TypeError:
        return str(value) == "<NA>"


def number(value: object, unit: str = "") -> str:
    """12,345 for counts, 217.4 for rates and per-capita figures, "–" when missing."""
    if is_missing(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    if unit.startswith("%"):
        return f"{v:,.1f}%"
    if unit.startswith("per ") or not v.is_integer():
        return f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
    return f"{v:,.0f}"


def with_unit(value: object, unit: str) -> str:
    """The number and its unit once: "24.7% of decisions", "217.4 per 100,000 inhabitants", "12 persons"."""
    text = number(value, unit)
    if text == "–" or not unit:
        return text
    if unit.startswith("%"):
        rest = unit[1:].strip()
        return text if rest in ("", "ratio") else f"{text} {rest}"
    return f"{text} {unit}"


def in_sentence(label: str) -> str:
    """A label inside a sentence: first letter lower-cased unless the first word is an acronym (EU, UNHCR)."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def name_list(names: list[str]) -> str:
    """Names joined for a sentence; with semicolons when a name has a comma of its own ("Gambia, The")."""
    return ("; " if any("," in n for n in names) else ", ").join(names)


def short_unit(unit: str) -> str:
    """Short unit for a table cell: per 100,000 inhabitants becomes per 100k."""
    return unit.replace(" inhabitants", "").replace(",000", "k")


def change(current: object, previous: object, unit: str = "") -> str | None:
    """Change as "+12.3%", or "+1.5 pp" for a rate or share (a % of a % misleads); None when unknown."""
    if is_missing(current) or is_missing(previous):
        return None
    if unit.startswith("%"):
        return f"{float(current) - float(previous):+.1f} pp"  # type: ignore[arg-type]
    if float(previous) == 0:  # type: ignore[arg-type]
        return None
    pct = (float(current) / float(previous) - 1) * 100  # type: ignore[arg-type]
    return f"{pct:+.1f}%"


def flag_words(flag: object) -> str:
    """The flag in words (`pe` gives: provisional, estimated); empty for no flag."""
    if is_missing(flag) or not flag:
        return ""
    return ", ".join(flags.meanings(str(flag)))


def is_highlighted(flag: object) -> bool:
    """Does the flag get a distinct marker (provisional, estimated, break, confidential)?"""
    return not is_missing(flag) and bool(flags.highlights(str(flag)))


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- EU27 totals computed by Crossroads, and flags of computed values ------------------------------


def eu_sums(frame: pd.DataFrame) -> pd.Series:
    """Rows that are EU27 totals computed by Crossroads (the sum of the 27 member states, published by no
    one): geo EU27_2020 with the loaders' sum note. Per-capita figures of such a sum count too; other
    notes (e.g. a published total marked incomplete) do not make a sum."""
    if "note" not in frame or frame.empty:
        return pd.Series(False, index=frame.index)
    return (frame["geo"] == EU) & frame["note"].isin([EU27_SUM_NOTE, EU27_RATE_NOTE]).fillna(False)


def eu_name(rows: pd.DataFrame, name: str = "EU27") -> str:
    """The EU27 series' name as shown: "EU27 (sum of 27)" when the rows with a value are such sums,
    "EU27 (sum of 27 in 2012)" when only some are, else plain "EU27"."""
    eu = rows[(rows["geo"] == EU) & rows["value"].notna()] if "geo" in rows else rows.iloc[0:0]
    summed = eu[eu_sums(eu)]
    if summed.empty:
        return name
    if len(summed) == len(eu):
        return t("eu_sum.name", name=name)
    periods = sorted(summed["period"].astype(str).unique())
    if len(periods) > 3:
        return t("eu_sum.name.partly", name=name)
    return t("eu_sum.name.some", name=name, periods=", ".join(periods))


def flag_inputs(eu_sum: bool) -> str | None:
    """Whose flags a value's `flag` carries, in words, when they are not its own: an EU27 sum carries the
    member states' flags. (A per-capita figure's `flag` is its value's own; the population's flags are
    in `denominator_flag`, see denominator_line.)"""
    return t("flag.inputs.eu_sum") if eu_sum else None


def denominator_line(flag: object) -> str | None:
    """The population's flags of a per-capita value, in words, for the hover; None when it has none."""
    words = flag_words(flag)
    return t("chart.flag_line.population", flag=flag, meaning=words) if words else None
