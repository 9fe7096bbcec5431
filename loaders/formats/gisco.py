"""GISCO NUTS level-0 GeoJSON: the country shapes (and label points) the dashboard's maps draw.

GISCO publishes NUTS boundaries as GeoJSON FeatureCollections whose `properties.NUTS_ID` equals the
Eurostat geo code (EL for Greece, UK for the United Kingdom), so the shapes join our observations
without any code mapping. Two layers share the layout: regions (`NUTS_RG_*`, Polygon/MultiPolygon)
and label points (`NUTS_LB_*`, Point). The reader returns a reference table, one row per country:
geo, name (NAME_LATN), geometry_type, geometry (the feature's geometry as compact JSON text) and, for
point layers, lon and lat. `feature_collection` turns such a table back into GeoJSON for plotly.

We refuse rather than draw a wrong map: a file that is not a FeatureCollection, a feature without
NUTS_ID, a duplicate NUTS_ID, a geometry type other than (Multi)Polygon/Point, malformed or
out-of-range coordinates, a projected CRS (GISCO also serves EPSG:3035/3857 with the same layout),
or a NUTS level other than 0.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pandas as pd

from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import head_text

FORMAT = "gisco_geojson"
POLYGON_TYPES = ("Polygon", "MultiPolygon")
POINT_TYPES = ("Point",)
# Names GISCO (and RFC 7946) use for plain longitude/latitude in degrees.
LONLAT_CRS = {
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
}
_FEATURE_COLLECTION = re.compile(r'"type"\s*:\s*"FeatureCollection"')


def sniff(head: bytes) -> bool:
    """A JSON object declaring itself a FeatureCollection (JSON-stat never does)."""
    text = head_text(head).lstrip()
    return text.startswith("{") and bool(_FEATURE_COLLECTION.search(text)) and '"features"' in text


def read(data: bytes, source: str) -> ReadResult:
    """One row per feature; polygons and points are different layers and never mixed."""
    if not data.strip():
        raise LoaderError(source, "file is empty")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise LoaderError(source, f"GeoJSON is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise LoaderError(source, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise LoaderError(source, f"JSON is not a GeoJSON FeatureCollection (type {found!r})")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise LoaderError(source, "FeatureCollection has no features", expected="a non-empty 'features' list")
    crs = _crs_name(doc, source)

    rows = []
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        rows.append(_feature_row(feature, number, source, seen))

    frame = pd.DataFrame(rows, columns=["geo", "name", "geometry_type", "geometry", "lon", "lat"])
    kinds = set(frame["geometry_type"])
    if kinds <= set(POINT_TYPES):
        layer = "points"
    elif kinds <= set(POLYGON_TYPES):
        layer = "polygons"
        frame = frame.drop(columns=["lon", "lat"])
    else:
        raise LoaderError(
            source,
            f"features mix points and polygons ({', '.join(sorted(kinds))})",
            expected="one layer: all Point (labels) or all Polygon/MultiPolygon (regions)",
        )
    for col in ("geo", "name", "geometry_type", "geometry"):
        frame[col] = frame[col].astype("string")
    if layer == "points":
        frame[["lon", "lat"]] = frame[["lon", "lat"]].astype("float64")
    dataset = "gisco_nuts0_labels" if layer == "points" else "gisco_nuts0"
    return ReadResult(
        frame, format=FORMAT, dataset=dataset, kind="reference", extra={"layer": layer, "crs": crs}
    )


def feature_collection(frame: pd.DataFrame) -> dict[str, Any]:
    """Rebuild GeoJSON from a reader frame, keyed on geo, for plotly's `featureidkey`.

    Both `id` and `properties.NUTS_ID` carry the geo code, so `featureidkey="properties.NUTS_ID"`
    (or plotly's default `id`) matches the observations' `geo` column.
    """
    missing = [c for c in ("geo", "geometry") if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no {', '.join(missing)} column (expected a gisco_geojson reader frame)")
    names = frame["name"] if "name" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    features = []
    for geo, name, geometry in zip(frame["geo"], names, frame["geometry"], strict=True):
        properties: dict[str, Any] = {"NUTS_ID": str(geo)}
        if isinstance(name, str):
            properties["NAME_LATN"] = name
        features.append(
            {"type": "Feature", "id": str(geo), "properties": properties, "geometry": json.loads(geometry)}
        )
    return {"type": "FeatureCollection", "features": features}


def _crs_name(doc: dict, source: str) -> str:
    """The declared CRS; GeoJSON without one is lon/lat by definition (RFC 7946)."""
    crs = doc.get("crs")
    if crs is None:
        return "urn:ogc:def:crs:OGC:1.3:CRS84"
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if name not in LONLAT_CRS:
        raise LoaderError(
            source,
            f"coordinates are in CRS {name!r}, not longitude/latitude",
            expected="EPSG:4326 (the GISCO file name ends in _4326_)",
        )
    return str(name)


def _feature_row(feature: Any, number: int, source: str, seen: dict[str, int]) -> dict[str, Any]:
    where = f"feature {number}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise LoaderError(source, f"{where} is not a GeoJSON Feature")
    props = feature.get("properties")
    nuts_id = props.get("NUTS_ID") if isinstance(props, dict) else None
    if not isinstance(nuts_id, str) or not nuts_id.strip():
        raise LoaderError(source, f"{where} has no NUTS_ID", expected="properties.NUTS_ID, e.g. 'DE'")
    nuts_id = nuts_id.strip()
    where = f"feature {number} ({nuts_id})"
    if nuts_id in seen:
        raise LoaderError(source, f"duplicate NUTS_ID {nuts_id!r} in features {seen[nuts_id]} and {number}")
    seen[nuts_id] = number
    level = props.get("LEVL_CODE")
    if level is not None and level != 0:
        raise LoaderError(source, f"{where} is NUTS level {level!r}", expected="NUTS level 0 (countries)")
    geometry = feature.get("geometry")
    gtype = geometry.get("type") if isinstance(geometry, dict) else None
    if gtype not in POLYGON_TYPES + POINT_TYPES:
        raise LoaderError(
            source, f"{where} has geometry type {gtype!r}", expected="Polygon, MultiPolygon or Point"
        )
    _check_coordinates(geometry.get("coordinates"), gtype, where, source)
    name = props.get("NAME_LATN")
    lon, lat = (geometry["coordinates"][0], geometry["coordinates"][1]) if gtype == "Point" else (None, None)
    return {
        "geo": nuts_id,
        "name": name if isinstance(name, str) else None,
        "geometry_type": gtype,
        "geometry": json.dumps(geometry, separators=(",", ":"), ensure_ascii=False),
        "lon": lon,
        "lat": lat,
    }


def _check_coordinates(coords: Any, gtype: str, where: str, source: str) -> None:
    """Nesting depth, numbers within lon/lat range and closed rings, as RFC 7946 requires."""

    def position(p: Any) -> None:
        ok = (
            isinstance(p, list)
            and len(p) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in p)
        )
        if not ok or not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90):
            raise LoaderError(
                source, f"{where} has an invalid position {p!r}", expected="[lon, lat] in degrees"
            )

    def polygon(rings: Any) -> None:
        if not isinstance(rings, list) or not rings:
            raise LoaderError(source, f"{where} has a polygon without rings")
        for ring in rings:
            if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
                raise LoaderError(source, f"{where} has a ring that is not closed or has under 4 positions")
            for p in ring:
                position(p)

    if gtype == "Point":
        position(coords)
    elif gtype == "Polygon":
        polygon(coords)
    else:
        if not isinstance(coords, list) or not coords:
            raise LoaderError(source, f"{where} has a MultiPolygon without polygons")
        for rings in coords:
            polygon(rings)


FORMATS = [(FORMAT, sniff, read)]
