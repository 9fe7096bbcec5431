"""GISCO GeoJSON reader and `feature_collection`: fixtures, refused files, the real NUTS level-0 layers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from loaders import geo
from loaders.errors import LoaderError
from loaders.formats import gisco, read_bytes

REGIONS = "gisco/regions_small.geojson"
LABELS = "gisco/labels_small.geojson"
REAL_REGIONS = "gisco/NUTS_RG_60M_2021_4326_LEVL_0.geojson"
REAL_LABELS = "gisco/NUTS_LB_2021_4326_LEVL_0.geojson"


def _dump(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


# --- fixtures -----------------------------------------------------------------------------------


def test_regions_fixture(fixtures: Path) -> None:
    result = gisco.read((fixtures / REGIONS).read_bytes(), REGIONS)
    frame = result.frame
    assert result.format == "gisco_geojson" and result.kind == "reference"
    assert result.extra["layer"] == "polygons"
    assert list(frame.columns) == ["geo", "name", "geometry_type", "geometry"]
    assert list(frame["geo"]) == ["EL", "UK", "MT"]
    assert list(frame["name"]) == ["Elláda", "United Kingdom", "Malta"]
    assert list(frame["geometry_type"]) == ["Polygon", "MultiPolygon", "Polygon"]
    malta = json.loads(frame.loc[frame["geo"] == "MT", "geometry"].iloc[0])
    assert malta == {
        "type": "Polygon",
        "coordinates": [[[14.2, 35.8], [14.6, 35.8], [14.6, 36.1], [14.2, 36.1], [14.2, 35.8]]],
    }
    assert " " not in frame["geometry"].iloc[0]  # compact JSON text


def test_labels_fixture_has_lon_lat(fixtures: Path) -> None:
    result = gisco.read((fixtures / LABELS).read_bytes(), LABELS)
    frame = result.frame
    assert result.extra["layer"] == "points"
    assert list(frame.columns) == ["geo", "name", "geometry_type", "geometry", "lon", "lat"]
    uk = frame[frame["geo"] == "UK"].iloc[0]
    assert (uk["lon"], uk["lat"]) == (-1.9, 52.9)
    assert str(frame["lon"].dtype) == "float64"


def test_dispatch_by_content(fixtures: Path) -> None:
    for name in (REGIONS, LABELS):
        assert read_bytes((fixtures / name).read_bytes(), name).format == "gisco_geojson"
    jsonstat_head = b'{"version": "2.0", "class": "dataset", "id": ["geo"], "value": {"0": 1}}'
    assert not gisco.sniff(jsonstat_head)
    assert not gisco.sniff(b"route,type,nat,t,n\n")


def test_feature_collection_round_trips(fixtures: Path) -> None:
    for name in (REGIONS, LABELS):
        frame = gisco.read((fixtures / name).read_bytes(), name).frame
        collection = gisco.feature_collection(frame)
        assert [f["id"] for f in collection["features"]] == list(frame["geo"])
        assert [f["properties"]["NUTS_ID"] for f in collection["features"]] == list(frame["geo"])
        again = gisco.read(_dump(collection), "rebuilt.geojson").frame
        assert again.equals(frame)


def test_feature_collection_needs_geo_and_geometry() -> None:
    import pandas as pd

    with pytest.raises(ValueError, match="geometry"):
        gisco.feature_collection(pd.DataFrame({"geo": ["DE"]}))


# --- refused files ------------------------------------------------------------------------------


def _regions(fixtures: Path) -> dict:
    return json.loads((fixtures / REGIONS).read_text(encoding="utf-8"))


def _feature(doc: dict, i: int) -> dict:
    return doc["features"][i]


def _first_ring(doc: dict) -> list:
    return doc["features"][0]["geometry"]["coordinates"][0]


CYPRUS_POINT = {
    "type": "Feature",
    "properties": {"NUTS_ID": "CY"},
    "geometry": {"type": "Point", "coordinates": [33, 35]},
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(type="Feature"), "not a GeoJSON FeatureCollection"),
        (lambda d: d.update(features=[]), "has no features"),
        (lambda d: _feature(d, 1)["properties"].pop("NUTS_ID"), "feature 2 has no NUTS_ID"),
        (lambda d: _feature(d, 1)["properties"].update(NUTS_ID=""), "feature 2 has no NUTS_ID"),
        (
            lambda d: _feature(d, 2)["properties"].update(NUTS_ID="EL"),
            "duplicate NUTS_ID 'EL' in features 1 and 3",
        ),
        (
            lambda d: _feature(d, 0)["geometry"].update(type="LineString"),
            "(EL) has geometry type 'LineString'",
        ),
        (lambda d: _feature(d, 0).update(geometry=None), "feature 1 (EL) has geometry type None"),
        (lambda d: _feature(d, 0)["properties"].update(LEVL_CODE=2), "NUTS level 2"),
        (lambda d: d["crs"]["properties"].update(name="urn:ogc:def:crs:EPSG::3035"), "EPSG::3035"),
        (lambda d: _first_ring(d)[1].__setitem__(1, 139.0), "invalid position"),
        (lambda d: _first_ring(d)[1].__setitem__(0, "20"), "invalid position"),
        (lambda d: _feature(d, 2)["geometry"]["coordinates"][0].pop(), "ring that is not closed"),
        (lambda d: d["features"].append(CYPRUS_POINT), "mix points and polygons"),
    ],
)
def test_bad_geojson_is_refused(fixtures: Path, change, message: str) -> None:
    doc = copy.deepcopy(_regions(fixtures))
    change(doc)
    with pytest.raises(LoaderError) as err:
        gisco.read(_dump(doc), "bad.geojson")
    assert message in str(err.value)
    assert str(err.value).startswith("bad.geojson")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b'{"type": "FeatureCollection",\n "features": [', "invalid JSON"),
        (b"[1, 2]", "not a GeoJSON FeatureCollection"),
        (b"<html><body>Gateway Timeout</body></html>", "invalid JSON"),
    ],
)
def test_broken_files(data: bytes, message: str) -> None:
    with pytest.raises(LoaderError, match=message):
        gisco.read(data, "bad.geojson")


def test_truncated_json_names_the_line() -> None:
    with pytest.raises(LoaderError) as err:
        gisco.read(b'{"type": "FeatureCollection",\n "features": [\n', "cut.geojson")
    assert err.value.line == 3


@pytest.mark.parametrize(
    ("data", "message"), [(b"", "file is empty"), (b"<html><body>x</body></html>", "HTML")]
)
def test_bad_input_through_dispatch(data: bytes, message: str) -> None:
    with pytest.raises(LoaderError, match=message):
        read_bytes(data, "download")


# --- the real layers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data: Path):
    out = {}
    for key, name in (("regions", REAL_REGIONS), ("labels", REAL_LABELS)):
        path = shared_data / name
        out[key] = (gisco.read(path.read_bytes(), str(path)), json.loads(path.read_text(encoding="utf-8")))
    return out


def test_real_layers_have_37_countries(real) -> None:
    for key, (result, doc) in real.items():
        frame = result.frame
        assert len(doc["features"]) == 37 and len(frame) == 37, key
        ids = [f["properties"]["NUTS_ID"] for f in doc["features"]]
        assert list(frame["geo"]) == ids
        assert frame["geo"].notna().all() and (frame["geo"].str.len() == 2).all()
        assert {"EL", "UK", "DE", "MT"} <= set(frame["geo"]) and not {"GR", "GB"} & set(frame["geo"])
        assert all(geo.eurostat_label(code) for code in frame["geo"])  # every NUTS_ID is a geo code
        assert frame["name"].notna().all()
    assert set(real["regions"][0].frame["geo"]) == set(real["labels"][0].frame["geo"])
    assert set(real["regions"][0].frame["geometry_type"]) == {"Polygon", "MultiPolygon"}
    assert set(real["labels"][0].frame["geometry_type"]) == {"Point"}


def test_real_geometries_equal_the_file(real) -> None:
    for result, doc in real.values():
        by_id = {f["properties"]["NUTS_ID"]: f["geometry"] for f in doc["features"]}
        for code, text in zip(result.frame["geo"], result.frame["geometry"], strict=True):
            assert json.loads(text) == by_id[code]
    labels, doc = real["labels"]
    germany = next(f for f in doc["features"] if f["properties"]["NUTS_ID"] == "DE")
    row = labels.frame[labels.frame["geo"] == "DE"].iloc[0]
    assert [row["lon"], row["lat"]] == germany["geometry"]["coordinates"]


def test_real_feature_collection_round_trips(real) -> None:
    result, doc = real["regions"]
    collection = gisco.feature_collection(result.frame)
    assert len(collection["features"]) == 37
    for rebuilt, original in zip(collection["features"], doc["features"], strict=True):
        assert rebuilt["id"] == rebuilt["properties"]["NUTS_ID"] == original["properties"]["NUTS_ID"]
        assert rebuilt["geometry"] == original["geometry"]
    assert gisco.read(_dump(collection), "rebuilt.geojson").frame.equals(result.frame)
