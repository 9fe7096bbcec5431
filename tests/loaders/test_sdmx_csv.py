"""SDMX-CSV readers: every real Eurostat SDMX-CSV file in ../shared/data, then our small fixtures.

Expected counts, totals and flags are computed here from the raw file with the csv module, not
with the reader's own code, so a reader bug cannot agree with itself.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pandas as pd
import pytest

from loaders import geo
from loaders.errors import LoaderError
from loaders.formats import SNIFF_BYTES, _formats, read_bytes, read_path
from loaders.formats import sdmx_csv as reader

# file -> (format, dataset code, last update)
REAL_FILES = {
    "demo_gind.csv": ("sdmx_csv_labels", "demo_gind", "2025-03-27T23:00:00"),
    "migr_asyappctza.csv": ("sdmx_csv2_labels", "migr_asyappctza", None),
    "migr_asydcfsta_FR.csv": ("sdmx_csv", "migr_asydcfsta", "2021-06-03T11:00:00"),
    "migr_asytpsm.csv": ("sdmx_csv2_labels", "migr_asytpsm", None),
    "migr_eipre.csv": ("sdmx_csv_labels", "migr_eipre", None),  # LAST UPDATE column empty
    "migr_eirfs.csv": ("sdmx_csv_labels", "migr_eirfs", None),  # LAST UPDATE column empty
    "tps00170.csv": ("sdmx_csv_labels", "tps00170", "2025-03-03T11:00:00"),
    "tps00176.csv": ("sdmx_csv", "tps00176", "2024-11-29T11:00:00"),
}

# (file, line, selection, value, flag). The line is where the number is in the file; the test
# re-reads that line to prove the comment right.
SPOT_CHECKS = [
    # demo_gind.csv labels only: Germany -> DE, Greece -> EL, Kosovo* -> XK, EU27, United Kingdom -> UK
    ("demo_gind.csv", 275, {"geo": "DE", "period": "2024"}, 83456045.0, None),
    ("demo_gind.csv", 385, {"geo": "EL", "period": "2024"}, 10400720.0, None),
    ("demo_gind.csv", 428, {"geo": "EU27_2020", "period": "2023"}, 447695350.0, "bep"),
    ("demo_gind.csv", 429, {"geo": "EU27_2020", "period": "2024"}, 449306184.0, "ep"),
    ("demo_gind.csv", 1094, {"geo": "XK", "period": "2022"}, 1773971.0, None),
    ("demo_gind.csv", 1073, {"geo": "UK", "period": "2019"}, 66647112.0, None),
    # migr_eipre.csv: "European Union - 28 countries (2013-2020)" -> EU28; reason/apprehen labels -> codes
    ("migr_eipre.csv", 2328, {"geo": "EU28", "period": "2014", "reason": "TOTAL", "apprehen": "TOTAL"},
     672215.0, None),
    ("migr_eipre.csv", 2378, {"geo": "IE", "period": "2018", "reason": "TOTAL", "apprehen": "TOTAL"},
     2045.0, None),
    ("migr_eipre.csv", 2307, {"geo": "EL", "period": "2023", "reason": "TOTAL", "apprehen": "TOTAL"},
     72105.0, None),
    ("migr_eipre.csv", 129,
     {"geo": "EU27_2020", "period": "2021", "reason": "ENTRY_NLEG", "apprehen": "BCP_S"}, 72285.0, "bd"),
    ("migr_eipre.csv", 1534,
     {"geo": "AT", "period": "2021", "reason": "OTH", "apprehen": "INL"}, 38410.0, "d"),
    # migr_asyappctza.csv, SDMX-CSV 2.0 with labels
    ("migr_asyappctza.csv", 2, {"geo": "AT", "period": "2008", "citizen": "TOTAL"}, 12750.0, None),
    ("migr_asyappctza.csv", 171, {"geo": "EL", "period": "2024", "citizen": "TOTAL"}, 73685.0, None),
    ("migr_asyappctza.csv", 1081, {"geo": "UK", "period": "2019", "citizen": "UA"}, 200.0, None),
    # migr_asytpsm.csv, monthly: an empty OBS_VALUE with flag d is null and keeps its flag
    ("migr_asytpsm.csv", 220, {"geo": "DE", "period": "2022-03"}, None, "d"),
    ("migr_asytpsm.csv", 95, {"geo": "BG", "period": "2024-02"}, 45425.0, "b"),
    ("migr_asytpsm.csv", 658, {"geo": "IT", "period": "2025-01"}, 162470.0, "e"),
    # migr_asydcfsta_FR.csv, codes; citizen NA is Namibia and its 0 is a real zero
    ("migr_asydcfsta_FR.csv", 61,
     {"citizen": "AF", "sex": "T", "age": "TOTAL", "decision": "TOTAL_POS", "period": "2019"}, 5430.0, None),
    ("migr_asydcfsta_FR.csv", 4761,
     {"citizen": "NA", "sex": "T", "age": "TOTAL", "decision": "TOTAL_POS", "period": "2019"}, 0.0, None),
    ("migr_eirfs.csv", 121, {"geo": "EU27_2020", "period": "2023"}, 123260.0, "e"),
    ("tps00170.csv", 195, {"geo": "IE", "period": "2016"}, 41279.0, "u"),
    ("tps00176.csv", 133, {"geo": "EU27_2020", "period": "2013", "agedef": "COMPLET"}, 2901445.0, "bep"),
    ("tps00176.csv", 417, {"geo": "UK", "period": "2011", "agedef": "COMPLET"}, 566044.0, None),
    ("tps00176.csv", 120, {"geo": "EL", "period": "2022", "agedef": "COMPLET"}, 96662.0, None),
]  # fmt: skip


def _listed(series: pd.Series) -> list:
    """Column values with None for nulls, to compare with a plain list."""
    return [None if pd.isna(v) else v for v in series]


def _raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _raw_flag(row: dict[str, str]) -> str:
    conf = row.get("CONF_STATUS", "").strip().upper()
    return row.get("OBS_FLAG", "").strip() + ("" if conf in ("", "F", "A") else conf)


@pytest.fixture(scope="module")
def sdmx_dir(shared_data: Path) -> Path:
    return shared_data / "eurostat" / "sdmx-csv"


def test_every_real_file_is_covered(sdmx_dir: Path) -> None:
    assert sorted(p.name for p in sdmx_dir.glob("*.csv")) == sorted(REAL_FILES)


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_file_counts_totals_flags(sdmx_dir: Path, name: str) -> None:
    fmt, code, updated = REAL_FILES[name]
    raw = _raw_rows(sdmx_dir / name)
    result = read_path(sdmx_dir / name)
    frame = result.frame

    assert (result.format, result.dataset, result.last_update) == (fmt, code, updated)
    assert len(frame) == len(raw)
    assert int(frame["value"].notna().sum()) == sum(r["OBS_VALUE"].strip() != "" for r in raw)
    assert frame["value"].sum() == pytest.approx(sum(float(r["OBS_VALUE"]) for r in raw if r["OBS_VALUE"]))
    # An empty cell is null, never 0: zeros in the output are exactly the zeros in the file.
    assert int((frame["value"] == 0).sum()) == sum(r["OBS_VALUE"].strip() == "0" for r in raw)
    assert set(frame["flag"].dropna()) == {_raw_flag(r) for r in raw} - {""}
    assert int(frame["flag"].notna().sum()) == sum(_raw_flag(r) != "" for r in raw)
    assert (frame["dataset"] == code).all()
    assert "freq" in frame.columns and frame["freq"].notna().all()
    breakdowns = [c for c in frame.columns if c not in reader.tidy.NOT_BREAKDOWNS]
    assert "time_period" not in breakdowns and all(c == c.lower() for c in breakdowns)
    # Every geo is a code of the reference table, and no two of the file's geo spellings merged.
    assert set(frame["geo"]) <= set(geo.reference_table()["geo"])
    assert frame["geo"].nunique() == len({r["geo"] for r in raw})
    assert not frame.drop(columns=["value", "flag"]).isna().any().any()


@pytest.mark.parametrize(("name", "line", "where", "value", "flag"), SPOT_CHECKS)
def test_real_file_spot_values(
    sdmx_dir: Path, name: str, line: int, where: dict, value: float | None, flag: str | None
) -> None:
    raw_line = (sdmx_dir / name).read_text(encoding="utf-8-sig").splitlines()[line - 1]
    header = (sdmx_dir / name).read_text(encoding="utf-8-sig").splitlines()[0]
    cells = dict(zip(next(csv.reader([header])), next(csv.reader([raw_line])), strict=True))
    assert cells["OBS_VALUE"] == ("" if value is None else str(int(value)))  # the comment is right
    assert cells["OBS_FLAG"] == (flag or "")

    frame = read_path(sdmx_dir / name).frame
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column] == wanted
    match = frame[mask]
    assert len(match) == 1, where
    got = match.iloc[0]
    assert pd.isna(got["value"]) if value is None else got["value"] == value
    assert pd.isna(got["flag"]) if flag is None else got["flag"] == flag


def test_harmonised_geo_codes(sdmx_dir: Path) -> None:
    eipre = set(read_path(sdmx_dir / "migr_eipre.csv").frame["geo"])
    assert {"EL", "UK", "DE", "EU27_2020", "EU28"} <= eipre
    assert not {"GR", "GB", "Greece", "Germany"} & eipre
    demo = set(read_path(sdmx_dir / "demo_gind.csv").frame["geo"])
    assert {"EL", "UK", "DE", "XK", "EU27_2020", "EA20", "EFTA", "TR", "MD"} <= demo
    tps = set(read_path(sdmx_dir / "tps00176.csv").frame["geo"])
    assert {"EL", "UK", "EU27_2020"} <= tps


def test_namibia_is_a_code_not_missing(sdmx_dir: Path) -> None:
    raw = _raw_rows(sdmx_dir / "migr_asydcfsta_FR.csv")
    frame = read_path(sdmx_dir / "migr_asydcfsta_FR.csv").frame
    assert int((frame["citizen"] == "NA").sum()) == sum(r["citizen"] == "NA" for r in raw) == 150
    assert frame["citizen"].notna().all()


def test_csv2_labels_agree_with_codes(sdmx_dir: Path) -> None:
    result = read_path(sdmx_dir / "migr_asytpsm.csv")
    assert result.extra["labels"]["geo"]["EL"] == "Greece"
    assert result.extra["flag_labels"] == {
        "d": "definition differs (see metadata)",
        "b": "break in time series",
        "e": "estimated",
    }
    assert "Time frequency" not in result.frame.columns and "geo" in result.frame.columns


def test_sniffers_claim_no_other_shared_file(shared_data: Path, sdmx_dir: Path) -> None:
    mine = [sniff for _, sniff, _ in reader.FORMATS]
    others = [
        p for p in shared_data.rglob("*") if p.is_file() and p.parent != sdmx_dir and p.name != "README.md"
    ]
    assert others
    for path in others:
        head = path.read_bytes()[:SNIFF_BYTES]
        if head[:2] == b"\x1f\x8b":
            head = gzip.decompress(path.read_bytes())[:SNIFF_BYTES]
        assert not any(sniff(head) for sniff in mine), path


# --- fixtures (no ../shared needed) -----------------------------------------------------------


def _fixture(fixtures: Path, name: str) -> bytes:
    return (fixtures / "sdmx" / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("codes.csv", "sdmx_csv"),
        ("labels.csv", "sdmx_csv_labels"),
        ("csv2_labels.csv", "sdmx_csv2_labels"),
        ("csv2_codes.csv", "sdmx_csv2"),
    ],
)
def test_fixture_claimed_by_exactly_one_format(fixtures: Path, name: str, fmt: str) -> None:
    head = _fixture(fixtures, name)[:SNIFF_BYTES]
    assert [n for n, sniff, _ in _formats() if sniff(head)] == [fmt]


def test_one_line_file_without_final_newline_is_still_labels(fixtures: Path) -> None:
    """A head shorter than the sniff window is the whole file: its last line is not cut off."""
    data = b"\r\n".join(_fixture(fixtures, "labels.csv").split(b"\r\n")[:2])
    assert [n for n, sniff, _ in _formats() if sniff(data)] == ["sdmx_csv_labels"]
    assert read_bytes(data, "one.csv").frame["geo"].tolist() == ["EL"]


def test_fixture_codes(fixtures: Path) -> None:
    result = read_bytes(_fixture(fixtures, "codes.csv"), "codes.csv")
    frame = result.frame
    assert (result.format, result.dataset, result.last_update) == (
        "sdmx_csv",
        "migr_asydcfsta",
        "2025-02-14T11:00:00",
    )
    assert list(frame.columns) == [
        "dataset", "geo", "period", "freq", "period_start",
        "unit", "citizen", "sex", "age", "decision", "value", "flag",
    ]  # fmt: skip
    assert frame["geo"].tolist() == ["EL", "EL", "EL", "UK", "EU27_2020", "DE", "FR", "IT"]
    assert frame["citizen"].tolist()[:3] == ["NA", "NA", "SY"]
    # OBS_FLAG + CONF_STATUS as published; CONF_STATUS F (free) is no mark.
    assert _listed(frame["flag"]) == [None, "C", "p", "bep", "e", None, "c", "p"]
    values = frame["value"].tolist()
    assert values[0] == 15 and values[5] == 0 and values[7] == 640
    assert pd.isna(values[1]) and pd.isna(values[6])  # empty cells (confidential) are null, not 0
    assert frame["value"].dtype == "float64"
    assert str(frame["period_start"].iloc[3]) == "2019-01-01"


def test_fixture_labels_only(fixtures: Path) -> None:
    data = _fixture(fixtures, "labels.csv")
    assert b"\r\n" in data  # the Data Browser's CRLF line ends
    result = read_bytes(data, "labels.csv")
    frame = result.frame
    assert (result.format, result.dataset, result.last_update) == ("sdmx_csv_labels", "migr_eipre", None)
    assert frame["geo"].tolist() == ["EL", "DE", "XK", "EU28", "EU27_2020", "UK"]
    assert frame["reason"].tolist() == ["ENTRY_NLEG", "OSTAY", "OTH", "TOTAL", "TOTAL", "TOTAL"]
    assert frame["apprehen"].tolist() == ["INL", "TOTAL", "BCP_SLA", "TOTAL", "TOTAL", "TOTAL"]
    assert frame["citizen"].tolist() == ["TOTAL", "TOTAL", "TOTAL", "NA", "TOTAL", "TOTAL"]
    assert _listed(frame["flag"]) == [None, "b", None, "bep", "C", None]
    assert frame["freq"].unique().tolist() == ["A"]
    assert pd.isna(frame["value"].iloc[4]) and frame["value"].iloc[5] == 0


def test_fixture_csv2_labels(fixtures: Path) -> None:
    result = read_bytes(_fixture(fixtures, "csv2_labels.csv"), "csv2_labels.csv")
    frame = result.frame
    assert (result.format, result.dataset) == ("sdmx_csv2_labels", "migr_asytpsm")
    assert list(frame.columns) == [
        "dataset", "geo", "period", "freq", "period_start", "citizen", "value", "flag"
    ]  # fmt: skip
    assert frame["period"].tolist() == ["2024-01", "2024-02", "2024-02", "2024-01", "2024-01"]
    assert frame["freq"].unique().tolist() == ["M"]
    assert frame["citizen"].tolist() == ["UA", "UA", "NA", "UA", "UA"]
    assert _listed(frame["flag"]) == [None, "p", "C", "d", "bep"]
    assert frame["value"].isna().tolist() == [False, False, True, True, False]
    assert result.extra["flag_labels"]["bep"] == "break in time series, estimated, provisional"
    assert result.extra["flag_labels"]["C"] == "Confidential statistical information"
    assert result.extra["labels"]["citizen"] == {"UA": "Ukraine", "NA": "Namibia"}
    assert result.extra["title"] == "Beneficiaries of temporary protection, monthly"


def test_fixture_csv2_codes(fixtures: Path) -> None:
    result = read_bytes(_fixture(fixtures, "csv2_codes.csv"), "csv2_codes.csv")
    frame = result.frame
    assert (result.format, result.dataset) == ("sdmx_csv2", "migr_asyappctzm")
    assert "action" not in frame.columns
    assert frame["citizen"].tolist() == ["SY", "NA", "SY"]
    assert _listed(frame["flag"]) == [None, "C", "p"]


def test_gzip_and_truncated_gzip(fixtures: Path) -> None:
    data = _fixture(fixtures, "codes.csv")
    packed = gzip.compress(data)
    assert read_bytes(packed, "codes.csv.gz").frame.equals(read_bytes(data, "codes.csv").frame)
    with pytest.raises(LoaderError, match="truncated or corrupt") as err:
        read_bytes(packed[: len(packed) // 2], "codes.csv.gz")
    assert "codes.csv.gz" in str(err.value)


# --- bad input: a clear LoaderError each ------------------------------------------------------


def test_empty_file() -> None:
    with pytest.raises(LoaderError, match="empty"):
        read_bytes(b"", "empty.csv")
    with pytest.raises(LoaderError, match=r"empty\.csv, line 1: file is empty"):
        reader.read_v1_codes(b"\n", "empty.csv")


def test_html_page() -> None:
    page = b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>503</body></html>"
    with pytest.raises(LoaderError, match="HTML"):
        read_bytes(page, "page.csv")


def test_header_only_is_an_empty_table(fixtures: Path) -> None:
    header = _fixture(fixtures, "codes.csv").splitlines()[0] + b"\n"
    assert reader.read_v1_codes(header, "head.csv").frame.empty


@pytest.mark.parametrize(("old", "missing"), [(b"TIME_PERIOD", "TIME_PERIOD"), (b",geo,", "geo")])
def test_wrong_header(fixtures: Path, old: bytes, missing: str) -> None:
    data = _fixture(fixtures, "codes.csv").replace(old, b",region," if old == b",geo," else b"TIME", 1)
    with pytest.raises(LoaderError, match=rf"line 1: header has no {missing} column") as err:
        read_bytes(data, "bad.csv")
    assert "expected an SDMX-CSV header" in str(err.value)


def test_non_numeric_value(fixtures: Path) -> None:
    data = _fixture(fixtures, "codes.csv").replace(b",12345,", b",12x45,")
    with pytest.raises(LoaderError, match=r"bad\.csv, line 4: non-numeric value '12x45'"):
        read_bytes(data, "bad.csv")


@pytest.mark.parametrize(
    ("old", "new", "line", "dimension"),
    [
        (b"Kosovo*", b"Atlantis", 4, "geo"),
        (b"Overstay", b"Overstayed", 3, "reason"),
        (b"Annual", b"Yearly", 2, "freq"),
    ],
)
def test_unknown_label(fixtures: Path, old: bytes, new: bytes, line: int, dimension: str) -> None:
    data = _fixture(fixtures, "labels.csv").replace(old, new, 1)
    with pytest.raises(LoaderError) as err:
        read_bytes(data, "labels.csv")
    message = str(err.value)
    assert f"labels.csv, line {line}" in message
    assert new.decode() in message and repr(dimension) in message


def test_two_labels_for_one_code_is_a_duplicate(fixtures: Path) -> None:
    lines = _fixture(fixtures, "labels.csv").split(b"\r\n")
    extra = lines[2].replace(b"Germany", b"Germany (until 1990 former territory of the FRG)")
    data = b"\r\n".join([*lines[:3], extra, *lines[3:]])
    with pytest.raises(LoaderError, match=r"lines 3 and 4 \(two labels for one code.*same observation"):
        read_bytes(data, "labels.csv")


def test_freq_disagrees_with_period(fixtures: Path) -> None:
    lines = _fixture(fixtures, "codes.csv").split(b"\n")
    lines[3] = lines[3].replace(b",A,PER,", b",M,PER,")
    with pytest.raises(LoaderError, match=r"line 4: freq 'M' does not match period '2024'"):
        read_bytes(b"\n".join(lines), "codes.csv")


def test_unknown_period(fixtures: Path) -> None:
    data = _fixture(fixtures, "codes.csv").replace(b",UK,2019,", b",UK,2019X1,")
    with pytest.raises(LoaderError, match=r"line 5: unknown period '2019X1'"):
        read_bytes(data, "codes.csv")


def test_cut_off_last_line(fixtures: Path) -> None:
    data = _fixture(fixtures, "codes.csv").rstrip(b"\n")
    cut = data[: data.rindex(b"\n") + 30]  # the last line stops after a few cells
    with pytest.raises(LoaderError, match=r"line 9: .*cut off") as err:
        read_bytes(cut, "codes.csv")
    assert "13 comma-separated cells" in str(err.value)


def test_csv2_code_with_two_labels(fixtures: Path) -> None:
    data = _fixture(fixtures, "csv2_labels.csv").replace(b"EL,Greece,2024-02", b"EL,Hellas,2024-02")
    with pytest.raises(
        LoaderError, match=r"line 3: code 'EL' of 'geo' has two labels \['Greece', 'Hellas'\]"
    ):
        read_bytes(data, "csv2_labels.csv")


def test_csv2_labels_not_in_pairs(fixtures: Path) -> None:
    data = _fixture(fixtures, "csv2_labels.csv").replace(b"freq,Time frequency,", b"freq,", 1)
    data = data.replace(b",M,Monthly,", b",M,")
    with pytest.raises(LoaderError, match=r"line 1: 13 columns after STRUCTURE_NAME, not code/label pairs"):
        reader.read_v2_labels(data, "csv2_labels.csv")


def test_mixed_dataflows(fixtures: Path) -> None:
    lines = _fixture(fixtures, "codes.csv").split(b"\n")
    lines[2] = lines[2].replace(b"MIGR_ASYDCFSTA", b"MIGR_ASYDCFINA")
    with pytest.raises(LoaderError, match="mixes dataflows"):
        read_bytes(b"\n".join(lines), "codes.csv")


def test_dataset_code_and_last_update_spellings() -> None:
    flows = pd.Series(["ESTAT:MIGR_EIPRE$DEFAULTVIEW(1.0)"] * 2)
    assert reader.dataset_code(flows, "x") == "migr_eipre"
    assert reader.dataset_code(pd.Series(["ESTAT:MIGR_ASYAPPCTZA(1.0)"]), "x") == "migr_asyappctza"
    assert reader.dataset_code(pd.Series([""]), "x") == ""
    assert reader.last_update(pd.Series(["27/03/25 23:00:00"]), "x") == "2025-03-27T23:00:00"
    assert reader.last_update(pd.Series(["15/09/26"]), "x") == "2026-09-15"
    assert reader.last_update(pd.Series(["", ""]), "x") is None
    with pytest.raises(LoaderError, match=r"line 3: LAST UPDATE 'yesterday'"):
        reader.last_update(pd.Series(["27/03/25 23:00:00", "yesterday"]), "x")
