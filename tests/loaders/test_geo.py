"""The geo reference: our label table agrees with Eurostat's dictionary, and the traps are avoided."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders import geo

REFERENCE = Path(geo.__file__).parent / "reference" / "geo_labels.tsv"


def _reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(encoding="utf-8") as fh:
        return list(csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"))


def test_reference_table_agrees_with_geo_en_dic(shared_data: Path) -> None:
    dic: dict[str, str] = {}
    with (shared_data / "eurostat" / "codelists" / "geo_en.dic").open(encoding="utf-8", newline="") as fh:
        for line in fh:
            code, label = line.rstrip("\r\n").split("\t")
            dic[code] = label
    rows = _reference_rows()
    assert len(rows) > 250
    wrong = [(r["code"], r["label"], dic.get(r["code"])) for r in rows if dic.get(r["code"]) != r["label"]]
    assert wrong == []
    # the dictionary maps "Malta" to MT, MT0, MT00 and MT001: our table keeps the country only
    assert [c for c, label in dic.items() if label == "Malta"] == ["MT", "MT0", "MT00", "MT001"]


def test_reference_codes_are_unique() -> None:
    codes = [r["code"] for r in _reference_rows()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("Malta", "MT"),
        ("Luxembourg", "LU"),
        ("Greece", "EL"),
        ("United Kingdom", "UK"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Former Yugoslav Republic of Macedonia, the", "MK"),
        ("Germany (until 1990 former territory of the FRG)", "DE"),
        ("Germany (including former GDR)", "DE_TOT"),
        ("European Union (28 countries)", "EU28"),
        ("European Union (27 countries)", "EU27_2007"),
        ("European Union - 27 countries (from 2020)", "EU27_2020"),
        ("Total", "TOTAL"),
    ],
)
def test_labels_map_to_country_codes(label: str, code: str) -> None:
    assert geo.code_for_label(label) == code


def test_unknown_label_is_none_not_a_guess() -> None:
    assert geo.code_for_label("Atlantis") is None
    assert geo.code_for_label("Malta (island)") is None


def test_aliases_point_at_known_codes() -> None:
    known = {r["code"] for r in _reference_rows()}
    assert {code for code in geo.LABEL_ALIASES.values() if code not in known} == set()


@pytest.mark.parametrize(
    ("iso3", "code"),
    [("GRC", "EL"), ("GBR", "UK"), ("DEU", "DE"), ("XKX", "XK"), ("grc", "EL"), ("ZZZ", None)],
)
def test_code_for_iso3(iso3: str, code: str | None) -> None:
    assert geo.code_for_iso3(iso3) == code


def test_iso_codes_of_eurostat_codes() -> None:
    assert (geo.iso2_for("EL"), geo.iso3_for("EL")) == ("GR", "GRC")
    assert (geo.iso2_for("UK"), geo.iso3_for("UK")) == ("GB", "GBR")
    assert geo.iso3_for("EU27_2020") is None


def test_reference_table_membership() -> None:
    table = geo.reference_table().set_index("geo")
    members = table.index[table["eu27_2020"]].tolist()
    assert len(members) == 27
    assert "UK" not in members and "HR" in members and "EL" in members
    assert table.loc["UK", "eu_to"] == 2020 and table.loc["UK", "eu_from"] == 1973
    assert table.loc["HR", "eu_from"] == 2013
    assert table["eu_to"].dropna().index.tolist() == ["UK"]
    assert bool(table.loc["EU27_2020", "is_aggregate"]) and not bool(table.loc["MT", "is_aggregate"])
    assert table.loc["EL", "iso3"] == "GRC"
    assert not bool(table.loc["DK", "emn_member"]) and bool(table.loc["NO", "emn_member"])
