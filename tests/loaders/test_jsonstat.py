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
        (lambda d: d.update(size=[1, 2, -1, 2]), r"size \[1, 2, -1, 2\]"),
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
        (lambda d: d["dimension"]["time"]["category"].update(index={"2023": 0, "2023-13": 1}), "'2023-13'"),
        (lambda d: d.update(status=["p", "e"]), "status array has 2 cells, the cube 12"),
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


# --- what the JSON-stat 2.0 specification allows ------------------------------------------------


def _fixture(fixtures: Path, name: str) -> dict:
    return json.loads((fixtures / "jsonstat" / name).read_text(encoding="utf-8"))


def test_role_names_geo_and_time(fixtures: Path) -> None:
    result = read_path(fixtures / "jsonstat" / "role_area.json")
    frame = result.frame
    assert result.format == "jsonstat"
    assert list(frame.columns) == [
        "dataset",
        "geo",
        "period",
        "freq",
        "period_start",
        "indicator",
        "sex",
        "value",
        "flag",
    ]
    # size [1,2,2,2]: index = (sex*2 + area)*2 + year; "5" and "6" are absent, "7" has status p.
    assert frame["geo"].tolist() == ["AT", "AT", "SE", "SE", "AT", "SE"]
    assert frame["period"].tolist() == ["2022", "2023", "2022", "2023", "2022", "2023"]
    assert frame["sex"].tolist() == ["F"] * 4 + ["M"] * 2
    assert frame["indicator"].unique().tolist() == ["POP"]  # the metric role is a breakdown
    assert frame["value"].tolist() == [4500000.0, 4550000.0, 5200000.0, 5230000.0, 4400000.0, 5260000.0]
    assert _listed(frame["flag"]) == [None] * 5 + ["p"]
    assert result.extra["labels"]["geo"] == {"AT": "Austria", "SE": "Sweden"}


@pytest.mark.parametrize(("geo", "time"), [("country", "year"), ("REF_AREA", "TIME_PERIOD"), ("geo", "time")])
def test_role_works_whatever_the_ids(fixtures: Path, geo: str, time: str) -> None:
    doc = _fixture(fixtures, "role_area.json")
    dims = doc["dimension"]
    dims[geo], dims[time] = dims.pop("area"), dims.pop("year")
    doc["id"] = ["indicator", "sex", geo, time]
    doc["role"] = {"geo": [geo], "time": [time]}
    frame = _read(doc)
    assert frame["geo"].tolist() == ["AT", "AT", "SE", "SE", "AT", "SE"]
    assert frame["period"].tolist() == ["2022", "2023", "2022", "2023", "2022", "2023"]
    assert list(frame.columns) == list(read_path(fixtures / "jsonstat" / "role_area.json").frame.columns)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("role"), r"no geo dimension among \['indicator', 'sex', 'area', 'year'\]"),
        (lambda d: d["role"].pop("time"), "no time dimension among"),
        (lambda d: d["role"].update(geo=["area", "sex"]), r"2 geo dimensions among"),
        (lambda d: d["role"].update(geo=["region"]), "role 'geo' names dimension 'region', not in id"),
        (lambda d: d["role"].update(geo="area"), "role 'geo' is 'area'"),
        (lambda d: d["role"].update(time=["area"]), "dimension 'area' has both the geo and the time role"),
        (lambda d: d.update(role=["area", "year"]), "role is list"),
    ],
)
def test_role_errors(fixtures: Path, change, message: str) -> None:
    doc = _fixture(fixtures, "role_area.json")
    change(doc)
    with pytest.raises(LoaderError, match=message) as err:
        _read(doc)
    assert str(err.value).startswith("cube.json: ")


@pytest.mark.parametrize("dimension", ["GEO", "Period", "value"])
def test_breakdown_cannot_shadow_a_tidy_column(fixtures: Path, dimension: str) -> None:
    doc = _fixture(fixtures, "role_area.json")
    doc["dimension"][dimension] = doc["dimension"].pop("sex")
    doc["id"][1] = dimension
    with pytest.raises(LoaderError, match=f"dimension '{dimension}' would be a second '{dimension.lower()}'"):
        _read(doc)


def test_dense_value_and_status_arrays(fixtures: Path) -> None:
    doc = _fixture(fixtures, "dense.json")
    assert isinstance(doc["value"], list) and isinstance(doc["status"], list)
    frame = read_path(fixtures / "jsonstat" / "dense.json").frame
    # index = sex*6 + geo*3 + time. Dropped: 2 and 11 (null, no status), 7 (null, ':'). Kept:
    # 4 (null with status c, a flagged missing value); 11's '' status is no flag.
    assert frame["sex"].tolist() == ["F"] * 5 + ["M"] * 4
    assert frame["geo"].tolist() == ["DE", "DE", "FR", "FR", "FR", "DE", "DE", "FR", "FR"]
    assert frame["period"].tolist() == [
        "2021",
        "2022",
        "2021",
        "2022",
        "2023",
        "2021",
        "2023",
        "2021",
        "2022",
    ]
    assert _listed(frame["value"]) == [10.0, 11.0, 20.0, None, 22.0, 0.0, 13.0, 30.0, 31.0]
    assert _listed(frame["flag"]) == [None, None, None, "c", "p", None, "e", None, None]

    sparse = copy.deepcopy(doc)
    sparse["value"] = {str(i): v for i, v in enumerate(doc["value"]) if v is not None}
    sparse["status"] = {str(i): s for i, s in enumerate(doc["status"]) if s is not None}
    assert _read(sparse).equals(frame)


@pytest.mark.parametrize("status", [["e"], "e"])
def test_one_status_for_every_cell(fixtures: Path, status: object) -> None:
    doc = _fixture(fixtures, "status_one.json")
    doc["status"] = status
    frame = _read(doc)
    # size [1,3,2]: index = geo*2 + time; value at 0, 1, 3, 4.
    assert frame["geo"].tolist() == ["EL", "EL", "IT", "ES"]
    assert frame["period"].tolist() == ["2023", "2024", "2024", "2023"]
    assert frame["value"].tolist() == [1.0, 2.0, 4.0, 5.0]
    assert _listed(frame["flag"]) == ["e"] * 4
    assert read_path(fixtures / "jsonstat" / "status_one.json").frame.equals(frame)


def test_index_as_array_or_object_and_label_only_category(fixtures: Path) -> None:
    doc = _fixture(fixtures, "index_array.json")
    assert isinstance(doc["dimension"]["geo"]["category"]["index"], list)
    assert "index" not in doc["dimension"]["unit"]["category"]
    frame = read_path(fixtures / "jsonstat" / "index_array.json").frame
    # geo index ["CY", "BE", "AT"] (array order), time {"2024": 1, "2023": 0} (positions, not key
    # order): index = geo*2 + time, value at 0, 1, 2, 5.
    assert frame["geo"].tolist() == ["CY", "CY", "BE", "AT"]
    assert frame["period"].tolist() == ["2023", "2024", "2023", "2024"]
    assert frame["unit"].unique().tolist() == ["PER"]
    assert frame["freq"].unique().tolist() == ["A"]
    assert frame["value"].tolist() == [7.0, 8.0, 9.0, 12.0]


def test_label_only_needs_a_single_category(fixtures: Path) -> None:
    doc = _fixture(fixtures, "index_array.json")
    doc["dimension"]["unit"]["category"]["label"]["THS_PER"] = "Thousand persons"
    doc["size"][1] = 2
    with pytest.raises(LoaderError, match="dimension 'unit' has no category index"):
        _read(doc)


def test_split_status_reads_like_sdmx_csv(fixtures: Path) -> None:
    """Eurostat's 2025 `OBS_FLAG|CONF_STATUS` gives the flag of the same cell in SDMX-CSV."""
    js = read_path(fixtures / "jsonstat" / "split_status.json")
    sd = read_path(fixtures / "jsonstat" / "split_status.csv")
    assert (js.format, sd.format) == ("jsonstat", "sdmx_csv")
    # status "p|", "|C", "p|F", "|F", "b", "p|C" -> OBS_FLAG + CONF_STATUS, F (free) no mark.
    assert _listed(js.frame["flag"]) == ["p", "C", "p", None, "b", "pC"]
    assert _listed(js.frame["value"]) == [100.0, None, 120.0, 300.0, 310.0, None]
    pd.testing.assert_frame_equal(js.frame, sd.frame)


def test_split_status_not_available_is_no_flag(fixtures: Path) -> None:
    doc = _fixture(fixtures, "split_status.json")
    doc["status"] = {"0": ":|", "1": ":|C", "4": " e | c "}
    assert _listed(_read(doc)["flag"]) == [None, "C", None, None, "eC"]


@pytest.mark.parametrize(
    ("name", "why"),
    [("empty_size0.json", "dimension 'geo' has size 0"), ("empty_value.json", "value is empty")],
)
def test_empty_result_fixture(fixtures: Path, name: str, why: str) -> None:
    with pytest.raises(LoaderError) as err:
        read_path(fixtures / "jsonstat" / name)
    assert str(err.value) == f"{fixtures / 'jsonstat' / name}: the filter matched no data: {why}"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.update(size=[1, 2, 0, 2]), "dimension 'geo' has size 0"),
        (lambda d: d.update(value=[], status=[]), "value is empty"),
        (lambda d: d.update(value={}, status={"4": ":"}), "value is empty"),
        (lambda d: d.update(value=[None] * 12, status=None), "no cell has a value or a flag"),
    ],
)
def test_empty_result(fixtures: Path, change, why: str) -> None:
    doc = _cube(fixtures)
    change(doc)
    with pytest.raises(LoaderError) as err:
        _read(doc)
    assert str(err.value) == f"cube.json: the filter matched no data: {why}"
