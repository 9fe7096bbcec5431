"""Eurostat catalogue TOC and `code<TAB>label` code lists: reference tables, not observations."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.formats import codelist, read_bytes, read_path, toc

TOC_HEADER = (
    '"title"\t"code"\t"type"\t"last update of data"\t"last table structure change"\t"data start"\t"data end"'
    '\t"values"\n'
)


def _toc_line(title: str, code: str, kind: str, update: str, change: str, start: str, end: str) -> str:
    return "\t".join(f'"{c}"' for c in (title, code, kind, update, change, start, end)) + "\t\n"


# --- TOC ----------------------------------------------------------------------------------------


def test_real_toc(shared_data: Path) -> None:
    path = shared_data / "eurostat" / "toc" / "table_of_contents_en.txt"
    result = read_path(path)
    frame = result.frame
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    assert result.format == "eurostat_toc" and result.kind == "reference"
    assert list(frame.columns) == toc.COLUMNS
    assert len(frame) == len({r[1] for r in rows}) < len(rows)  # one row per code, duplicates dropped
    assert frame["code"].is_unique
    # line 1802: "migr_asyappctza" "dataset" "02.06.2023" "09.03.2023" "2008" "2022", 20 spaces of indent
    row = frame.set_index("code").loc["migr_asyappctza"]
    assert (row["last_update"], row["last_structure_change"]) == ("2023-06-02", "2023-03-09")
    assert (row["data_start"], row["data_end"], row["depth"]) == ("2008", "2022", 5)
    assert (
        row["title"]
        == "Asylum applicants by type of applicant, citizenship, age and sex - annual aggregated data"
    )
    updates = toc.last_updates(frame)
    assert updates["migr_asyappctza"] == "2023-06-02"
    dated = sum(1 for c in {r[1]: r for r in rows}.values() if c[3].strip())
    assert len(updates) == dated
    assert "data" not in updates  # folders have no dates
    assert not frame["title"].str.endswith("\u00a0").any()  # trailing no-break spaces stripped


def test_fixture_toc(fixtures: Path) -> None:
    result = read_path(fixtures / "toc" / "toc_small.txt")
    frame = result.frame.set_index("code")
    assert result.format == "eurostat_toc"
    assert len(frame) == 9  # 10 entries, migr_asyappctza filed twice
    assert frame.loc["migr_asyappctza", "depth"] == 4  # the first copy is kept
    assert frame.loc["migr_asyappctzm", "title"] == "Asylum applicants - monthly data"
    assert frame.loc["migr_asyappctzm", "data_start"] == "2008M01"
    assert frame.loc["tps00191", "type"] == "table" and frame.loc["tps00191", "depth"] == 1
    assert frame.loc["popul"].isna()[["last_update", "last_structure_change", "data_start", "data_end"]].all()
    assert toc.last_updates(result.frame) == {
        "migr_asyappctza": "2023-06-02",
        "migr_asyappctzm": "2023-08-16",
        "tps00191": "2023-06-21",
    }


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        (
            _toc_line("A", "migr_x", "dataset", "02.06.2023", "09.03.2023", "2008", "2022")
            + _toc_line("    A", "migr_x", "dataset", "05.06.2023", "09.03.2023", "2008", "2022"),
            "migr_x is listed again with a different last_update than on line 2",
            3,
        ),
        (
            _toc_line("A", "migr_x", "dataset", "2023-06-02", " ", "2008", "2022"),
            "'2023-06-02' is not a date",
            2,
        ),
        (
            _toc_line("A", "migr_x", "dataset", "31.02.2023", " ", "2008", "2022"),
            "'31.02.2023' is not a date",
            2,
        ),
        (_toc_line("  A", "migr_x", "dataset", " ", " ", "2008", "2022"), "not a multiple of 4", 2),
        ('"A"\t"migr_x"\t"dataset"\n', "3 fields instead of 8", 2),
    ],
)
def test_bad_toc(body: str, message: str, line: int) -> None:
    with pytest.raises(LoaderError) as info:
        toc.read((TOC_HEADER + body).encode(), "toc.txt")
    assert info.value.line == line
    assert message in str(info.value)


def test_toc_wrong_header_empty_html() -> None:
    with pytest.raises(LoaderError, match=r"toc.txt, line 1: header .* is not the catalogue's"):
        toc.read(b'"title"\t"code"\t"kind"\n', "toc.txt")
    with pytest.raises(LoaderError, match="no entries after the header"):
        toc.read(TOC_HEADER.encode(), "toc.txt")
    with pytest.raises(LoaderError, match="file is empty"):
        toc.read(b"", "toc.txt")
    with pytest.raises(LoaderError, match="HTML"):
        read_bytes(b"<html><body>Maintenance</body></html>", "toc.txt")


# --- code lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "rows"), [("obs_flag.tsv", 42), ("geo_en.dic", 4041)])
def test_real_codelists(shared_data: Path, name: str, rows: int) -> None:
    path = shared_data / "eurostat" / "codelists" / name
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln]
    result = read_path(path)
    assert result.format == "eurostat_codelist" and result.kind == "reference"
    assert len(result.frame) == len(lines) == rows
    assert dict(zip(result.frame["code"], result.frame["label"], strict=True)) == dict(
        ln.split("\t") for ln in lines
    )


def test_real_codelist_values(shared_data: Path) -> None:
    flags = read_path(shared_data / "eurostat" / "codelists" / "obs_flag.tsv").frame.set_index("code")[
        "label"
    ]
    assert flags["bep"] == "break in time series, estimated, provisional"  # line 10 (CRLF endings)
    geo = read_path(shared_data / "eurostat" / "codelists" / "geo_en.dic").frame.set_index("code")["label"]
    assert geo["NA"] == "Namibia"  # NA is a code, not a missing value
    assert geo["EL"] == "Greece"


def test_fixture_codelist(fixtures: Path) -> None:
    result = read_path(fixtures / "codelist" / "small_codes.tsv")
    assert result.format == "eurostat_codelist"
    assert result.frame.to_dict("list") == {
        "code": ["b", "p", "bep", "EU27_2020", "Y15-24"],
        "label": [
            "break in time series",
            "provisional",
            "break in time series, estimated, provisional",
            "European Union - 27 countries (from 2020)",
            "From 15 to 24 years",
        ],
    }


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"b\tbreak\np\tprovisional\tp\n", "2 tabs", 2),
        (b"b\tbreak\nno tab here\n", "0 tabs", 2),
        (b"EU 27\tEuropean Union\n", "code 'EU 27' is not a code", 1),
        (b"b\tbreak\nb\tbroken\n", "code 'b' listed again with another label 'broken'", 2),
    ],
)
def test_bad_codelist(data: bytes, message: str, line: int) -> None:
    with pytest.raises(LoaderError) as info:
        codelist.read(data, "codes.tsv")
    assert info.value.line == line
    assert message in str(info.value)


def test_fixture_cp1252_codelist(fixtures: Path) -> None:
    path = fixtures / "codelist" / "geo_cp1252.dic"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    result = read_path(path)
    assert result.format == "eurostat_codelist"
    labels = dict(zip(result.frame["code"], result.frame["label"], strict=True))
    assert labels["CI"] == "Côte d'Ivoire" and labels["CW"] == "Curaçao" and labels["AX"] == "Åland Islands"
    assert labels["EUR_X"] == "Euro area (€)"  # 0x80: Windows-1252, not Latin-1
    assert labels["XX"] == ""  # line 5, published without a label: kept, not the whole list refused
    assert len(labels) == 7


def test_codelist_utf8_first_and_empty_labels() -> None:
    # valid UTF-8 is read as UTF-8 even though cp1252 could decode it too (as mojibake)
    frame = codelist.read("CI\tCôte d'Ivoire\nb\t \n".encode(), "codes.tsv").frame
    assert frame.to_dict("list") == {"code": ["CI", "b"], "label": ["Côte d'Ivoire", ""]}
    with pytest.raises(LoaderError, match=r"codes.tsv: not UTF-8 or Windows-1252 text \(byte 4\)"):
        codelist.read(b"CI\tC\x81te\n", "codes.tsv")  # 0x81 is undefined in cp1252
    with pytest.raises(LoaderError, match="no code has a label"):
        codelist.read(b"b\t \np\t\n", "codes.tsv")
    with pytest.raises(LoaderError, match="code 'b' listed again with another label 'break'"):
        codelist.read(b"b\t\nb\tbreak\n", "codes.tsv")


def test_codelist_empty_and_html() -> None:
    with pytest.raises(LoaderError, match="file is empty"):
        codelist.read(b"\n\n", "codes.tsv")
    with pytest.raises(LoaderError, match="HTML"):
        read_bytes(b"<!doctype html>\n<html>Not found</html>", "codes.tsv")


@pytest.mark.parametrize(
    ("head", "mine"),
    [
        (b"b\tbreak in time series\r\np\tprovisional\r\n", True),
        (b"EU27_2020\tEuropean Union - 27 countries (from 2020)\nAT\tAus", True),  # last line cut: not judged
        (b"freq,geo\\TIME_PERIOD\t2019 \nA,AT\t12 \n", False),  # one-period Eurostat TSV
        (TOC_HEADER.encode(), False),
        (b'"TIME","GEO","Value"\n"2014","Malta","12"\n', False),
        (b"route,type,nat,t,n\n", False),
        (b"a\tb\tc\n", False),
        (b"AT\tAustria\nXX\t\n", True),  # one entry without a label
        (b"AT\t\nXX\t\n", False),  # no labels at all
        ("CI\tC\u00f4te d'Ivoire\n".encode("cp1252"), True),
        (b"", False),
    ],
)
def test_codelist_sniff_is_strict(head: bytes, mine: bool) -> None:
    assert codelist.sniff(head) is mine


def test_toc_sniff() -> None:
    assert toc.sniff(TOC_HEADER.encode())
    assert toc.sniff(b"\xef\xbb\xbf" + TOC_HEADER.encode())
    assert not toc.sniff(b"b\tbreak in time series\n")
    assert not toc.sniff(b'"title","code","type"\n')
