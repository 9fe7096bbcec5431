"""Legacy Data Explorer CSV (before 2019): labels become today's codes, flags kept, `:` is null.

Real files under ../shared/data/eurostat/legacy-csv are checked against counts computed here with the
csv module; our own small fixtures (tests/fixtures/legacy) cover the traps and the bad inputs.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from loaders.errors import LoaderError
from loaders.formats import legacy_csv, read_bytes, read_path
from tests.loaders.helpers import one_row

LEGACY_FILES = [
    "demo_pjan_2007-2016.csv",
    "migr_asyappctza_2008-2016.csv",
    "migr_asyappctzm_2008-2015.csv",
    "migr_asydcfsta_2008-2016.csv",
    "migr_eiord_2010-2016.csv",
    "migr_eirtn_2010-2016.csv",
]


def _raw_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


_one = one_row


# --- real files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LEGACY_FILES)
def test_real_file_counts_flags_and_missing(shared_data: Path, name: str) -> None:
    path = shared_data / "eurostat" / "legacy-csv" / name
    header, rows = _raw_rows(path)
    value_at = header.index("Value")
    result = read_path(path)
    frame = result.frame

    assert result.format == "legacy_csv"
    assert result.dataset is None and set(frame["dataset"]) == {""}  # the file does not name it
    assert len(frame) == len(rows)
    missing = sum(1 for r in rows if r[value_at] == ":")
    assert missing > 0
    assert frame["value"].isna().sum() == missing  # ':' -> null ...
    assert frame["value"].notna().sum() == len(rows) - missing  # ... and nothing else is
    if "Flag and Footnotes" in header:
        published = Counter(r[-1] for r in rows if r[-1])
        assert Counter(frame["flag"].dropna()) == published  # every flag kept, as published
    else:
        assert frame["flag"].isna().all()
    # breakdown columns are today's dimension ids, holding codes, not labels
    expected = [legacy_csv.dimension_id(h) for h in header[:value_at] if h not in ("TIME", "GEO")]
    assert list(frame.columns) == [
        "dataset",
        "geo",
        "period",
        "freq",
        "period_start",
        *expected,
        "value",
        "flag",
    ]
    assert "EU27_2020" not in set(frame["geo"])


def test_demo_pjan_thousands_separators_and_two_germanies(shared_data: Path) -> None:
    frame = read_path(shared_data / "eurostat" / "legacy-csv" / "demo_pjan_2007-2016.csv").frame
    # line 2: "2007","European Union (28 countries)",...,"498,300,775",""
    row = _one(frame, geo="EU28", period="2007")
    assert row["value"] == 498_300_775 and pd.isna(row["flag"])
    # line 409: "2014","European Union (27 countries)",...,"502,727,059","bep"
    row = _one(frame, geo="EU27_2007", period="2014")
    assert row["value"] == 502_727_059 and row["flag"] == "bep"
    # lines 532/533: "Germany (until 1990 former territory of the FRG)" and "Germany (including former GDR)"
    assert _one(frame, geo="DE", period="2016")["value"] == 82_175_684
    assert _one(frame, geo="DE_TOT", period="2016")["value"] == 82_175_684
    assert (frame["geo"] == "DE").sum() == 10 and (frame["geo"] == "DE_TOT").sum() == 10
    # line 53: "2007","Monaco",...,":" -> null, not 0
    assert pd.isna(_one(frame, geo="MC", period="2007")["value"])
    # line 530: "Czech Republic" -> CZ; line 566: "Former Yugoslav Republic of Macedonia, the" -> MK
    assert _one(frame, geo="CZ", period="2016")["value"] == 10_553_843
    assert _one(frame, geo="MK", period="2016")["value"] == 2_071_278
    assert set(frame["unit"]) == {"NR"} and set(frame["sex"]) == {"T"} and set(frame["age"]) == {"TOTAL"}


@pytest.mark.parametrize(
    ("name", "extra", "eu28", "eu27"),
    [
        # lines 206/207: "2016","European Union (28 countries)" 493,785 / "(27 countries)" 489,055
        ("migr_eiord_2010-2016.csv", {}, 493_785, 489_055),
        # lines 410/412: "Total number of persons returned" 247,165 (EU28) / 245,275 (EU27)
        ("migr_eirtn_2010-2016.csv", {"c_dest": "TOTAL"}, 247_165, 245_275),
    ],
)
def test_eu27_2007_and_eu28_kept_apart(
    shared_data: Path, name: str, extra: dict, eu28: int, eu27: int
) -> None:
    frame = read_path(shared_data / "eurostat" / "legacy-csv" / name).frame
    assert _one(frame, geo="EU28", period="2016", **extra)["value"] == eu28
    assert _one(frame, geo="EU27_2007", period="2016", **extra)["value"] == eu27
    assert (frame["geo"] == "EU28").sum() == (frame["geo"] == "EU27_2007").sum() == 7 * (2 if extra else 1)


def test_eirtn_indic_mg_becomes_c_dest(shared_data: Path) -> None:
    frame = read_path(shared_data / "eurostat" / "legacy-csv" / "migr_eirtn_2010-2016.csv").frame
    assert set(frame["c_dest"]) == {"TOTAL", "THRD"}
    # line 265: "2013","United Kingdom","Total","Persons returned to a third country","Person","47,205","p"
    row = _one(frame, geo="UK", period="2013", c_dest="THRD")
    assert row["value"] == 47_205 and row["flag"] == "p"


def test_asylum_annual_codes_and_flags(shared_data: Path) -> None:
    frame = read_path(shared_data / "eurostat" / "legacy-csv" / "migr_asyappctza_2008-2016.csv").frame
    # line 2: 2008,"European Union (28 countries)","Extra-EU-28",...,"Asylum applicant","Person","225,150","d"
    row = _one(frame, geo="EU28", period="2008", citizen="EXT_EU28", asyl_app="ASY_APP")
    assert row["value"] == 225_150 and row["flag"] == "d"
    # line 625: 2012,"Netherlands","Total",...,"First time applicant","Person","9,665","p"
    row = _one(frame, geo="NL", period="2012", citizen="TOTAL", asyl_app="NASY_APP")
    assert row["value"] == 9_665 and row["flag"] == "p"
    assert "TOTAL" in set(frame["geo"])  # the "Total" geo row


def test_monthly_and_decisions(shared_data: Path) -> None:
    monthly = read_path(shared_data / "eurostat" / "legacy-csv" / "migr_asyappctzm_2008-2015.csv").frame
    assert set(monthly["freq"]) == {"M"}
    assert monthly["period"].min() == "2008-01" and monthly["period"].max() == "2015-05"
    # line 90: "2015M05","European Union (28 countries)",...,"16,070"
    assert _one(monthly, geo="EU28", period="2015-05")["value"] == 16_070
    # line 179: "2015M05","Belgium",...,":"
    assert pd.isna(_one(monthly, geo="BE", period="2015-05")["value"])
    decisions = read_path(shared_data / "eurostat" / "legacy-csv" / "migr_asydcfsta_2008-2016.csv").frame
    assert set(decisions["decision"]) == {"TOTAL", "TOTAL_POS", "REJECTED"}
    # line 3: "2008","European Union (28 countries)","Extra-EU-28",...,"Total positive decisions",...,"57,945"
    row = _one(decisions, geo="EU28", period="2008", citizen="EXT_EU28", decision="TOTAL_POS")
    assert row["value"] == 57_945


def test_real_labels_sidecar(shared_data: Path) -> None:
    path = shared_data / "eurostat" / "legacy-csv" / "migr_asyappctzm_2008-2015_labels.csv"
    result = read_path(path)
    assert result.format == "legacy_csv_labels" and result.kind == "metadata"
    assert result.dataset == "migr_asyappctzm"
    assert result.last_update == "2015-06-19T06:54:23"  # line 3: "LAST UPDATE: 19.06.15 06:54:23"
    assert result.extra["extracted"] == "2015-06-24T17:01:32"
    counts = result.frame.groupby("dimension").size().to_dict()
    # lines 10-98: 89 months 2008M01..2015M05; lines 101-134: 34 geo labels
    assert counts == {"time": 89, "geo": 34, "citizen": 1, "sex": 1, "age": 1, "asyl_app": 1, "unit": 1}
    assert result.extra["special_values"] == {":": "not available"}


# --- fixtures ---------------------------------------------------------------------------------


def test_fixture_labels_to_codes(fixtures: Path) -> None:
    result = read_path(fixtures / "legacy" / "asylum_applicants.csv")  # first cell TIME unquoted
    frame = result.frame
    assert result.format == "legacy_csv"
    assert list(frame["geo"]) == ["EU28", "EU27_2007", "DE", "DE_TOT", "CZ", "MK", "TOTAL", "EL"]
    assert list(frame["value"].iloc[:5]) == [1_257_610, 1_250_005, 202_645, 202_650, 905]
    assert pd.isna(frame["value"].iloc[5])  # ":"
    assert frame["value"].iloc[6] == 0  # a published 0 stays 0
    assert pd.isna(frame["value"].iloc[7]) and frame["flag"].iloc[7] == "c"  # ':' with a flag
    assert list(frame["flag"].fillna("-")) == ["p", "bep", "-", "e", "-", "-", "-", "c"]
    assert list(frame["citizen"]) == ["TOTAL"] * 4 + ["EXT_EU28"] + ["TOTAL"] * 3
    assert frame["asyl_app"].iloc[4] == "NASY_APP"
    assert set(frame["sex"]) == {"T"} and set(frame["unit"]) == {"PER"}
    assert str(frame["period_start"].iloc[7]) == "2015-01-01"


def test_fixture_monthly_without_flag_column(fixtures: Path) -> None:
    frame = read_path(fixtures / "legacy" / "monthly_no_flags.csv").frame
    assert list(frame["geo"]) == ["MT", "MT", "LU"]  # never MT0 / LU_CAP
    assert list(frame["period"]) == ["2015-01", "2015-02", "2015-03"]
    assert set(frame["freq"]) == {"M"}
    assert frame["flag"].isna().all()
    assert frame["value"].iloc[0] == 120 and pd.isna(frame["value"].iloc[1])


def test_fixture_crlf_and_indic_mg(fixtures: Path) -> None:
    frame = read_path(fixtures / "legacy" / "returns_indic_mg.csv").frame
    assert list(frame["c_dest"]) == ["TOTAL", "TOTAL", "THRD"]
    assert list(frame["geo"]) == ["EU28", "EU27_2007", "BE"]
    assert list(frame["value"]) == [247_100, 245_200, 4_010]
    assert list(frame["flag"].fillna("-")) == ["-", "d", "-"]


def test_fixture_labels_sidecar(fixtures: Path) -> None:
    result = read_path(fixtures / "legacy" / "labels_sidecar.csv")
    assert result.format == "legacy_csv_labels"
    assert (result.dataset, result.last_update) == ("migr_asyappctzm", "2014-02-03T11:05:09")
    assert result.frame.to_dict("list") == {
        "dimension": ["time", "time", "geo", "geo", "asyl_app"],
        "label": ["2013M11", "2013M12", "Malta", "Total", "Asylum applicant"],
    }


def test_fixture_label_spellings_of_every_vintage(fixtures: Path) -> None:
    frame = read_path(fixtures / "legacy" / "vintages.csv").frame  # CRLF, as the old exports
    # 2016-2019 spelling, 2010-2016 spelling (EU27_2007, before Croatia) and today's: three aggregates
    assert list(frame["geo"]) == ["EU28", "EU27_2007", "EU27_2020", "DE", "DE", "MT", "MT"]
    assert list(frame["value"].iloc[:3]) == [1_260_910, 1_222_660, 1_166_815]
    assert list(frame["citizen"]) == ["EXT_EU28"] * 4 + ["EXT_EU27_2007", "STLS", "DE"]
    assert frame["flag"].iloc[1] == "e"


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("GEO", "European Union - 27 countries"),  # 2007 or 2020? depends on the vintage: refused
        ("CITIZEN", "Extra-EU27"),
    ],
)
def test_ambiguous_aggregate_spellings_are_refused(column: str, label: str) -> None:
    row = {"GEO": "Malta", "CITIZEN": "Total"} | {column: label}
    data = f'"TIME","GEO","CITIZEN","Value"\n"2014","{row["GEO"]}","{row["CITIZEN"]}","15"\n'.encode()
    with pytest.raises(LoaderError, match=rf"line 2: label '{label}' .*\(column {column}\)"):
        legacy_csv.read(data, "old.csv")


@pytest.mark.parametrize(
    ("column", "label", "advice"),
    [
        (
            "CITIZEN",
            "Atlantis",
            "loaders/reference/geo_labels.tsv: add it there or fetch Eurostat's code list ESTAT/CITIZEN",
        ),
        (
            "UNIT",
            "Parsecs",
            "loaders/reference/dimension_labels.tsv: add it there or fetch Eurostat's code list ESTAT/UNIT",
        ),
    ],
)
def test_unknown_label_names_the_code_list_to_add(column: str, label: str, advice: str) -> None:
    row = {"CITIZEN": "Total", "UNIT": "Person"} | {column: label}
    data = f'"TIME","GEO","CITIZEN","UNIT","Value"\n"2014","Malta","{row["CITIZEN"]}","{row["UNIT"]}","1"\n'
    with pytest.raises(LoaderError) as info:
        legacy_csv.read(data.encode(), "old.csv")
    assert info.value.line == 2 and advice in str(info.value)


def test_fixture_labels_sidecar_with_flags_and_no_footnotes(fixtures: Path) -> None:
    result = read_path(fixtures / "legacy" / "labels_flags.csv")
    assert (result.dataset, result.last_update) == ("migr_asyappctza", "2017-03-21T11:00:02")
    assert result.extra["special_values"] == {":": "not available"}
    assert result.extra["flags"] == {"e": "estimated", "p": "provisional"}
    assert result.extra["footnotes"] == []
    assert result.frame["dimension"].tolist() == ["time", "time", "geo", "geo", "citizen"]


def test_labels_sidecar_legends_in_one_block_and_footnotes() -> None:
    data = (
        b'"DATASET: T [abc]"\n\n"LAST UPDATE: 19.06.15 06:54:23"\n\n"GEO"\n"Malta"\n\n'
        b'"Special value:"\n":","not available"\n"Available flags:"\n"b","break in time series"\n\n'
        b'"Footnotes:"\n"(1) Provisional data"\n'
    )
    result = legacy_csv.read_labels(data, "x")
    assert result.extra["special_values"] == {":": "not available"}
    assert result.extra["flags"] == {"b": "break in time series"}
    assert result.extra["footnotes"] == ["(1) Provisional data"]
    with pytest.raises(LoaderError, match=r"x, line 13: unexpected block starting 'Unknown notes'"):
        legacy_csv.read_labels(data.replace(b"Footnotes:", b"Unknown notes"), "x")


HEADER = '"TIME","GEO","UNIT","Value","Flag and Footnotes"\n'


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        (
            '"2014","Atlantis","Person","12",""\n',
            "label 'Atlantis' of dimension 'geo' maps to no Eurostat code",
            2,
        ),
        (
            '"2014","Malta","Person","12",""\n"2014","Malta","Parsecs","3",""\n',
            "label 'Parsecs' of dimension 'unit' maps to no Eurostat code (column UNIT)",
            3,
        ),
        ('"2014","Malta","Person","12",""\n"2015","Malta","Person","n/a",""\n', "non-numeric value 'n/a'", 3),
        ('"2014","Malta","Person","12"\n', "4 fields instead of 5", 2),
        ('"2014","Malta","Person","12",""\n"20145","Malta","Person","1",""\n', "unknown period '20145'", 3),
        (
            '"2014","Malta","Person","12",""\n"2014","Malta","Person","13",""\n',
            "two rows for the same observation (geo=MT, period=2014, unit=PER), also on line 2",
            3,
        ),
    ],
)
def test_bad_rows_name_file_line_and_problem(body: str, message: str, line: int) -> None:
    with pytest.raises(LoaderError) as info:
        legacy_csv.read((HEADER + body).encode(), "bad.csv")
    assert info.value.source == "bad.csv"
    assert info.value.line == line
    assert message in str(info.value)


def test_windows_1252_export() -> None:
    data = '"TIME","GEO","CITIZEN","Value"\n"2014","Malta","Côte d\'Ivoire","15"\n'.encode("cp1252")
    frame = legacy_csv.read(data, "old.csv").frame
    assert list(frame["citizen"]) == ["CI"] and list(frame["value"]) == [15]
    with pytest.raises(LoaderError, match=r"old.csv: not UTF-8 or Windows-1252 text \(byte 39\)"):
        legacy_csv.read(b'"TIME","GEO","CITIZEN","Value"\n"2014","\x81","x","1"\n', "old.csv")


def test_unknown_label_in_indic_mg_names_the_column() -> None:
    data = b'"TIME","GEO","INDIC_MG","Value"\n"2014","Malta","Returned by air","5"\n'
    with pytest.raises(LoaderError, match=r"'Returned by air' of dimension 'c_dest'.*\(column INDIC_MG\)"):
        legacy_csv.read(data, "bad.csv")


def test_wrong_header_header_only_and_empty() -> None:
    with pytest.raises(LoaderError, match=r"bad.csv, line 1: not a Data Explorer CSV header"):
        legacy_csv.read(b'"TIME","GEO","UNIT","OBS_VALUE"\n"2014","Malta","Person","1"\n', "bad.csv")
    with pytest.raises(LoaderError, match="no observations after the header"):
        legacy_csv.read(HEADER.encode(), "bad.csv")
    with pytest.raises(LoaderError, match="file is empty"):
        legacy_csv.read(b"\n\n", "bad.csv")
    with pytest.raises(LoaderError, match="file is empty"):
        read_bytes(b"", "empty.csv")


def test_html_page_is_refused() -> None:
    page = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>"
    with pytest.raises(LoaderError, match="HTML"):
        read_bytes(page, "page.csv")
    assert not legacy_csv.sniff(page) and not legacy_csv.sniff_labels(page)


def test_bad_labels_sidecar() -> None:
    with pytest.raises(LoaderError, match=r"no \[code\] in the DATASET line"):
        legacy_csv.read_labels(
            b'"DATASET: Something"\n\n"LAST UPDATE: 19.06.15 06:54:23"\n\n"GEO"\n"Malta"\n', "x"
        )
    with pytest.raises(LoaderError, match=r"x, line 3: unreadable date '2015-06-19'"):
        legacy_csv.read_labels(b'"DATASET: T [abc]"\n\n"LAST UPDATE: 2015-06-19"\n\n"GEO"\n"Malta"\n', "x")
    with pytest.raises(LoaderError, match="no dimension listings"):
        legacy_csv.read_labels(b'"DATASET: T [abc]"\n\n"LAST UPDATE: 19.06.15 06:54:23"\n', "x")


@pytest.mark.parametrize(
    ("head", "mine"),
    [
        (b'"TIME","GEO","UNIT","Value"\n', True),
        (b'TIME,"GEO","CITIZEN","Value","Flag and Footnotes"\n', True),
        (b'\xef\xbb\xbf"TIME","GEO","Value"\r\n', True),
        (b"DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n", False),  # SDMX-CSV
        (b"freq,unit,geo\\TIME_PERIOD\t2019 \t2020 \n", False),  # Eurostat TSV
        (b"route,type,nat,t,n\n", False),  # Frontex
        (b"geo,t,nat,sex,n\n", False),  # IOM republished applicants
        (b'"TIME","GEO","UNIT"\n', False),  # no Value column
        (b'"GEO","UNIT","Value"\n', False),  # no TIME column
    ],
)
def test_sniff_claims_only_data_explorer_headers(head: bytes, mine: bool) -> None:
    assert legacy_csv.sniff(head) is mine
