"""The dashboard's only reader of data/: one read-only snapshot per process, shared by every session.

`snapshot()` loads the Parquet files and manifest once per written snapshot (st.cache_resource, keyed by
the folder and the manifest's modification time, so a `loaders update` shows on the next rerun) and
prepares what every rerun needs (rows grouped by indicator, map shapes with rounded coordinates, names),
so a rerun only filters.
The frames are shared between sessions: callers filter and copy, never modify them in place.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import streamlit as st

from dashboard.strings import EN, t
from loaders import geo as geo_ref
from loaders import indicators as indicator_schema
from loaders import store
from loaders.catalogue import BY_ID, INDICATORS, Indicator, variants_of

ROOT = Path(__file__).resolve().parent.parent
DATA_ENV = "CROSSROADS_DATA_DIR"
LOG = logging.getLogger(__name__)
EU = "EU27_2020"
CITIZENSHIP_DATASET = "migr_asyappctza_iom"
COORDINATE_DECIMALS = 2  # about 1 km: more than the 1:60 million shapes can show


class SnapshotMissing(Exception):
    """data/ is absent or unreadable: which file (relative to the snapshot folder) and what is wrong.

    `reason` is our own words, safe to show a viewer; the exception behind it goes to the server log
    only (it may hold the server's absolute paths).
    """

    def __init__(self, path: Path, reason: str, file: str = "indicators.parquet"):
        super().__init__(f"{path / file}: {reason}")
        self.path = path
        self.file = file
        self.reason = reason


@contextlib.contextmanager
def _reading(path: Path, file: str, what: str) -> Iterator[None]:
    """Any failure while reading `file` becomes SnapshotMissing naming it (never a traceback)."""
    try:
        yield
    except SnapshotMissing:
        raise
    except Exception as exc:  # a damaged file can fail in pyarrow, json, or our own code alike
        LOG.warning("snapshot file %s unusable: %s: %s", path / file, type(exc).__name__, exc)
        raise SnapshotMissing(path, what, file) from exc


@dataclass(frozen=True)
class Snapshot:
    """Everything the pages read, prepared once."""

    path: Path
    stamp: int | None  # manifest.json modification time (ns) when read: which build or update this is
    indicators: pd.DataFrame
    by_indicator: dict[str, pd.DataFrame]
    by_geo: dict[tuple[str, str], pd.DataFrame]  # (indicator, geo) -> rows in time order
    by_period: dict[tuple[str, str], pd.DataFrame]  # (indicator, period) -> rows, indexed by geo
    valued_periods: dict[str, pd.DataFrame]  # indicator -> period, year of periods with a value, in order
    names: dict[str, str]
    member_states: tuple[str, ...]  # EU27 codes, sorted by name
    shapes: dict  # GeoJSON FeatureCollection, id = properties.NUTS_ID = geo
    label_points: dict[str, tuple[float, float]]
    routes: pd.DataFrame
    manifest: dict
    citizenship: pd.DataFrame | None
    year_range: tuple[int, int]
    newest_period: dict[str, str] = field(default_factory=dict)  # freq -> newest period in the snapshot
    changes: dict = field(default_factory=dict)  # data/changes.json: what the last update changed

    @property
    def key(self) -> str:
        """Identifies this snapshot (folder and write time), for caches of values computed from it."""
        return f"{self.path}@{self.stamp}"

    def name(self, geo: str) -> str:
        """Display name of a country, aggregate or route."""
        if geo == EU:
            return "EU27"
        return self.names.get(geo, geo)

    def rows(self, indicator_id: str) -> pd.DataFrame:
        """All rows of one indicator (empty frame when the snapshot has none)."""
        frame = self.by_indicator.get(indicator_id)
        return frame if frame is not None else self.indicators.iloc[0:0]

    def dataset(self, code: str) -> dict:
        """The manifest entry of a source dataset ({} when it is not in the manifest)."""
        return self.manifest.get("datasets", {}).get(code, {})


def data_dir() -> Path:
    """Where the snapshot lives: CROSSROADS_DATA_DIR, else data/ at the repository root."""
    return Path(os.environ.get(DATA_ENV) or ROOT / "data")


def snapshot_stamp(path: Path) -> int | None:
    """When the snapshot in `path` was last written: the manifest's modification time (ns), one os.stat.

    `loaders build` and `loaders update` write manifest.json last, by an atomic rename, so a new stamp
    means a new snapshot. None when there is no manifest (load_snapshot then says what is missing).
    """
    try:
        return os.stat(path / "manifest.json").st_mtime_ns
    except OSError:
        return None


def snapshot() -> Snapshot:
    """The snapshot of the current data directory, loaded once per process and written snapshot.

    The cache key is the folder and the manifest's modification time, checked on every call (one
    os.stat), so a `loaders update` on a running server is picked up by the next rerun.
    """
    path = data_dir()
    store.recover_if_idle(path)  # one os.stat unless a swap was cut off by a crash
    try:
        snap = _load(str(path), snapshot_stamp(path))
    except SnapshotMissing:
        # A reload that fails (a damaged file, a swap killed half way) keeps the last good snapshot.
        previous = _LAST_GOOD.get(str(path))
        if previous is None:
            raise
        return previous
    _LAST_GOOD[str(path)] = snap
    return snap


_LAST_GOOD: dict[str, Snapshot] = {}  # per data folder, for the life of the server process


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(path: str, stamp: int | None) -> Snapshot:
    """`stamp` is part of the cache key only: a new manifest makes a new entry (the oldest is dropped)."""
    snap = load_snapshot(Path(path), stamp=stamp)
    # The snapshot lives as long as the process: move it out of the garbage collector's sight, so a
    # collection during a rerun does not walk every cached frame and shape (measured: it made the
    # overview's p95 rerun about three times its p50).
    gc.collect()
    gc.freeze()
    return snap


def load_snapshot(path: Path, *, stamp: int | None = None) -> Snapshot:
    """Read and prepare a snapshot directory; SnapshotMissing when it cannot be used.

    `stamp`: the manifest's modification time the caller keyed this snapshot by (read here when None).
    """
    if stamp is None:
        stamp = snapshot_stamp(path)
    indicators_file = path / "indicators.parquet"
    if not indicators_file.exists():
        raise SnapshotMissing(path, t("data.problem.absent"))
    unreadable = t("data.problem.unreadable")
    with _reading(path, "indicators.parquet", unreadable):
        indicators = _read_indicators(indicators_file)
    if indicators.empty:
        raise SnapshotMissing(path, t("data.problem.empty"))
    with _reading(path, "geo.parquet", unreadable):
        names = _names(path)
    with _reading(path, "shapes.parquet", t("data.problem.shapes")):
        shapes, points = _shapes(path)
    with _reading(path, "routes.parquet", unreadable):
        routes = _read_optional(path / "routes.parquet", ["route", "label", "publisher"])
    with _reading(path, "manifest.json", t("data.problem.json")):
        manifest = _json_object(path / "manifest.json", required=True)
        if not isinstance(manifest.get("datasets"), dict):
            raise ValueError("manifest.json has no `datasets` object")
    with _reading(path, "changes.json", t("data.problem.json")):
        changes = _json_object(path / "changes.json", required=False)  # written by `loaders update` only
    citizenship_file = f"observations/{CITIZENSHIP_DATASET}.parquet"
    with _reading(path, citizenship_file, unreadable):
        citizenship = _citizenship(path / citizenship_file)
    names.update(dict(zip(routes["route"], routes["label"], strict=True)))
    # Rows grouped once here, so that a rerun looks small frames up instead of filtering 20,000 rows.
    by_indicator = {key: group for key, group in indicators.groupby("indicator", sort=False, observed=True)}
    by_geo = {
        key: group for key, group in indicators.groupby(["indicator", "geo"], sort=False, observed=True)
    }
    by_period = {
        key: group.set_index("geo", drop=False)
        for key, group in indicators.groupby(["indicator", "period"], sort=False, observed=True)
    }
    valued = indicators[indicators["value"].notna()].sort_values("period_start")
    valued_periods = {
        key: group.drop_duplicates("period")[["period", "year"]].reset_index(drop=True)
        for key, group in valued.groupby("indicator", sort=False, observed=True)
    }
    years = indicators.loc[indicators["indicator"] != "population", "year"]  # a denominator, from 2003
    member_states = tuple(sorted(geo_ref.EU27_2020, key=lambda g: names.get(g, g)))
    newest = indicators.groupby("freq", observed=True)["period"].max().to_dict()
    return Snapshot(
        path=path,
        stamp=stamp,
        indicators=indicators,
        by_indicator=by_indicator,
        by_geo=by_geo,
        by_period=by_period,
        valued_periods=valued_periods,
        names=names,
        member_states=member_states,
        shapes=shapes,
        label_points=points,
        routes=routes,
        manifest=manifest,
        changes=changes,
        citizenship=citizenship,
        year_range=(int(years.min()), int(years.max())),
        newest_period={str(k): str(v) for k, v in newest.items()},
    )


def _read_indicators(file: Path) -> pd.DataFrame:
    """The indicators table, checked against the schema the loaders declare (loaders.indicators.SCHEMA)."""
    frame = indicator_schema.conform(pq.read_table(file), file.name).to_pandas()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["year"] = frame["period_start"].dt.year.astype("int16")
    for col in indicator_schema.TEXT_COLUMNS:
        frame[col] = frame[col].astype("string")
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values(["indicator", "geo", "period_start"], ignore_index=True)


def _json_object(file: Path, *, required: bool) -> dict:
    """A JSON file that must hold an object ({} when optional and absent)."""
    if not file.exists() and not required:
        return {}
    payload = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(payload, dict):
        raise ValueError(f"{file.name} holds a {type(payload).__name__}, not an object")
    return payload


def _read_optional(file: Path, columns: list[str]) -> pd.DataFrame:
    if not file.exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    return pd.read_parquet(file, columns=columns)


def _names(path: Path) -> dict[str, str]:
    file = path / "geo.parquet"
    frame = pd.read_parquet(file, columns=["geo", "name"]) if file.exists() else geo_ref.reference_table()
    return dict(zip(frame["geo"].astype(str), frame["name"].astype(str), strict=True))


def _shapes(path: Path) -> tuple[dict, dict[str, tuple[float, float]]]:
    """FeatureCollection keyed by geo, coordinates rounded once here rather than on every rerun."""
    file = path / "shapes.parquet"
    if not file.exists():
        return {"type": "FeatureCollection", "features": []}, {}
    frame = pd.read_parquet(file, columns=["geo", "geometry", "lon", "lat"])
    if frame.empty:
        raise ValueError("shapes.parquet has no rows")
    features = []
    points = {}
    for row in frame.itertuples(index=False):
        geometry = json.loads(row.geometry)
        geometry["coordinates"] = _round(geometry["coordinates"])
        features.append(
            {
                "type": "Feature",
                "id": row.geo,
                "properties": {"NUTS_ID": row.geo},
                "geometry": geometry,
            }
        )
        points[str(row.geo)] = (round(float(row.lon), 2), round(float(row.lat), 2))
    return {"type": "FeatureCollection", "features": features}, points


def _round(coordinates: list) -> list:
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [round(c, COORDINATE_DECIMALS) for c in coordinates]
    return [_round(c) for c in coordinates]


def _citizenship(file: Path) -> pd.DataFrame | None:
    """Applicants by citizenship, sexes summed: geo, period, citizen, value."""
    if not file.exists():
        return None
    frame = pd.read_parquet(file, columns=["geo", "period", "citizen", "value"])
    summed = frame.groupby(["geo", "period", "citizen"], as_index=False, observed=True)["value"].sum(
        min_count=1
    )
    summed["period"] = summed["period"].astype("string")
    return summed


# --- Selections: what a page asks for -------------------------------------------------------------


def country_indicators() -> list[Indicator]:
    """Indicators a member state can have (not routes), in catalogue order."""
    return [ind for ind in INDICATORS if ind.geo_kind == "country"]


def picker_indicators(theme: str) -> list[str]:
    """Ids offered in the indicator picker for a theme: absolute indicators and rates, not their variants."""
    return [
        ind.id for ind in country_indicators() if ind.theme == theme and ind.variant in ("absolute", "rate")
    ]


def picker_themes() -> list[str]:
    """Themes that have at least one country indicator, in catalogue order."""
    return list(dict.fromkeys(ind.theme for ind in country_indicators()))


def resolve_view(indicator_id: str, view: str) -> tuple[str, str]:
    """(indicator id to show, view actually shown) for a picked indicator and a wanted view.

    Rates have no variants; a missing variant falls back to the absolute numbers.
    """
    indicator = BY_ID[indicator_id]
    if indicator.variant == "rate":
        return indicator_id, "rate"
    variants = variants_of(indicator_id)
    if view in variants:
        return variants[view], view
    return indicator_id, "absolute"


def series(
    snap: Snapshot,
    indicator_id: str,
    geos: list[str] | tuple[str, ...] | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Rows of one indicator, optionally for some geos and a year range, in time order."""
    if geos is None:
        frame = snap.rows(indicator_id)
    else:
        parts = [
            snap.by_geo[(indicator_id, g)] for g in dict.fromkeys(geos) if (indicator_id, g) in snap.by_geo
        ]
        frame = pd.concat(parts) if parts else snap.indicators.iloc[0:0]
    if years is not None:
        frame = frame[frame["year"].between(years[0], years[1])]
    return frame


def periods(snap: Snapshot, indicator_id: str, years: tuple[int, int] | None = None) -> list[str]:
    """Periods with at least one value, oldest first."""
    found = snap.valued_periods.get(indicator_id)
    if found is None:
        return []
    if years is not None:
        found = found[found["year"].between(years[0], years[1])]
    return found["period"].tolist()


def cross_section(snap: Snapshot, indicator_id: str, period: str) -> pd.DataFrame:
    """One period for every member state (missing states included with a null value) plus EU27."""
    present = snap.by_period.get(
        (indicator_id, period), snap.indicators.iloc[0:0].set_index("geo", drop=False)
    )
    out = present.reindex([*snap.member_states, EU])
    out["geo"] = out.index
    out["period"] = period
    out["indicator"] = indicator_id
    return out.reset_index(drop=True)


def states_with_value(snap: Snapshot, indicator_id: str, period: str) -> list[str]:
    """Member states (codes, in display order) with a value for an indicator in a period."""
    section = cross_section(snap, indicator_id, period)
    section = section[(section["geo"] != EU) & section["value"].notna()]
    return [g for g in snap.member_states if g in set(section["geo"])]


def default_period(snap: Snapshot, indicator_id: str, candidates: list[str]) -> str | None:
    """The newest of `candidates` for which most member states (more than half) have a value; the
    newest candidate when none has. Not the newest period any one state has: a single early reporter
    would open the map on one coloured country."""
    ordered = sorted(candidates, reverse=True)
    for period in ordered:
        if len(states_with_value(snap, indicator_id, period)) * 2 > len(snap.member_states):
            return period
    return ordered[0] if ordered else None


def last_period(snap: Snapshot, indicator_id: str) -> str | None:
    """Newest period with a value for an indicator, any geo."""
    found = periods(snap, indicator_id)
    return found[-1] if found else None


def series_end_note(snap: Snapshot, indicator_id: str) -> str | None:
    """Where an indicator's data ends, per member state where they differ, when it ends before the
    snapshot's newest data of its frequency: "2016 for most member states (France: 2019)"."""
    frame = snap.by_indicator.get(indicator_id)
    if frame is None:
        return None
    valued = frame[frame["value"].notna()]
    members = valued[valued["geo"].isin(geo_ref.EU27_2020)]
    last = (members if not members.empty else valued).groupby("geo", observed=True)["period"].max()
    if last.empty:
        return None
    freq = BY_ID[indicator_id].freq if indicator_id in BY_ID else "A"
    newest = snap.newest_period.get(freq)
    if newest is None or last.min()[:4] >= newest[:4]:
        return None
    common = last.mode().max()
    others = last[last != common].sort_values(ascending=False)
    if others.empty:
        return common
    listed = [f"{snap.name(g)}: {p}" for g, p in others.head(5).items()]
    if len(others) > 5:
        listed.append(t("chart.ends.more", count=len(others) - 5))
    route = indicator_id in BY_ID and BY_ID[indicator_id].geo_kind == "route"
    return t(
        "chart.ends.most_routes" if route else "chart.ends.most", common=common, others="; ".join(listed)
    )


def route_year_totals(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per route: the sum of its months of `year`, as drawn (and downloaded), with its flags."""
    months = rows[rows["year"] == year]
    totals = months.groupby("geo", as_index=False, observed=True).agg(
        value=("value", lambda v: v.sum(min_count=1)),
        months=("value", "count"),
        flag=("flag", lambda f: "".join(dict.fromkeys("".join(f.dropna()))) or None),
    )
    first = months.iloc[0]
    return totals.assign(
        indicator=first["indicator"],
        period=str(year),
        freq="A",
        unit=first["unit"],
        source_dataset=first["source_dataset"],
        note=[t("routes.year_note", months=m, year=year) for m in totals["months"]],
    ).drop(columns="months")


def top_citizenships(snap: Snapshot, geo: str, period: str, n: int = 10) -> pd.DataFrame:
    """The n largest citizenships of applicants in a state and period: citizen, name, value, share."""
    if snap.citizenship is None:
        return pd.DataFrame(columns=["citizen", "name", "value", "share"])
    frame = snap.citizenship
    frame = frame[(frame["geo"] == geo) & (frame["period"] == period) & frame["value"].notna()]
    frame = frame[~frame["citizen"].isin(["TOTAL", "EXT_EU27_2020", "EXT_EU28", "EU27_2020"])]
    total = frame["value"].sum()
    top = frame.nlargest(n, "value").copy()
    top["name"] = [t(f"citizen.{c}") if f"citizen.{c}" in EN else snap.name(c) for c in top["citizen"]]
    top["share"] = (top["value"] / total * 100).round(1) if total else None
    return top[["citizen", "name", "value", "share"]].reset_index(drop=True)


def citizenship_periods(snap: Snapshot, geo: str) -> list[str]:
    """Periods with applicants by citizenship for a state, oldest first."""
    if snap.citizenship is None:
        return []
    frame = snap.citizenship
    return sorted(frame.loc[frame["geo"] == geo, "period"].unique().tolist())


def route_names(snap: Snapshot, indicator_id: str) -> dict[str, str]:
    """Route id -> label, as named by the indicator's publisher (Frontex and IOM share some ids)."""
    publisher = next(iter(sources_of(snap, indicator_id)), None)
    routes = snap.routes
    own = routes[routes["publisher"] == publisher] if publisher in set(routes["publisher"]) else routes
    return dict(zip(own["route"].astype(str), own["label"].astype(str), strict=True))


def sources_of(snap: Snapshot, indicator_id: str) -> dict[str, list[str]]:
    """{publisher: [dataset codes]} of an indicator, from the catalogue and the manifest."""
    out: dict[str, list[str]] = {}
    for code in BY_ID[indicator_id].sources if indicator_id in BY_ID else ():
        publisher = snap.dataset(code).get("publisher") or "Eurostat"
        out.setdefault(publisher, []).append(code)
    return out


def release_changes(snap: Snapshot) -> pd.DataFrame:
    """One line per dataset the last `loaders update` refreshed: dates, rows added, values revised."""
    rows = []
    for code, change in snap.changes.get("datasets", {}).items():
        rows.append(
            {
                t("col.dataset"): code,
                t(
                    "col.last_update"
                ): f"{change.get('old_last_update') or '–'} → {change.get('new_last_update') or '–'}",
                t("col.rows_added"): change.get("rows_added", 0),
                t("col.rows_removed"): change.get("rows_removed", 0),
                t("col.values_revised"): change.get("values_revised", 0),
                t("col.flags_changed"): change.get("flags_changed", 0),
                t("col.periods_added"): ", ".join(change.get("periods_added", [])[:6]),
            }
        )
    return pd.DataFrame(rows)
