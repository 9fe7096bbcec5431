"""`loaders build` on the real files: outputs, provenance, determinism, and failures that lose nothing."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from loaders import store
from loaders.build import build
from loaders.errors import LoaderError
from loaders.registry import DATASETS, observation_datasets

ROOT = Path(__file__).resolve().parents[2]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_every_output_is_written(built_snapshot: Path) -> None:
    for ds in observation_datasets():
        assert (built_snapshot / "observations" / f"{ds.id}.parquet").is_file(), ds.id
    for name in ("indicators.parquet", "geo.parquet", "shapes.parquet", "routes.parquet", "manifest.json"):
        assert (built_snapshot / name).is_file(), name
    assert not list(built_snapshot.glob(".build-*")), "staging folder left behind"


def test_observation_tables_are_typed(built_snapshot: Path) -> None:
    table = pq.read_table(built_snapshot / "observations" / "migr_asyappctza.parquet")
    types = {f.name: str(f.type) for f in table.schema}
    assert types["period_start"] == "date32[day]"
    assert types["value"] == "double"
    assert types["flag"] == "string"
    assert list(table.column_names[:5]) == ["dataset", "geo", "period", "freq", "period_start"]
    assert list(table.column_names[-2:]) == ["value", "flag"]


def test_manifest_traces_every_dataset_to_its_files(built_snapshot: Path, shared_data: Path) -> None:
    manifest = json.loads((built_snapshot / "manifest.json").read_text())
    assert set(manifest["datasets"]) == {d.id for d in DATASETS}
    for ds in observation_datasets():
        entry = manifest["datasets"][ds.id]
        frame = pd.read_parquet(built_snapshot / "observations" / f"{ds.id}.parquet")
        assert entry["rows"] == len(frame)
        assert entry["first_period"] == frame["period"].min()
        assert entry["last_period"] == frame["period"].max()
        for file_entry in entry["files"]:
            raw = (shared_data / file_entry["path"]).read_bytes()
            assert file_entry["sha256"] == hashlib.sha256(raw).hexdigest()
    assert manifest["loader_version"]
    # Publisher's last update as printed in the files themselves.
    assert manifest["datasets"]["demo_gind"]["last_update"].startswith("2025-03-27T23:00")
    assert manifest["datasets"]["migr_eipre"]["last_update"].startswith("2026-05-12T11:00")
    # Catalogue (table of contents, line 1802): migr_asyappctza last updated 02.06.2023.
    assert manifest["datasets"]["migr_asyappctza"]["catalogue_last_update"] == "2023-06-02"


def test_newer_publication_wins_and_manifest_says_so(built_snapshot: Path) -> None:
    manifest = json.loads((built_snapshot / "manifest.json").read_text())
    note = manifest["datasets"]["migr_asyappctza"]["note"]
    assert "newer publication" in note and "migr_asyappctza.csv" in note
    obs = pd.read_parquet(built_snapshot / "observations" / "migr_asyappctza.parquet")
    total = obs[(obs.citizen == "TOTAL") & (obs.asyl_app == "ASY_APP")].set_index(["geo", "period"])["value"]
    # sdmx-csv/migr_asyappctza.csv line 120: DE 2024 = 250615; line 111: DE 2015 = 476620
    # (legacy-csv line 976 has the same 476,620 for 2015).
    assert total[("DE", "2024")] == 250615
    assert total[("DE", "2015")] == 476620
    # First-time applicants exist only in the legacy file and survive the merge.
    first = obs[obs.asyl_app == "NASY_APP"]
    assert not first.empty and first["period"].max() == "2016"


def test_rebuild_gives_identical_parquet(built_snapshot: Path, shared_data: Path, tmp_path: Path) -> None:
    build(shared_data, tmp_path, progress=False)
    first = {k: v for k, v in _hashes(built_snapshot).items() if k.endswith(".parquet")}
    second = {k: v for k, v in _hashes(tmp_path).items() if k.endswith(".parquet")}
    assert first == second


def test_committed_snapshot_is_the_loaders_output(built_snapshot: Path) -> None:
    """data/ in the repository must be exactly what the loaders make of ../shared/data."""
    committed = ROOT / "data"
    for built in sorted(built_snapshot.rglob("*.parquet")):
        relative = built.relative_to(built_snapshot)
        ours = pq.read_table(committed / relative)
        assert ours.equals(pq.read_table(built)), f"data/{relative} is stale: run python -m loaders build"


def test_failed_build_leaves_snapshot_untouched(
    built_snapshot: Path, shared_data: Path, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    shutil.copytree(shared_data, source, copy_function=shutil.copyfile)
    for folder in [source, *source.rglob("*")]:
        if folder.is_dir():
            folder.chmod(0o755)  # the shared copy is read-only; let pytest clean up
    target = source / "eurostat/sdmx-csv/migr_eirfs.csv"
    target.write_text("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    data = tmp_path / "data"
    shutil.copytree(built_snapshot, data)
    before = _hashes(data)
    with pytest.raises(LoaderError, match=r"migr_eirfs\.csv.*HTML"):
        build(source, data, progress=False)
    assert _hashes(data) == before
    assert not list(data.glob(".build-*"))


def test_second_build_is_refused_while_one_runs(shared_data: Path, tmp_path: Path) -> None:
    with store.build_lock(tmp_path), pytest.raises(LoaderError, match="another build or update"):
        build(shared_data, tmp_path, progress=False)


def test_cli_build_error_is_one_plain_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "loaders", "build", "--source-dir", str(tmp_path / "nowhere"), "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "source folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_read_prints_tidy_rows(shared_data: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "loaders", "read", str(shared_data / "eurostat/tsv/migr_dubri.tsv"), "--csv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.startswith("dataset,geo,period,freq,period_start")
    # migr_dubri.tsv line 2: AT 2010 = 2577.
    assert any(",AT,2010,A,2010-01-01," in r and r.endswith(",2577.0,") for r in rows)


def _old_and_staged(built_snapshot: Path, tmp_path: Path) -> tuple[Path, store.Staging]:
    """A snapshot in data/ and a different one staged beside it (one table retired, one new)."""
    data = tmp_path / "data"
    shutil.copytree(built_snapshot, data)
    stale = data / "observations" / "retired_dataset.parquet"  # a table the new snapshot no longer has
    shutil.copy(data / "observations" / "migr_dubri.parquet", stale)
    (data / "observations" / "tps00176.parquet").unlink()  # and one the old snapshot did not have
    manifest = json.loads((data / "manifest.json").read_text())
    manifest["built_at"] = "old"
    (data / "manifest.json").write_text(json.dumps(manifest))
    staging = store.Staging(data)
    for path in sorted(built_snapshot.rglob("*")):
        if path.is_file() and path.name != ".lock":
            target = staging.path / path.relative_to(built_snapshot)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    return data, staging


def _commit_killed_at(staging: store.Staging, kill_at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commit the staged snapshot, with a power cut at its `kill_at`-th rename."""
    real_replace = os.replace
    calls = {"n": 0}

    def dying_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == kill_at:
            raise KeyboardInterrupt("power cut")
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        staging.commit()
    monkeypatch.setattr(store.os, "replace", real_replace)


def _renames(built_snapshot: Path) -> int:
    """How many os.replace calls a commit of the built snapshot makes (its files, plus the journal)."""
    return sum(1 for p in built_snapshot.rglob("*") if p.is_file() and p.name != ".lock") + 1


def test_swap_killed_at_any_rename_leaves_a_readable_snapshot_and_is_undone(
    built_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut at each rename in turn: every file is still there (old or new), and recover restores
    the old snapshot."""
    renames = _renames(built_snapshot)
    assert renames > 20  # every table of the snapshot, the manifest and the journal
    for kill_at in range(1, renames + 1):
        data, staging = _old_and_staged(built_snapshot, tmp_path / str(kill_at))
        before = {k: v for k, v in _hashes(data).items() if not k.startswith(".")}
        _commit_killed_at(staging, kill_at, monkeypatch)
        # What a dashboard finds at that moment: every file the old snapshot had, and a manifest.
        assert set(before) <= set(_hashes(data)), f"a file of the snapshot is missing (rename {kill_at})"
        assert json.loads((data / "manifest.json").read_text())["built_at"] == "old"  # manifest moves last
        assert store.recover(data) is (kill_at > 1)  # the first rename writes the journal itself
        assert {k: v for k, v in _hashes(data).items() if not k.startswith(".")} == before, kill_at
        assert not (data / store.JOURNAL).exists() and not (data / store.BACKUP).exists()
        assert store.recover(data) is False


def test_a_reader_polling_during_a_slow_swap_always_finds_a_snapshot(
    built_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from dashboard.data import SnapshotMissing, load_snapshot

    data, staging = _old_and_staged(built_snapshot, tmp_path)
    real_replace = os.replace

    def slow_replace(src, dst):
        time.sleep(0.1)  # a load takes about 0.3 s: several polls fall inside the swap
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", slow_replace)
    failures, polls, done = [], [0], threading.Event()

    def poll() -> None:
        while not done.is_set():
            try:
                load_snapshot(data)
            except SnapshotMissing as exc:
                failures.append(str(exc))
            polls[0] += 1

    reader = threading.Thread(target=poll)
    reader.start()
    staging.commit()
    done.set()
    reader.join()
    assert polls[0] > 3 and failures == []
    assert not (data / "observations" / "retired_dataset.parquet").exists()  # deleted after the commit point
    assert json.loads((data / "manifest.json").read_text())["built_at"] != "old"


def test_build_after_a_crash_recovers_first(
    built_snapshot: Path, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, staging = _old_and_staged(built_snapshot, tmp_path)
    _commit_killed_at(staging, 10, monkeypatch)
    build(shared_data, data, progress=False)
    assert not (data / store.JOURNAL).exists() and not list(data.glob(".build-*"))
    assert (
        _hashes(data)["observations/tps00176.parquet"]
        == _hashes(built_snapshot)["observations/tps00176.parquet"]
    )
