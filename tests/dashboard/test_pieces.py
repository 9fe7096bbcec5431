"""The small parts: strings, number formatting, summaries, downloads and the snapshot reader."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from dashboard import data, export, formatting, strings
from dashboard.summaries import profile_summary, series_summary
from loaders.catalogue import BY_ID

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def test_every_string_key_used_in_the_code_exists_in_english():
    used = set()
    for file in DASHBOARD.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", file.read_text(encoding="utf-8")))
    missing = sorted(key for key in used if key not in strings.EN)
    assert not missing
    assert len(used) > 50


def test_a_translation_only_needs_a_dict(monkeypatch):
    monkeypatch.setitem(strings.MESSAGES, "fr", {"nav.overview": "Vue d'ensemble"})
    monkeypatch.setenv("CROSSROADS_LANG", "fr")
    assert strings.t("nav.overview") == "Vue d'ensemble"
    assert strings.t("nav.compare") == "Compare", "missing keys fall back to English"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1234567.0, "persons", "1,234,567"),
        (217.456, "per 100,000 inhabitants", "217.5"),
        (0.314, "per 1,000 inhabitants", "0.31"),
        (45.25, "% of decisions", "45.2%"),
        (None, "persons", "–"),
        (float("nan"), "persons", "–"),
        (pd.NA, "persons", "–"),
    ],
)
def test_numbers(value, unit, text):
    assert formatting.number(value, unit) == text


def test_change_and_flags():
    assert formatting.change(110, 100) == "+10.0%"
    assert formatting.change(1, None) is None and formatting.change(1, 0) is None
    # A rate moves in percentage points, not in % of itself.
    assert formatting.change(30.0, 28.5, "% of decisions") == "+1.5 pp"
    assert formatting.flag_words("bep") == "break in time series, estimated, provisional"
    assert (
        formatting.is_highlighted("p")
        and formatting.is_highlighted("d")  # definition differs: marked too
        and formatting.is_highlighted("u")
        and not formatting.is_highlighted("n")
        and not formatting.is_highlighted(None)
    )
    assert [formatting.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd",
    ]  # fmt: skip


def _section(period: str, values: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"geo": list(values), "period": period, "value": list(values.values())})


def test_profile_summary_says_rank_and_movement():
    ind = BY_ID["asylum_applicants_per_100k"]
    now = _section("2024", {"DE": 300.0, "FR": 200.0, "CY": 950.0, "MT": None})
    before = _section("2023", {"DE": 400.0, "FR": 180.0, "CY": 1200.0})
    text = profile_summary("Germany", ind, now, before, "DE", 222.0)
    assert text.startswith("In 2024, Germany ranked 2nd of 3 member states")
    assert "EU27: 222.0" in text
    assert "down 25.0% on 2023 (400.0)" in text


def test_profile_summary_without_a_value():
    ind = BY_ID["returned"]
    text = profile_summary("Malta", ind, _section("2016", {"DE": 1.0, "MT": None}), None, "MT", None)
    assert "no value" in text


def test_series_summary():
    rows = _section("x", {"DE": 1.0}).iloc[0:0]
    assert "no value" in series_summary(rows.assign(period_start=pd.NaT), "Germany", "persons")


def test_download_has_the_rows_shown_with_provenance(snapshot_dir):
    snap = data.load_snapshot(snapshot_dir)
    rows = data.series(snap, "asylum_applicants", geos=["DE", "EU27_2020"], years=(2015, 2020))
    table = export.table(rows, snap)
    assert len(table) == len(rows)
    assert list(table.columns) == list(export.COLUMNS)
    assert list(table["value"]) == list(rows["value"])
    for column in (
        "unit",
        "flag",
        "flag_meaning",
        "source_dataset",
        "source_url",
        "publisher_last_update",
        "snapshot_built_at",
    ):
        assert column in table
    assert (table["snapshot_built_at"] == snap.manifest["built_at"]).all()
    back = pd.read_csv(io.BytesIO(export.to_csv(table)), encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == len(rows)
    dictionary = export.dictionary(["asylum_applicants"])
    assert {"value", "flag", "asylum_applicants"} <= set(dictionary["name"])


def test_snapshot_reader(snapshot_dir):
    snap = data.load_snapshot(snapshot_dir)
    assert len(snap.member_states) == 27
    assert snap.name("EL") == "Greece"
    assert {f["id"] for f in snap.shapes["features"]} >= set(snap.member_states) - {"MT"} or snap.shapes[
        "features"
    ]
    section = data.cross_section(snap, "asylum_applicants", data.last_period(snap, "asylum_applicants"))
    assert len(section) == 28, "every member state (a missing one as an empty line) plus EU27"
    assert data.resolve_view("asylum_applicants", "per_capita") == (
        "asylum_applicants_per_100k",
        "per_capita",
    )
    assert data.resolve_view("recognition_rate", "per_capita") == ("recognition_rate", "rate")
    assert data.resolve_view("dublin_transfers_in", "share_eu") == ("dublin_transfers_in", "absolute")


def test_series_end_note_for_a_series_that_stops_early(snapshot_dir):
    snap = data.load_snapshot(snapshot_dir)
    assert data.series_end_note(snap, "returned") == "2016"
    assert data.series_end_note(snap, "asylum_applicants") is None


def test_missing_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(data.SnapshotMissing, match=r"indicators\.parquet: is missing"):
        data.load_snapshot(tmp_path)


def test_about_shows_what_the_last_update_changed(snapshot_dir, tmp_path):
    """changes.json as `loaders update` writes it (computed by loaders.changes on real tables)."""
    import json
    import shutil

    from loaders.changes import diff

    copy = tmp_path / "data"
    shutil.copytree(snapshot_dir, copy)
    new = pd.read_parquet(copy / "observations" / "migr_asyappctza.parquet")
    old = new[new["period"] < "2024"].copy()
    old.loc[old.index[0], "value"] = old["value"].iloc[0] + 5  # a value the new release revised
    change = {"title": "asylum", "old_last_update": "2024-03-01", "new_last_update": "2025-03-01"}
    payload = {
        "previous_built_at": "2025-01-01T00:00:00+00:00",
        "datasets": {"migr_asyappctza": {**change, **diff(old, new)}},
    }
    (copy / "changes.json").write_text(json.dumps(payload), encoding="utf-8")

    table = data.release_changes(data.load_snapshot(copy))
    row = table.iloc[0]
    assert row[strings.t("col.dataset")] == "migr_asyappctza"
    assert row[strings.t("col.rows_added")] == (new["period"] == "2024").sum()
    assert row[strings.t("col.values_revised")] == 1
    assert row[strings.t("col.periods_added")] == "2024"
    assert data.release_changes(data.load_snapshot(snapshot_dir)).empty  # a plain build records no release


def test_snapshot_cache_is_keyed_by_the_manifest_time(snapshot_dir, tmp_path, monkeypatch):
    """A `loaders update` on a running server: the next call reads the new snapshot; until then, the
    cached one is reused (one os.stat per call)."""
    import json
    import os
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(snapshot_dir, copy)
    monkeypatch.setenv(data.DATA_ENV, str(copy))
    first = data.snapshot()
    assert data.snapshot() is first, "cached while nothing changed"

    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["built_at"] = "2031-01-02T03:04:05+00:00"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    stat = (copy / "manifest.json").stat()
    os.utime(copy / "manifest.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))

    second = data.snapshot()
    assert second is not first and second.manifest["built_at"] == "2031-01-02T03:04:05+00:00"
    assert second.key != first.key and str(copy) in second.key
    assert data.snapshot() is second


def _eu_rows(notes: dict[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geo": "EU27_2020",
            "period": list(notes),
            "value": 1.0,
            "note": pd.Series(list(notes.values()), dtype="string"),
        }
    )


def test_eu27_sums_are_named_as_such():
    summed = "EU27 total computed by Crossroads as the sum of the 27 member states (all 27 reported)"
    assert formatting.eu_name(_eu_rows({"2023": summed, "2024": summed})) == "EU27 (sum of 27)"
    assert formatting.eu_name(_eu_rows({"2012": summed, "2013": None})) == "EU27 (sum of 27 in 2012)"
    assert formatting.eu_name(_eu_rows({"2013": None, "2014": None})) == "EU27"
    states = _eu_rows({"2024": summed}).assign(geo="FR")  # a note on a state's value is something else
    assert formatting.eu_name(states) == "EU27" and not formatting.eu_sums(states).any()
    assert formatting.eu_name(pd.DataFrame({"geo": [], "period": [], "value": []})) == "EU27"


def test_flags_of_computed_values_say_whose_they_are():
    assert formatting.flag_inputs(False) is None  # a value's `flag` (per capita too) is its own
    assert formatting.flag_inputs(True) == "the member states' values"
    assert formatting.denominator_line("b") == "Population flag: b (break in time series)"
    assert formatting.denominator_line(None) is None


def test_per_capita_rows_keep_the_values_own_flag_and_the_populations_apart(snapshot_dir):
    """EU27 per capita: marked only where the count itself is flagged, the population's flag in words."""
    snap = data.load_snapshot(snapshot_dir)
    per = snap.by_geo[("asylum_applicants_per_100k", "EU27_2020")].set_index("period")
    base = snap.by_geo[("asylum_applicants", "EU27_2020")].set_index("period")
    common = per.index.intersection(base.index)
    assert (per.loc[common, "flag"].fillna("") == base.loc[common, "flag"].fillna("")).all()
    pop = snap.by_geo[("population", "EU27_2020")].set_index("period")
    years = common.intersection(pop.index)
    assert (per.loc[years, "denominator_flag"].fillna("") == pop.loc[years, "flag"].fillna("")).all()
    marked = per["flag"].map(formatting.is_highlighted).sum()
    assert marked < len(per)  # before, the population's flags marked every EU27 point


def test_summaries_name_an_eu27_sum():
    from dashboard.summaries import ranking_summary

    ind = BY_ID["asylum_applicants_per_100k"]
    states = _section("2024", {"DE": 300.0, "FR": 200.0}).assign(name=["Germany", "France"])
    assert "the EU27 figure is 222.0" in ranking_summary(states, ind, 222.0)
    text = ranking_summary(states, ind, 222.0, eu_sum=True)
    assert "sum of the 27 member states computed by Crossroads, is 222.0" in text
    text = profile_summary("Germany", ind, states, None, "DE", 222.0, eu_label="EU27 (sum of 27)")
    assert "EU27 (sum of 27): 222.0" in text


def test_every_source_code_is_a_dataset_with_its_address_and_date(snapshot_dir):
    """Provenance: each code in source_dataset (value and denominator) is a manifest key, with both dates."""
    snap = data.load_snapshot(snapshot_dir)
    codes = set()
    for joined in snap.indicators["source_dataset"].dropna().unique():
        codes |= set(str(joined).split("+"))
    assert codes <= set(snap.manifest["datasets"]), codes - set(snap.manifest["datasets"])
    per_capita = snap.indicators[snap.indicators["indicator"] == "asylum_applicants_per_100k"]
    de = per_capita[(per_capita["geo"] == "DE") & (per_capita["period"] == "2024")]
    table = export.table(de, snap)
    assert table["source_dataset"].tolist() == ["migr_asyappctza+demo_gind"]
    urls = table["source_url"].iloc[0].split(" | ")
    assert urls == [snap.dataset(c)["source_url"] for c in ("migr_asyappctza", "demo_gind")]
    dates = table["publisher_last_update"].iloc[0].split(" | ")
    # migr_asyappctza's file has no date of its own: the catalogue's is used.
    assert dates == [
        snap.dataset("migr_asyappctza")["catalogue_last_update"],
        snap.dataset("demo_gind")["last_update"],
    ]
    assert all(dates)


def test_a_failed_reload_keeps_the_last_good_snapshot(snapshot_dir, tmp_path, monkeypatch):
    """A damaged indicators table on a running server: the viewer keeps the snapshot already loaded."""
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(snapshot_dir, copy, ignore=shutil.ignore_patterns(".lock", "raw"))
    monkeypatch.setenv("CROSSROADS_DATA_DIR", str(copy))
    good = data.snapshot()
    (copy / "indicators.parquet").write_bytes(b"not parquet")
    manifest = copy / "manifest.json"
    manifest.write_text(manifest.read_text())  # a new stamp: the app tries to reload
    assert data.snapshot() is good
    with pytest.raises(data.SnapshotMissing):
        data.load_snapshot(copy)


def test_the_app_undoes_a_swap_cut_off_by_a_crash(snapshot_dir, tmp_path, monkeypatch):
    import json
    import shutil

    from loaders import store

    copy = tmp_path / "data"
    shutil.copytree(snapshot_dir, copy, ignore=shutil.ignore_patterns(".lock", "raw"))
    original = (copy / "geo.parquet").read_bytes()
    backup = copy / store.BACKUP
    backup.mkdir()
    shutil.copy(copy / "geo.parquet", backup / "geo.parquet")  # the old file, linked aside
    (copy / "geo.parquet").write_bytes(b"half-swapped new file")
    (copy / store.JOURNAL).write_text(json.dumps({"new": ["geo.parquet"], "existed": ["geo.parquet"]}))
    monkeypatch.setenv("CROSSROADS_DATA_DIR", str(copy))
    snap = data.snapshot()
    assert not (copy / store.JOURNAL).exists() and (copy / "geo.parquet").read_bytes() == original
    assert snap.name("EL") == "Greece"


def test_units_are_written_once_and_labels_keep_their_capitals():
    from dashboard.formatting import in_sentence, name_list, with_unit

    assert with_unit(24.7, "% of decisions") == "24.7% of decisions"
    assert with_unit(38.04, "% ratio") == "38.0%"
    assert with_unit(217.44, "per 100,000 inhabitants") == "217.4 per 100,000 inhabitants"
    assert with_unit(12345, "persons") == "12,345 persons"
    assert in_sentence("Incoming Dublin requests") == "incoming Dublin requests"
    assert in_sentence("EU27 total") == "EU27 total" and in_sentence("UNHCR refugees") == "UNHCR refugees"
    assert name_list(["Syria", "Gambia, The", "Ukraine"]) == "Syria; Gambia, The; Ukraine"
    assert name_list(["Syria", "Ukraine"]) == "Syria, Ukraine"


def test_summaries_have_no_doubled_unit_and_no_rank_of_one(snapshot_dir):
    from dashboard.summaries import profile_summary, series_summary

    snap = data.load_snapshot(snapshot_dir)
    rate = BY_ID["recognition_rate"]
    eu = snap.by_geo[("recognition_rate", "EU27_2020")]
    text = series_summary(eu, "EU27", rate.unit)
    assert "% %" not in text and "% of decisions in" in text
    france_only = data.cross_section(snap, "recognition_rate", "2019")
    states = france_only[france_only["geo"] != "EU27_2020"]
    assert states["value"].notna().sum() == 1  # only France has 2019 (the FR-only SDMX-CSV file)
    sentence = profile_summary("France", rate, states, None, "FR", None)
    assert "1st of 1" not in sentence and "only member state" in sentence


def test_series_end_is_said_per_member_state(snapshot_dir):
    snap = data.load_snapshot(snapshot_dir)
    rows = snap.by_indicator["recognition_rate"]
    last = rows[rows["value"].notna() & rows["geo"].isin(snap.member_states)].groupby("geo")["period"].max()
    assert last["FR"] == "2019" and (last.drop("FR") == "2016").all()
    assert data.series_end_note(snap, "recognition_rate") == "2016 for most member states (France: 2019)"
    assert data.series_end_note(snap, "asylum_applicants") is None  # every state reaches 2024


def test_route_year_totals_are_the_bars_drawn(snapshot_dir):
    """The routes page's yearly CSV: one row per route (the bar), not the months behind it."""
    snap = data.load_snapshot(snapshot_dir)
    rows = data.series(snap, "frontex_detections", years=(2024, 2024))
    totals = data.route_year_totals(rows, 2024)
    assert len(totals) == rows["geo"].nunique() and set(totals["period"]) == {"2024"}
    by_hand = rows.groupby("geo")["value"].sum()
    assert totals.set_index("geo")["value"].to_dict() == by_hand.to_dict()
    table = export.table(totals, snap)
    assert list(table.columns) == list(export.COLUMNS) and len(table) == len(totals)
    assert table["note"].str.contains("months of 2024").all()


def test_the_indicators_table_must_have_the_declared_schema(snapshot_dir, tmp_path):
    """One schema (loaders.indicators.SCHEMA) for the writer and the app's reader."""
    import shutil

    import pyarrow.parquet as pq

    from loaders import indicators

    assert pq.read_schema(snapshot_dir / "indicators.parquet").remove_metadata().equals(indicators.SCHEMA)
    copy = tmp_path / "data"
    shutil.copytree(snapshot_dir, copy, ignore=shutil.ignore_patterns(".lock", "raw"))
    table = pq.read_table(copy / "indicators.parquet").drop_columns(["note"])
    pq.write_table(table, copy / "indicators.parquet")
    with pytest.raises(data.SnapshotMissing) as err:
        data.load_snapshot(copy)
    assert err.value.file == "indicators.parquet"


def test_client_settings_hold_wherever_the_server_starts(app):
    """Started from another folder, config.toml is not read: the app sets its client options itself."""
    import streamlit as st

    from dashboard import settings

    assert settings.declared()["client.showErrorDetails"] == "none"
    assert settings.declared()["browser.gatherUsageStats"] is False
    st.set_option("client.showErrorDetails", "full")  # what Streamlit's default would be
    try:
        at = app("overview")
        assert not at.exception
        assert st.get_option("client.showErrorDetails") == "none"
    finally:
        st.set_option("client.showErrorDetails", "none")
