"""`loaders update` end to end against a local stand-in for the publishers (tests/loaders/http_server.py).

Each test starts from a copy of the snapshot built once per session from ../shared/data, runs an
update against 127.0.0.1 only, and checks what was asked, what was written, and that every failure
leaves the previous snapshot byte for byte as it was (and still loadable).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import loaders.update as update_module
from loaders import registry, store
from loaders.build import build_dataset
from loaders.errors import LoaderError
from loaders.fetch import FetchError, HttpClient
from loaders.formats import read_path
from loaders.registry import BY_ID, DATASETS
from loaders.select import key_columns, select
from loaders.sources import Endpoints, FetchOptions
from loaders.sources import eurostat as es
from loaders.sources.eurostat_dsd import Structures
from loaders.update import UpdateOptions, UpdateReport, update
from tests.loaders.http_server import IOM_ALL_DATA, PublisherServer, fast_client

ROOT = Path(__file__).resolve().parents[2]
EUROSTAT_IDS = [d.id for d in DATASETS if d.dimensions]


@pytest.fixture
def server(shared_data: Path):
    srv = PublisherServer(shared_data)
    yield srv
    srv.close()


@pytest.fixture
def data(built_snapshot: Path, tmp_path: Path) -> Path:
    """A private copy of the session's snapshot (built once by tests/loaders/conftest.py)."""
    target = tmp_path / "data"
    shutil.copytree(built_snapshot, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def client(**kw) -> HttpClient:
    return fast_client(**{"read_timeout": 3.0, **kw})


def run(
    data: Path,
    server: PublisherServer,
    *datasets: str,
    force: bool = False,
    dry_run: bool = False,
    http: HttpClient | None = None,
    fetch: FetchOptions | None = None,
    **endpoints,
) -> tuple[UpdateReport, str]:
    out = io.StringIO()
    options = UpdateOptions(
        data_dir=data,
        datasets=list(datasets),
        force=force,
        dry_run=dry_run,
        endpoints=Endpoints(**{**server.endpoints(), **endpoints}),
        fetch=fetch or FetchOptions(end_year=2024, poll_delay=5.0, poll_timeout=60.0),
        progress=False,
    )
    report = update(options, http or client(), out=out)
    return report, out.getvalue()


def snapshot_hashes(folder: Path) -> dict[str, str]:
    """Every file of the snapshot (the raw cache and the lock file aside)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock" and p.relative_to(folder).parts[0] != "raw"
    }


def assert_loads(data: Path) -> None:
    """The snapshot is complete and consistent: every table reads, the manifest matches the rows."""
    manifest = json.loads((data / "manifest.json").read_text())
    for ds in DATASETS:
        if ds.kind == "observations":
            frame = pd.read_parquet(data / "observations" / f"{ds.id}.parquet")
            assert len(frame) == manifest["datasets"][ds.id]["rows"] > 0, ds.id
    for name in ("indicators", "geo", "shapes", "routes"):
        assert len(pd.read_parquet(data / f"{name}.parquet")) > 0, name
    assert not list(data.glob(".build-*")), "staging folder left behind"


def bump(server: PublisherServer, data: Path, *codes: str) -> None:
    """Make the served catalogue say these datasets changed after the snapshot's last update."""
    manifest = json.loads((data / "manifest.json").read_text())
    for code in codes:
        entry = manifest["datasets"][code]
        known = max(str(v)[:10] for v in (entry.get("last_update"), entry.get("catalogue_last_update")) if v)
        later = dt.date.fromisoformat(known) + dt.timedelta(days=1)
        server.toc_dates[code] = later.strftime("%d.%m.%Y")


def statuses(report: UpdateReport) -> dict[str, str]:
    return {k: o.status for k, o in report.outcomes.items()}


# --- the normal paths ------------------------------------------------------------------------


def test_full_update_downloads_everything_and_rebuilds(data: Path, server: PublisherServer):
    report, text = run(data, server, force=True)
    assert report.ok and report.applied, text
    # one filtered request per Eurostat dataset, multi-valued filters in one key
    assert sorted(server.data_codes()) == sorted(EUROSTAT_IDS)
    asy = next(s for s in server.seen("data:migr_asyappctza"))
    assert asy.path.endswith("/migr_asyappctza/.TOTAL+UA.T.PER.TOTAL.ASY_APP+NASY_APP.")
    assert asy.query == {"format": "SDMX-CSV", "compressed": "true", "startPeriod": "2008"}
    demo = next(s for s in server.seen("data:demo_gind"))
    assert demo.query["startPeriod"] == "2003"  # the snapshot starts earlier: ask from there
    for ds in EUROSTAT_IDS:
        assert report.outcomes[ds].status == "updated", (ds, report.outcomes[ds].reason)
    assert report.outcomes["unhcr_population"].status == "updated"  # API JSON: new bytes, same numbers
    assert report.outcomes["iom_mmp"].status == "unchanged"  # the very file already in the snapshot
    assert report.outcomes["frontex_ibc"].reason.startswith("no Frontex source configured")
    assert_loads(data)

    manifest = json.loads((data / "manifest.json").read_text())
    assert manifest["previous_built_at"] and manifest["updated_at"]
    entry = manifest["datasets"]["tps00176"]
    raw = [f for f in entry["files"] if f["path"].startswith("raw/")]
    assert len(raw) == 1 and raw[0]["url"].startswith(server.root)
    assert raw[0]["sha256"] == hashlib.sha256((data / raw[0]["path"]).read_bytes()).hexdigest()
    previous = next(f for f in entry["files"] if f.get("previous_snapshot"))
    assert previous["rows_kept"] == 0 and "sources" not in previous  # every old row was republished
    decisions = manifest["datasets"]["migr_asydcfsta"]["files"]  # the API file has France only:
    previous = next(f for f in decisions if f.get("previous_snapshot"))
    assert previous["rows_kept"] > 0  # the legacy rows stay, and the manifest still says where from
    assert [f["path"] for f in previous["sources"]] == [f.path for f in BY_ID["migr_asydcfsta"].files]
    sidecar = (data / raw[0]["path"]).with_name(Path(raw[0]["path"]).name + ".sha256")
    assert sidecar.read_text().split()[0] == raw[0]["sha256"]

    changes = json.loads((data / "changes.json").read_text())
    assert set(changes["datasets"]) == set(EUROSTAT_IDS) | {"unhcr_population"}
    assert changes["datasets"]["unhcr_population"]["values_revised"] == 0  # same numbers as the CSV export
    assert "frontex_ibc" in changes["unchanged"]
    assert "dataset" in text and "updated" in text and "snapshot updated" in text


def test_unchanged_catalogue_downloads_nothing(data: Path, server: PublisherServer):
    before = snapshot_hashes(data)
    report, text = run(data, server, *EUROSTAT_IDS)
    assert report.ok and not report.applied
    assert [s.route for s in server.log] == ["toc"]  # the catalogue and nothing else
    assert set(statuses(report)[d] for d in EUROSTAT_IDS) == {"unchanged"}
    assert "not newer than the snapshot's" in report.outcomes["tps00176"].reason
    assert snapshot_hashes(data) == before
    assert "everything is up to date" in text


def test_second_run_uses_conditional_requests(data: Path, server: PublisherServer):
    first, _ = run(data, server)
    assert first.ok
    server.log.clear()
    second, _ = run(data, server)
    assert second.ok and not second.applied
    assert {s.route for s in server.log} == {"toc", "unhcr", "iom"}
    for s in server.log:  # every answer after the first run's is a 304 with no body
        assert s.status == 304 and s.sent == 0, s.route
        assert s.headers.get("if-none-match")


def test_newer_catalogue_date_downloads_only_those_datasets(data: Path, server: PublisherServer):
    bump(server, data, "migr_asytpsm", "tps00176")
    report, _ = run(data, server)
    assert report.ok and report.applied
    assert sorted(server.data_codes()) == ["migr_asytpsm", "tps00176"]
    assert "newer than the snapshot's" in report.outcomes["tps00176"].reason
    manifest = json.loads((data / "manifest.json").read_text())
    assert (
        manifest["datasets"]["tps00176"]["catalogue_last_update"]
        == dt.datetime.strptime(server.toc_dates["tps00176"], "%d.%m.%Y").date().isoformat()
    )
    # a dataset that was not refreshed keeps its manifest entry (its own freshness record)
    assert manifest["datasets"]["migr_eirfs"]["files"][0]["path"] == "eurostat/sdmx-csv/migr_eirfs.csv"


def test_dry_run_downloads_only_the_catalogue(data: Path, server: PublisherServer):
    bump(server, data, "tps00176")
    before = snapshot_hashes(data)
    report, text = run(data, server, "tps00176", "iom_mmp", dry_run=True)
    assert [s.route for s in server.log] == ["toc"]
    assert report.outcomes["tps00176"].status == "would download"
    assert (
        f"tps00176: {server.root}/eurostat/api/dissemination/sdmx/2.1/data/tps00176/.TOTAL..TOTAL.NR.T."
        in text
    )
    assert f"iom_mmp: {server.root}{IOM_ALL_DATA}" in text
    assert snapshot_hashes(data) == before
    assert not (data / "raw").exists()


def test_changes_json_records_added_rows_and_revised_values(
    data: Path, server: PublisherServer, shared_data: Path
):
    """Snapshot from the 2008-2016 legacy export only; the update brings the current release."""
    ds = BY_ID["migr_asyappctza"]
    legacy = shared_data / "eurostat/legacy-csv/migr_asyappctza_2008-2016.csv"
    old = build_dataset(ds, [legacy]).frame
    store.write_parquet(old, data / "observations" / "migr_asyappctza.parquet")
    manifest = json.loads((data / "manifest.json").read_text())
    manifest["datasets"]["migr_asyappctza"].update(
        last_update="2017-03-01", catalogue_last_update="2017-03-01"
    )
    (data / "manifest.json").write_text(json.dumps(manifest))

    report, text = run(data, server, "migr_asyappctza")  # the catalogue (2023) is newer: no --force
    assert report.applied, text

    current = select(read_path(shared_data / ds.files[-1].path).frame, ds, "current")[0]
    keys = key_columns(old)
    both = old.merge(current, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    matched = both[both["_merge"] == "both"]
    expected_revised = int((matched["value_old"] != matched["value_new"]).sum())  # no missing values here
    change = json.loads((data / "changes.json").read_text())["datasets"]["migr_asyappctza"]
    assert change["rows_before"] == len(old)
    assert change["rows_added"] == int((both["_merge"] == "right_only").sum()) > 0
    assert change["rows_removed"] == 0  # rows only the old export had are kept
    assert change["values_revised"] == expected_revised > 0
    assert {"2017", "2024"} <= set(change["periods_added"])
    example = change["examples"]["revised"][0]
    row = matched[
        (matched.geo == example["geo"])
        & (matched.period == example["period"])
        & (matched.citizen == example["breakdowns"]["citizen"])
        & (matched.asyl_app == example["breakdowns"]["asyl_app"])
    ]
    assert (example["old"], example["new"]) == (row["value_old"].item(), row["value_new"].item())
    new = pd.read_parquet(data / "observations" / "migr_asyappctza.parquet")
    assert len(new) == change["rows_after"] == len(old) + change["rows_added"]
    assert "revised" in text


def test_frontex_file_option(data: Path, server: PublisherServer, shared_data: Path):
    report, _ = run(
        data, server, "frontex_ibc", frontex_file=shared_data / "frontex/ibc_monthly_2009-2025.csv"
    )
    o = report.outcomes["frontex_ibc"]
    assert o.status == "unchanged" and o.reason == "the publisher's file is the one already in the snapshot"
    report, _ = run(data, server, "frontex_ibc")
    assert report.outcomes["frontex_ibc"].status == "failed"
    assert "give --frontex-file or --frontex-url" in report.outcomes["frontex_ibc"].reason


def test_iom_is_refreshed_from_its_own_download_by_default(
    data: Path, server: PublisherServer, shared_data: Path
):
    assert Endpoints().iom_url == registry.IOM_ALL_DATA  # no configuration needed
    report, _ = run(data, server, "iom_mmp")
    assert report.outcomes["iom_mmp"].status == "unchanged"  # the 2026 file is already in the snapshot
    # IOM publishes one more incident: a new month, and every earlier month kept.
    own = (shared_data / "iom/MissingMigrants-Global-2026-05-06.csv").read_text(encoding="utf-8")
    line = own.splitlines()[1]  # 2026.MMP0001, Thu 01/01/2026, 1 dead, Türkiye-Europe land route
    extra = line.replace("2026.MMP0001", "2026.MMP9999").replace("Thu, 01/01/2026", "Mon, 06/01/2026")
    server.iom_all_data = (own.rstrip("\r\n") + "\n" + extra.replace(",January,", ",June,")).encode("utf-8")
    before = pd.read_parquet(data / "observations" / "iom_mmp.parquet")
    report, text = run(data, server, "iom_mmp")
    assert report.outcomes["iom_mmp"].status == "updated", text
    after = pd.read_parquet(data / "observations" / "iom_mmp.parquet")
    june = after[after.period == "2026-06"]
    assert set(june.geo) == {"turkiye_europe_land"} and june.set_index("measure")["value"].to_dict() == {
        "dead_missing": 1.0,
        "incidents": 1.0,
    }
    kept = after[after.period != "2026-06"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, before.reset_index(drop=True))


def test_unhcr_pages_are_all_fetched(data: Path, server: PublisherServer):
    server.unhcr_page_size = 100
    report, _ = run(data, server, "unhcr_population")
    assert report.applied
    pages = [s.query["page"] for s in server.seen("unhcr")]
    assert pages == ["1", "2", "3", "4", "5"]
    frame = pd.read_parquet(data / "observations" / "unhcr_population.parquet")
    assert len(frame) == 3400


# --- network faults inside an update -----------------------------------------------------------


def test_500_and_429_inside_an_update_are_retried_as_told(data: Path, server: PublisherServer):
    bump(server, data, "tps00176")
    server.faults["data:tps00176"] = ["500", "429:12"]
    http = client()
    report, _ = run(data, server, "tps00176", http=http)
    assert report.outcomes["tps00176"].status == "updated"
    assert [s.status for s in server.seen("data:tps00176")] == [500, 429, 200]
    assert http.waits == [0.005, 12.0]  # our backoff after the 500, the server's Retry-After after the 429


def failure_leaves_snapshot(data: Path, server: PublisherServer, fault: str, match: str, http=None) -> None:
    bump(server, data, "tps00176")
    before = snapshot_hashes(data)
    server.faults["data:tps00176"] = [fault] * 3
    report, text = run(data, server, "tps00176", http=http)
    o = report.outcomes["tps00176"]
    assert o.status == "failed" and not report.ok and not report.applied
    assert match in o.reason, o.reason
    assert f"failed: {o.reason}" in text
    assert snapshot_hashes(data) == before
    assert_loads(data)


def test_timeout_fails_clearly_and_changes_nothing(data: Path, server: PublisherServer):
    failure_leaves_snapshot(
        data, server, "sleep:1", "no answer within the read timeout of 0.3 s", client(read_timeout=0.3)
    )
    assert len(server.seen("data:tps00176")) == 3


def test_truncated_gzip_is_refused(data: Path, server: PublisherServer):
    failure_leaves_snapshot(data, server, "truncate", "gzip archive is truncated or corrupt")
    rejected = list((data / "raw/eurostat/tps00176/rejected").glob("*.csv.gz"))
    assert len(rejected) == 1  # kept for a look, never used


def test_html_page_with_status_200_is_refused(data: Path, server: PublisherServer):
    failure_leaves_snapshot(data, server, "html", "got an HTML/XML page instead of data")


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (",IE,2013,", ",IA,2013,", "unknown geo code 'IA'"),
        (",IE,2013,", ",IE,6016,", "impossible period '6016'"),
        (",IE,2013,", f",IE,{dt.date.today().year + 1},", "period in the future"),
    ],
)
def test_impossible_values_in_an_answer_are_refused(
    data: Path, server: PublisherServer, shared_data: Path, tmp_path: Path, old: str, new: str, match: str
):
    real = shared_data / BY_ID["tps00176"].files[-1].path
    damaged = tmp_path / "tps00176.csv"
    text = real.read_text(encoding="utf-8")
    assert old in text
    damaged.write_text(text.replace(old, new, 1), encoding="utf-8")
    server.file_for = lambda code: damaged
    bump(server, data, "tps00176")
    before = snapshot_hashes(data)
    report, _ = run(data, server, "tps00176")
    o = report.outcomes["tps00176"]
    assert o.status == "failed" and match in o.reason, o.reason
    assert snapshot_hashes(data) == before
    assert len(list((data / "raw/eurostat/tps00176/rejected").glob("*.csv.gz"))) == 1


def test_a_download_with_far_fewer_rows_is_reported(
    data: Path, server: PublisherServer, shared_data: Path, tmp_path: Path
):
    real = shared_data / BY_ID["tps00176"].files[-1].path
    lines = real.read_text(encoding="utf-8").splitlines(keepends=True)
    short = tmp_path / "tps00176.csv"
    short.write_text("".join(lines[: len(lines) // 4]), encoding="utf-8")  # a quarter of the rows
    server.file_for = lambda code: short
    bump(server, data, "tps00176")
    report, text = run(data, server, "tps00176")
    o = report.outcomes["tps00176"]
    assert o.status == "updated"
    old_rows = 848  # the snapshot's tps00176 table (manifest), every line of the real file
    assert len(lines) - 1 == old_rows
    assert f"against {old_rows:,} in the snapshot" in text
    assert o.new_rows == old_rows  # rows the short answer lacks are kept


def test_wrong_dataset_in_the_answer_is_refused(data: Path, server: PublisherServer, shared_data: Path):
    bump(server, data, "tps00170")
    server.file_for = lambda code: shared_data / BY_ID["tps00176"].files[-1].path  # the server mixes them up
    report, _ = run(data, server, "tps00170")
    assert report.outcomes["tps00170"].status == "failed"
    assert "holds dataset tps00176, not tps00170" in report.outcomes["tps00170"].reason


# --- 413 and asynchronous answers --------------------------------------------------------------


@pytest.fixture(scope="module")
def unsplit(
    built_snapshot: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    """tps00176 as an update without any split writes it (the reference for the split tests)."""
    data = tmp_path_factory.mktemp("unsplit") / "data"
    shutil.copytree(built_snapshot, data, ignore=shutil.ignore_patterns(".lock"))
    srv = PublisherServer(shared_data)
    try:
        report, _ = run(data, srv, "tps00176", force=True)
        assert report.applied and [s.status for s in srv.seen("data:")] == [200]
    finally:
        srv.close()
    return pd.read_parquet(data / "observations/tps00176.parquet")


def test_413_splits_by_period_and_merges_to_the_same_result(
    data: Path, server: PublisherServer, unsplit: pd.DataFrame
):
    server.max_rows["tps00176"] = 300  # tps00176 has 66-74 rows a year, 2011-2022
    report, _ = run(data, server, "tps00176", force=True)
    assert report.applied, report.outcomes["tps00176"].reason
    asked = [(s.query.get("startPeriod"), s.query.get("endPeriod"), s.status) for s in server.seen("data:")]
    assert asked == [
        ("2008", None, 413),
        ("2008", "2016", 413),  # 420 rows
        ("2008", "2012", 200),
        ("2013", "2016", 200),
        ("2017", None, 413),  # 428 rows
        ("2017", "2020", 200),
        ("2021", None, 200),
    ]
    parts = sorted(p.name for p in (data / "raw/eurostat/tps00176").glob("*.csv.gz"))
    assert [p.split(".")[1] for p in parts] == ["2008-2012", "2013-2016", "2017-2020", "2021-"]
    split = pd.read_parquet(data / "observations/tps00176.parquet")
    pd.testing.assert_frame_equal(split, unsplit)


def test_413_for_a_single_year_splits_by_geo(data: Path, server: PublisherServer, unsplit: pd.DataFrame):
    server.max_rows["tps00176"] = 60  # less than one year (66+ rows): geo halves are needed
    report, _ = run(data, server, "tps00176", force=True)
    assert report.applied, report.outcomes["tps00176"].reason
    ok = [s for s in server.seen("data:") if s.status == 200]
    geo_keys = [s.path.rsplit(".", 1)[1] for s in ok]
    assert all(geo_keys) and all(s.query["startPeriod"] == s.query["endPeriod"] for s in ok)
    split = pd.read_parquet(data / "observations/tps00176.parquet")
    pd.testing.assert_frame_equal(split, unsplit)


def test_413_that_cannot_be_split_fails_clearly(data: Path, server: PublisherServer):
    server.max_rows["tps00176"] = 1  # a single year and country still has 2 rows (agedef)
    before = snapshot_hashes(data)
    report, _ = run(data, server, "tps00176", force=True)
    assert report.outcomes["tps00176"].status == "failed"
    assert "refuses the extraction as too big even for" in report.outcomes["tps00176"].reason
    assert snapshot_hashes(data) == before


def served(server: PublisherServer, code: str) -> bytes:
    """What the server answers for a whole dataset (the real file's rows, LF line ends)."""
    return server.eurostat_data(code, "", {"startPeriod": "2008"})[0]


def test_async_answer_is_polled_to_completion(data: Path, server: PublisherServer):
    server.faults["data:tps00176"] = ["async:2"]
    http = client()
    report, _ = run(data, server, "tps00176", force=True, http=http)
    assert report.applied, report.outcomes["tps00176"].reason
    assert [s.route for s in server.log if s.route.startswith("async")] == ["async:status"] * 3 + [
        "async:data"
    ]
    assert http.waits == [5.0, 5.0]  # poll_delay between status checks
    (raw,) = (data / "raw/eurostat/tps00176").glob("*.csv.gz")
    assert gzip.decompress(raw.read_bytes()) == served(server, "tps00176")


def test_async_zip_answer_is_unpacked(data: Path, server: PublisherServer):
    server.faults["data:tps00176"] = ["async_zip:0"]
    report, _ = run(data, server, "tps00176", force=True)
    assert report.applied
    (raw,) = (data / "raw/eurostat/tps00176").glob("*.csv")
    assert raw.read_bytes() == served(server, "tps00176")


def test_async_answer_that_never_comes_is_given_up(data: Path, server: PublisherServer):
    server.faults["data:tps00176"] = ["async:100"]
    http = client()
    fetch = FetchOptions(end_year=2024, poll_delay=5.0, poll_timeout=20.0)
    report, _ = run(data, server, "tps00176", force=True, http=http, fetch=fetch)
    assert report.outcomes["tps00176"].status == "failed"
    assert "still PROCESSING after 20 s (limit 20 s)" in report.outcomes["tps00176"].reason
    assert http.waits == [5.0] * 4


def test_async_answer_that_expires_fails(data: Path, server: PublisherServer):
    server.faults["data:tps00176"] = ["expired:1"]
    report, _ = run(data, server, "tps00176", force=True)
    assert "ended as EXPIRED" in report.outcomes["tps00176"].reason


# --- the data structure definition decides the key ---------------------------------------------

DSD_PATH = "/eurostat/api/dissemination/sdmx/2.1/datastructure/ESTAT/"


def test_key_follows_the_dsd_order_when_it_differs_from_the_registry(data: Path, server: PublisherServer):
    # registry: freq.unit.citizen.sex.age.geo; today's DSD (as served) has moved geo and unit
    server.dsd_dimensions["migr_asytpsm"] = ("freq", "geo", "citizen", "age", "sex", "unit")
    report, text = run(data, server, "migr_asytpsm", force=True)
    assert report.applied, text
    (dsd,) = server.seen("dsd:")
    assert dsd.path == DSD_PATH + "MIGR_ASYTPSM" and dsd.status == 200
    (asked,) = server.seen("data:migr_asytpsm")
    assert asked.path.endswith("/sdmx/2.1/data/migr_asytpsm/..UA.TOTAL.T.PER")
    (note,) = report.outcomes["migr_asytpsm"].notes
    assert "DSD orders the key freq.geo.citizen.age.sex.unit" in note and "DSD's order was used" in note
    assert note in text


def test_a_longer_dsd_gets_a_key_of_its_length_and_a_note(data: Path, server: PublisherServer):
    """The registry's key (6 positions) would be refused; the DSD's (7) is asked for, and the report
    says the new dimension is neither filtered nor kept."""
    server.dsd_dimensions["migr_asytpsm"] = ("freq", "unit", "citizen", "c_birth", "sex", "age", "geo")
    registry_key = es.series_key(BY_ID["migr_asytpsm"])
    with pytest.raises(FetchError) as refused:
        client().get(f"{server.endpoints()['eurostat']}/sdmx/2.1/data/migr_asytpsm/{registry_key}")
    assert refused.value.status == 400
    server.log.clear()
    report, text = run(data, server, "migr_asytpsm", force=True)
    assert report.applied, text  # the served file has no c_birth column: nothing to choose between
    (asked,) = server.seen("data:migr_asytpsm")
    assert asked.path.endswith("/migr_asytpsm/.PER.UA..T.TOTAL.") and asked.status == 200
    notes = report.outcomes["migr_asytpsm"].notes
    assert any(
        "DSD dimension 'c_birth' has no registry filter and is not kept: the download may carry several "
        "values there" in n
        for n in notes
    ), notes


def test_registry_filter_on_a_dimension_the_dsd_lacks_is_dropped_with_a_warning(
    data: Path, server: PublisherServer
):
    server.dsd_dimensions["tps00170"] = ("freq", "reason", "citizen", "unit", "geo")  # no duration
    report, text = run(data, server, "tps00170", force=True)
    o = report.outcomes["tps00170"]
    assert o.status == "updated", o.reason
    (asked,) = server.seen("data:tps00170")
    assert asked.path.endswith("/sdmx/2.1/data/tps00170/.TOTAL.TOTAL.PER.")
    warning = next(n for n in o.notes if n.startswith("warning:"))
    assert "registry filter duration=TOTAL dropped: Eurostat's DSD for TPS00170 has no 'duration'" in warning
    assert f"updated; {'; '.join(o.notes)}" in text  # on the dataset's report line


@pytest.mark.parametrize(
    ("faults", "why"),
    [(["404"], "HTTP 404: No structure or data found"), (["500"] * 3, "gave up after 3 attempts")],
    ids=["404", "500s"],
)
def test_unreadable_dsd_falls_back_to_the_registry_order(
    data: Path, server: PublisherServer, faults: list[str], why: str
):
    server.faults["dsd:tps00176"] = list(faults)
    report, text = run(data, server, "tps00176", force=True)
    o = report.outcomes["tps00176"]
    assert report.applied and o.status == "updated", o.reason
    assert len(server.seen("dsd:tps00176")) == len(faults)
    (asked,) = server.seen("data:tps00176")
    assert asked.path.endswith("/sdmx/2.1/data/tps00176/.TOTAL..TOTAL.NR.T.")  # the registry's order
    (note,) = o.notes
    assert note.startswith(f"could not read Eurostat's DSD ({why}")
    assert "the key follows the registry's dimension order freq.citizen.agedef.age.unit.sex.geo" in note
    assert note in text


def test_dsd_is_read_once_per_dataset_and_geo_splits_use_its_position(
    data: Path, server: PublisherServer, unsplit: pd.DataFrame
):
    server.dsd_dimensions["tps00176"] = ("freq", "geo", "citizen", "agedef", "age", "unit", "sex")
    server.max_rows["tps00176"] = 60  # less than one year: split by period, then by geo
    report, _ = run(data, server, "tps00176", force=True)
    assert report.applied, report.outcomes["tps00176"].reason
    assert server.dsd_codes() == ["tps00176"]  # one structure request for the many data requests
    ok = [s for s in server.seen("data:") if s.status == 200]
    assert len(ok) > 10
    for s in ok:
        key = s.path.rsplit("/", 1)[1].split(".")
        assert key[1] and key[2:] == ["TOTAL", "", "TOTAL", "NR", "T"], s.path  # geo in the DSD's place
    pd.testing.assert_frame_equal(pd.read_parquet(data / "observations/tps00176.parquet"), unsplit)


def test_unfiltered_dsd_dimension_fails_the_select_step_clearly(
    data: Path, server: PublisherServer, monkeypatch: pytest.MonkeyPatch
):
    """A breakdown the DSD has but the registry neither filters nor keeps: the report warns, then the
    build's select step refuses the several values and names the filter to add."""
    loose = dataclasses.replace(BY_ID["tps00176"], keep=())  # as if agedef were new and unknown to us
    monkeypatch.setitem(BY_ID, "tps00176", loose)
    monkeypatch.setattr(update_module, "DATASETS", tuple(loose if d.id == loose.id else d for d in DATASETS))
    before = snapshot_hashes(data)
    report, text = run(data, server, "tps00176", force=True)
    o = report.outcomes["tps00176"]
    assert o.status == "failed" and not report.applied
    assert any("DSD dimension 'agedef' has no registry filter and is not kept" in n for n in o.notes)
    assert "breakdown 'agedef' has several values" in o.reason
    assert "(expected a filter for 'agedef' in the registry entry of tps00176, or keep it)" in o.reason
    assert f"failed: {o.reason}; " in text
    assert snapshot_hashes(data) == before


def test_dry_run_lists_the_structure_request(data: Path, server: PublisherServer):
    bump(server, data, "tps00176")
    report, text = run(data, server, "tps00176", dry_run=True)
    assert [s.route for s in server.log] == ["toc"]  # listed, not asked
    root = f"{server.root}/eurostat/api/dissemination"
    assert report.outcomes["tps00176"].urls[0] == f"{root}/sdmx/2.1/datastructure/ESTAT/TPS00176"
    lines = text.splitlines()
    dsd = lines.index(f"  tps00176: {root}/sdmx/2.1/datastructure/ESTAT/TPS00176")
    assert lines[dsd + 1].startswith(f"  tps00176: {root}/sdmx/2.1/data/tps00176/")  # then the data


# --- safety ------------------------------------------------------------------------------------


def test_second_dataset_failing_leaves_the_old_snapshot_intact(data: Path, server: PublisherServer):
    bump(server, data, "migr_asytpsm", "migr_eirfs", "tps00176")
    server.faults["data:migr_eirfs"] = ["html"]
    before = snapshot_hashes(data)
    report, text = run(data, server, "migr_asytpsm", "migr_eirfs", "tps00176")
    assert server.data_codes() == ["migr_asytpsm", "migr_eirfs", "tps00176"]  # the rest is still tried
    assert statuses(report)["migr_eirfs"] == "failed"
    assert statuses(report)["migr_asytpsm"] == statuses(report)["tps00176"] == "not applied"
    assert snapshot_hashes(data) == before
    assert_loads(data)
    assert "migr_eirfs failed: the snapshot was left as it was" in text


def test_crash_while_building_leaves_the_old_snapshot_intact(
    data: Path, server: PublisherServer, monkeypatch: pytest.MonkeyPatch
):
    """An unexpected error after the new tables are written to staging: nothing is swapped in."""
    import loaders.changes

    bump(server, data, "migr_asytpsm", "tps00176")
    calls = []

    def crash(old, new, *a, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return {"rows_before": 0, "rows_after": len(new)}

    monkeypatch.setattr(loaders.changes, "diff", crash)
    before = snapshot_hashes(data)
    with pytest.raises(RuntimeError, match="power cut"):
        run(data, server, "migr_asytpsm", "tps00176")
    assert len(calls) == 2
    assert snapshot_hashes(data) == before
    assert_loads(data)


def test_a_concurrent_update_is_refused(data: Path, server: PublisherServer):
    server.faults["toc"] = ["sleep:0.5"]  # the first update holds the lock while it waits
    results: dict = {}

    def first() -> None:
        results["first"] = run(data, server, "tps00176")[0]

    thread = threading.Thread(target=first)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.seen("toc") and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(LoaderError, match=r"another build or update is running \(data/.lock is held\)"):
        run(data, server, "tps00176")
    thread.join()
    assert results["first"].ok
    assert len(server.seen("toc")) == 1  # the second one asked nothing


def test_cli_update_refused_while_locked(data: Path, server: PublisherServer):
    env = {**os.environ, "EUROSTAT_API_BASE": server.endpoints()["eurostat"], "PYTHONPATH": str(ROOT)}
    with store.build_lock(data):
        done = subprocess.run(
            [sys.executable, "-m", "loaders", "update", "--data-dir", str(data), "--quiet", "tps00176"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert "another build or update is running" in done.stderr
    assert "Traceback" not in done.stderr
    assert server.log == []


def test_cli_dry_run_uses_environment_addresses(data: Path, server: PublisherServer, monkeypatch, capsys):
    from loaders.__main__ import main

    monkeypatch.setenv("EUROSTAT_API_BASE", server.endpoints()["eurostat"])
    assert main(["update", "--data-dir", str(data), "--dry-run", "--force", "--quiet", "tps00176"]) == 0
    out = capsys.readouterr().out
    assert f"tps00176: {server.root}/eurostat/api/dissemination/sdmx/2.1/data/tps00176/" in out
    assert [s.route for s in server.log] == ["toc"]


def test_cli_exit_status_is_non_zero_on_failure(data: Path, server: PublisherServer, monkeypatch, capsys):
    from loaders.__main__ import main

    monkeypatch.setenv("EUROSTAT_API_BASE", server.endpoints()["eurostat"])
    server.faults["data:tps00176"] = ["html"]
    assert main(["update", "--data-dir", str(data), "--force", "--quiet", "--retries", "1", "tps00176"]) == 1
    assert "failed: " in capsys.readouterr().out


def test_unknown_dataset_name_is_an_error(data: Path, server: PublisherServer):
    with pytest.raises(LoaderError, match="unknown dataset"):
        run(data, server, "migr_nope")


# --- the real publishers -----------------------------------------------------------------------


@pytest.mark.network
@pytest.mark.skipif(
    os.environ.get("CROSSROADS_NETWORK") != "1", reason="set CROSSROADS_NETWORK=1 to talk to Eurostat"
)
def test_real_update_of_one_small_dataset(data: Path):
    out = io.StringIO()
    options = UpdateOptions(data_dir=data, datasets=["tps00176"], force=True, progress=False)
    report = update(options, HttpClient(progress=False), out=out)
    assert report.ok and report.applied, out.getvalue()
    notes = report.outcomes["tps00176"].notes
    assert not any(n.startswith("could not read Eurostat's DSD") for n in notes), notes  # the real DSD
    assert list((data / "raw/eurostat/tps00176").glob("*.csv*"))
    assert_loads(data)


@pytest.mark.network
@pytest.mark.skipif(
    os.environ.get("CROSSROADS_NETWORK") != "1", reason="set CROSSROADS_NETWORK=1 to talk to Eurostat"
)
def test_real_structures_of_every_eurostat_dataset():
    """Eurostat's DSDs parse and have geo and freq; how each differs from the registry is printed."""
    structures, http = Structures(Endpoints().eurostat), HttpClient(progress=False)
    for ds in (d for d in DATASETS if d.dimensions):
        layout = structures.layout(http, ds)
        assert layout.origin == "dsd", (ds.id, layout.notes)
        assert layout.has("geo") and layout.has("freq"), (ds.id, layout.dimensions)
        print(ds.id, ".".join(layout.dimensions), *layout.notes, sep="\n  ")
