"""Numbers and flags in words, the same way in charts, tiles, tables and summaries."""

from __future__ import annotations

import math

from loaders import flags


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
