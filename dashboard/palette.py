"""Colours and marks that mean the same thing on every page.

A member state keeps one colour and one marker symbol everywhere (fixed by its code, not by its place in a
selection). The colours are Paul Tol's colour-blind-safe "muted" set; with nine colours and three symbols
every one of the 27 states has its own pair. The EU aggregate is always black and dashed.
"""

from __future__ import annotations

from dataclasses import dataclass

COLOURS = (
    "#332288",  # indigo
    "#CC6677",  # rose
    "#117733",  # green
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
    "#1f78b4",  # blue (darker than Tol's cyan, readable on a projector)
    "#b15928",  # brown
)
SYMBOLS = ("circle", "square", "triangle-up")
# The states compared most often come first, so they get the nine colours with round markers.
STATE_ORDER = (
    "DE", "FR", "IT", "ES", "PL", "EL", "NL", "SE", "AT",
    "BE", "HU", "CZ", "PT", "RO", "BG", "DK", "FI", "IE",
    "HR", "SK", "SI", "LT", "LV", "EE", "CY", "LU", "MT",
)  # fmt: skip
EU_COLOUR = "#000000"
NEUTRAL = "#8c96a0"  # bars of states not picked: grey-blue, 3:1 against white
FLAG_SYMBOL = "diamond-open"
NO_DATA = "#e3e3e3"
SEQUENTIAL = "cividis_r"  # light for low, dark for high; colour-blind safe and monotonic in lightness


@dataclass(frozen=True)
class SeriesStyle:
    colour: str
    symbol: str
    dash: str = "solid"
    width: float = 2.5


EU_STYLE = SeriesStyle(EU_COLOUR, "circle", "dash", 3.0)


def style_for(geo: str) -> SeriesStyle:
    """The fixed style of a member state (or the EU aggregate); other codes get a stable fallback."""
    if geo.startswith("EU"):
        return EU_STYLE
    i = STATE_ORDER.index(geo) if geo in STATE_ORDER else sum(map(ord, geo))
    return SeriesStyle(COLOURS[i % len(COLOURS)], SYMBOLS[(i // len(COLOURS)) % len(SYMBOLS)])


# Routes (their own page, never next to states): Okabe-Ito, in an order that keeps the busiest routes apart.
ROUTE_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#8C510A",
    "#666666",
    "#B8A000",
)


def route_style(position: int) -> SeriesStyle:
    """Routes are few: one colour each by their order in routes.parquet."""
    colour = ROUTE_COLOURS[position % len(ROUTE_COLOURS)]
    return SeriesStyle(colour, SYMBOLS[(position // len(ROUTE_COLOURS)) % len(SYMBOLS)])
