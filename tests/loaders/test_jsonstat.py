"""JSON-stat reader: the real Statistics API answers in ../shared/data, our small cubes, error bodies.

Expected counts and values come from the raw JSON (json module, index arithmetic written out
here), never from the reader itself.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from loaders.errors import LoaderError
from loaders.formats import SNIFF_BYTES, _formats, read_bytes, read_path
from loaders.formats import jsonstat as reader

# file -> (dataset code, last update as the reader returns it: ISO 8601 with the offset kept)
REAL_FILES = {
    "migr_eipre.json": ("migr_eipre", "2026-05-12T11:00:00+02:00"),  # "updated": "2026-05-12T11:00:00+0200"
    "migr_pop1ctz.json": (
        "migr_pop1ctz",
        "2026-08-10T11:00:00+02:00",
    ),  # "updated": "2026-08-10T11:00:00+0200"
}


def _flat_index(doc: dict, codes: dict[str, str]) -> int:
    """Row-major position of one cell: written out plainly, independent of the reader."""
    index = 0
    for dim, size in zip(doc["id"], doc["size"], strict=True):
        index = index * size + doc["dimension"][dim]["category"]["index"][codes[dim]]
    return index


def _listed(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


@pytest.fixture(scope="module")
def json_dir(shared_data: Path) -> Path:
    return shared_data / "eurostat" / "json-stat"


def test_every_real_file_is_covered(json_dir: Path) -> None:
    assert sorted(p.name for p in json_dir.glob("*.json")) == sorted(REAL_FILES)


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_file_counts_values_flags(json_dir: Path, name: str) -> None:
    doc = json.loads((json_dir / name).read_text(encoding="utf-8"))
    result = read_path(json_dir / name)
    frame = result.frame

    assert result.format == "jsonstat"
    assert (result.dataset, result.last_update) == REAL_FILES[name]
    flagged_only = {k for k, s in doc["status"].items() if k not in doc["value"] and s not in ("", ":")}
    assert not flagged_only  # in these files every status belongs to a published value
    assert len(frame) == len(doc["value"])
    assert int(frame["value"].notna().sum()) == sum(v is not None for v in doc["value"].values())
    assert frame["value"].sum() == pytest.approx(sum(v for v in doc["value"].values() if v is not None))
    assert int((frame["value"] == 0).sum()) == sum(v == 0 for v in doc["value"].values())
    assert set(frame["flag"].dropna()) == set(doc["status"].values())
    assert int(frame["flag"].notna().sum()) == len(doc["status"])
    assert result.extra["flag_labels"] == doc["extension"]["status"]["label"]
    assert (frame["dataset"] == REAL_FILES[name][0]).all()
    assert "time" not in frame.columns and frame["freq"].unique().tolist() == ["A"]

    # Every row, put back at its flat index, holds the published value and status.
    dims = [d for d in doc["id"] if d not in ("freq", "time")]
    for row in frame.itertuples(index=False):
        codes = {"freq": "A", "time": row.period, **{d: getattr(row, d) for d in dims}}
        key = str(_flat_index(doc, codes))
        assert row.value == doc["value"][key]
        assert (None if pd.isna(row.flag) else row.flag) == doc["status"].get(key)


@pytest.mark.parametrize(
    ("name", "codes", "flat", "value", "flag"),
    [
        # migr_pop1ctz.json: size [1,1,1,1,1,45,13], geo DE at 5, time 2022 at 12 -> 5*13+12 = 77,
        # "77": 10893053 in "value"
        ("migr_pop1ctz.json", {"geo": "DE", "time": "2022"}, 77, 10893053.0, None),
        # geo EL at 8, time 2021 at 11 -> 115; "115": 782154
        ("migr_pop1ctz.json", {"geo": "EL", "time": "2021"}, 115, 782154.0, None),
        # geo EU27_2020 at 0, time 2020 at 10 -> 10; "10": 36429351 and "status" "10": "e"
        ("migr_pop1ctz.json", {"geo": "EU27_2020", "time": "2020"}, 10, 36429351.0, "e"),
        # migr_eipre.json: size [1,4,6,1,1,1,1,35,13]; reason TOTAL 0, apprehen TOTAL 0, geo EL 9,
        # time 2022 12 -> 9*13+12 = 129; "129": 49060
        ("migr_eipre.json", {"geo": "EL", "time": "2022"}, 129, 49060.0, None),
        # geo EU27_2020 0, time 2010 0 -> 0; "0": 455150 and "status" "0": "d"
        ("migr_eipre.json", {"geo": "EU27_2020", "time": "2010"}, 0, 455150.0, "d"),
    ],
)
def test_real_file_value_at_flat_index(
    json_dir: Path, name: str, codes: dict, flat: int, value: float, flag: str | None
) -> None:
    doc = json.loads((json_dir / name).read_text(encoding="utf-8"))
    first = {d: next(iter(doc["dimension"][d]["category"]["index"])) for d in doc["id"]}
    assert _flat_index(doc, {**first, **codes}) == flat
    assert doc["value"][str(flat)] == value and doc["status"].get(str(flat)) == flag

    frame = read_path(json_dir / name).frame
    selected = {("period" if d == "time" else d): c for d, c in {**first, **codes}.items() if d != "freq"}
    mask = pd.Series(True, index=frame.index)
    for column, wanted in selected.items():
        mask &= frame[column] == wanted
    assert len(frame[mask]) == 1
    assert frame[mask]["value"].iloc[0] == value
    assert _listed(frame[mask]["flag"]) == [flag]


def test_real_files_geo_codes(json_dir: Path) -> None:
    eipre = set(read_path(json_dir / "migr_eipre.json").frame["geo"])
    assert {"EL", "UK", "EU27_2020", "EU28"} <= eipre
    pop = set(read_path(json_dir / "migr_pop1ctz.json").frame["geo"])
    assert {"EL", "UK", "EU27_2020", "ME"} <= pop  # MD..AZ are "positions-with-no-data"


def test_eipre_json_and_labels_csv_agree(shared_data: Path) -> None:
    """The Statistics API file and the Data Browser labels-only export of migr_eipre, side by side.

    They overlap on 2014-2022. All flags agree, and all values but 12: the JSON-stat (updated
    2026-05-12) has revised IE 2018 and NL 2022, and its EU27 totals for 2018-2022 equal the sum
    of its member states, while the CSV's EU27 totals for 2019-2021 lag behind its own members.
    The registry lets the JSON-stat file win on overlaps.
    """
    keys = ["geo", "period", "reason", "apprehen", "citizen", "sex", "age", "unit"]
    js = read_path(shared_data / "eurostat/json-stat/migr_eipre.json").frame
    sd = read_path(shared_data / "eurostat/sdmx-csv/migr_eipre.csv").frame
    both = js.merge(sd, on=keys, suffixes=("_json", "_csv"))
    assert len(both) == 1799
    assert (both["flag_json"].fillna("") == both["flag_csv"].fillna("")).all()
    differ = both[both["value_json"] != both["value_csv"]]
    assert sorted(
        zip(differ["geo"], differ["period"], differ["reason"], differ["apprehen"], strict=True)
    ) == [
        ("EU27_2020", "2018", "TOTAL", "TOTAL"),
        ("EU27_2020", "2019", "TOTAL", "TOTAL"),
        ("EU27_2020", "2020", "TOTAL", "TOTAL"),
        ("EU27_2020", "2021", "TOTAL", "TOTAL"),
        ("EU27_2020", "2022", "TOTAL", "TOTAL"),
        ("IE", "2018", "TOTAL", "TOTAL"),
        ("NL", "2022", "ENTRY_NLEG", "BCP_SLA"),
        ("NL", "2022", "OTH", "INL"),
        ("NL", "2022", "OTH", "TOTAL"),
        ("NL", "2022", "TOTAL", "BCP_SLA"),
        ("NL", "2022", "TOTAL", "INL"),
        ("NL", "2022", "TOTAL", "TOTAL"),
    ]
    # IE 2018 total: 2265 in the JSON ("value" "112"), 2045 in the CSV (line 2378).
    ie = differ[differ["geo"] == "IE"].iloc[0]
    assert (ie["value_json"], ie["value_csv"]) == (2265.0, 2045.0)


def test_sniffer_claims_no_other_shared_file(shared_data: Path, json_dir: Path) -> None:
    others = [p for p in shared_data.rglob("*") if p.is_file() and p.parent != json_dir]
    assert any(p.suffix == ".geojson" for p in others)
    for path in others:
        assert not reader.sniff(path.read_bytes()[:SNIFF_BYTES]), path


# --- fixtures (no ../shared needed) -----------------------------------------------------------


def _cube(fixtures: Path) -> dict:
    return json.loads((fixtures / "jsonstat" / "dataset.json").read_text(encoding="utf-8"))


def _read(doc: dict) -> pd.DataFrame:
    return reader.read(json.dumps(doc).encode(), "cube.json").frame


def test_fixture_cube(fixtures: Path) -> None:
    data = (fixtures / "jsonstat" / "dataset.json").read_bytes()
    assert [name for name, sniff, _ in _formats() if sniff(data[:SNIFF_BYTES])] == ["jsonstat"]
    result = read_bytes(data, "dataset.json")
    frame = result.frame
    assert (result.dataset, result.last_update) == ("migr_test", "2025-03-27T23:00:00+01:00")
    assert list(frame.columns) == [
        "dataset",
        "geo",
        "period",
        "freq",
        "period_start",
        "citizen",
        "value",
        "flag",
    ]
    # size [1,2,3,2]: index = (citizen*3 + geo)*2 + time. Cells in index order; 3 has nothing,
    # 4 only the ':' status (not available, no flag), 9 only the status 'c' (kept, value null).
    assert frame["geo"].tolist() == ["EL", "EL", "UK", "EU27_2020", "EL", "UK", "EU27_2020"]
    assert frame["period"].tolist() == ["2023", "2024", "2023", "2024", "2024", "2024", "2023"]
    assert frame["citizen"].tolist() == ["TOTAL"] * 4 + ["NA"] * 3  # Namibia, not missing
    assert _listed(frame["value"]) == [100.0, 120.0, 50.0, 1000.0, 5.0, None, 0.0]
    assert _listed(frame["flag"]) == [None, None, "bep", "p", None, "c", None]
    assert result.extra["flag_labels"]["bep"] == "break in time series, estimated, provisional"
    assert result.extra["labels"]["citizen"] == {"TOTAL": "Total", "NA": "Namibia"}


def test_dense_arrays_read_like_sparse_objects(fixtures: Path) -> None:
    sparse = _cube(fixtures)
    dense = copy.deepcopy(sparse)
    total = math.prod(sparse["size"])
    dense["value"] = [sparse["value"].get(str(i)) for i in range(total)]
    dense["status"] = [sparse["status"].get(str(i)) for i in range(total)]
    assert _read(dense).equals(_read(sparse))


def test_one_status_string_for_every_cell(fixtures: Path) -> None:
    doc = _cube(fixtures)
    doc["status"] = "p"
    assert _listed(_read(doc)["flag"]) == ["p"] * 6


def test_single_category_without_index(fixtures: Path) -> None:
    doc = _cube(fixtures)
    del doc["dimension"]["freq"]["category"]["index"]
    assert _read(doc)["freq"].unique().tolist() == ["A"]


def test_sniff_finds_class_before_a_huge_value_object(fixtures: Path) -> None:
    doc = _cube(fixtures)
    doc["size"] = [1, 2, 3, 20000]
    doc["dimension"]["time"]["category"] = {"index": [str(1000 + i) for i in range(20000)]}
    doc["value"] = {str(i): i for i in range(0, 120000, 2)}
    data = json.dumps(doc).encode()
    assert data.index(b'"dimension"') > SNIFF_BYTES
    assert reader.sniff(data[:SNIFF_BYTES])


def test_sniff_rejects_geojson_and_csv(fixtures: Path) -> None:
    geojson = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}'
    assert not reader.sniff(geojson)
    assert not reader.sniff(b"[1, 2, 3]")
    assert not reader.sniff((fixtures / "sdmx" / "codes.csv").read_bytes())
    versioned = b'{"version": "2.0", "id": ["geo"], "size": [1], "dimension": {}, "value": {}}'
    assert reader.sniff(versioned)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("error_413.json", ["EXTRACTION_TOO_BIG", "max authorised is 5000000", "filter on the server"]),
        ("error_list.json", ["400 100 No results found"]),
        ("error_class.json", ["404 Unknown dataset: MIGR_NOPE"]),
    ],
)
def test_publisher_error_bodies(fixtures: Path, name: str, words: list[str]) -> None:
    data = (fixtures / "jsonstat" / name).read_bytes()
    assert [n for n, sniff, _ in _formats() if sniff(data)] == ["jsonstat"]
    with pytest.raises(LoaderError, match="the publisher sent an error instead of data") as err:
        read_bytes(data, name)
    assert str(err.value).startswith(f"{name}: ")
    for word in words:
        assert word in str(err.value)


def test_truncated_json(fixtures: Path) -> None:
    data = (fixtures / "jsonstat" / "dataset.json").read_bytes()
    with pytest.raises(LoaderError, match=r"cube\.json, line \d+: invalid JSON"):
        read_bytes(data[: len(data) // 2], "cube.json")


def test_empty_and_html() -> None:
    with pytest.raises(LoaderError, match="empty"):
        read_bytes(b"  \n", "cube.json")
    with pytest.raises(LoaderError, match="HTML"):
        read_bytes(b"<html><body>Service Unavailable</body></html>", "cube.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(size=[1, 2, 3]), r"id has 4 dimensions, size \[1, 2, 3\]"),
        (lambda d: d.update(size=[1, 2, 4, 2]), "dimension 'geo' has 3 categories .* but size 4"),
        (lambda d: d.update(size=[1, 2, 0, 2]), r"size \[1, 2, 0, 2\]"),
        (lambda d: d["value"].update({"12": 7}), r"value index 12 is beyond the 12 cells"),
        (lambda d: d["status"].update({"-1": "p"}), r"status index -1 is beyond the 12 cells"),
        (lambda d: d["value"].update({"x3": 7}), "value key 'x3' is not a cell index"),
        (lambda d: d["value"].update({"3": "abc"}), "value at index 3 is 'abc'"),
        (lambda d: d["value"].update({"3": True}), "value at index 3 is True"),
        (lambda d: d["dimension"]["geo"]["category"]["index"].update(UK=0), "category 'UK' has position 0"),
        (lambda d: d["id"].__setitem__(1, "sex"), "dimension 'sex' listed in id is not described"),
        (lambda d: d.update(value=None), "no value object or array"),
        (lambda d: d.update(value=[1, 2]), "value array has 2 cells, the cube 12"),
        (lambda d: d.update(updated="last Tuesday"), "updated 'last Tuesday' not understood"),
        (lambda d: d["dimension"]["time"]["category"].update(index={"2023": 0, "2023S2": 1}), "'2023S2'"),
    ],
)
def test_malformed_cube(fixtures: Path, change, message: str) -> None:
    doc = _cube(fixtures)
    change(doc)
    with pytest.raises(LoaderError, match=message) as err:
        _read(doc)
    assert str(err.value).startswith("cube.json: ")


def test_freq_must_match_period(fixtures: Path) -> None:
    doc = _cube(fixtures)
    doc["dimension"]["freq"]["category"] = {"index": {"M": 0}, "label": {"M": "Monthly"}}
    with pytest.raises(LoaderError, match="freq 'M' does not match period '2023'"):
        _read(doc)
