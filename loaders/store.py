"""Writing the snapshot: deterministic Parquet, atomic replacement, a lock against concurrent builds.

Everything is first written into a staging folder inside data/; only when every file is written
are they moved into place (os.replace, atomic per file, over the old file so none is ever absent),
the manifest last, so a failed build leaves the previous snapshot as it was and a reader never sees
a half-written or missing file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from loaders.errors import LoaderError

MANIFEST = "manifest.json"
JOURNAL = ".swap.json"
BACKUP = ".previous"


def to_table(frame: pd.DataFrame) -> pa.Table:
    """Arrow table with our types: strings, date32 period_start, float64 value; no pandas index."""
    fields = []
    for col in frame.columns:
        if col == "period_start":
            fields.append(pa.field(col, pa.date32()))
        elif col == "value" or frame[col].dtype == "float64":
            fields.append(pa.field(col, pa.float64()))
        elif pd.api.types.is_bool_dtype(frame[col]):
            fields.append(pa.field(col, pa.bool_()))
        elif pd.api.types.is_integer_dtype(frame[col]):
            fields.append(pa.field(col, pa.int64()))
        else:
            fields.append(pa.field(col, pa.string()))
    table = pa.Table.from_pandas(frame, schema=pa.schema(fields), preserve_index=False)
    return table.replace_schema_metadata(None)  # no pandas/version metadata: same input, same bytes


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as Parquet with settings fixed for reproducible bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_table(frame), path, compression="zstd", row_group_size=1_000_000, write_statistics=True)


def sha256_file(path: Path) -> str:
    """Checksum of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def build_lock(data_dir: Path) -> Iterator[None]:
    """Only one build/update writes data/ at a time; a second one fails at once with a clear message."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock_path = data_dir / ".lock"
    with lock_path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoaderError(
                str(data_dir), "another build or update is running (data/.lock is held)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Staging:
    """A folder next to the snapshot where a new snapshot is written before it replaces the old."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".build-", dir=data_dir))

    def write_parquet(self, frame: pd.DataFrame, relative: str) -> Path:
        target = self.path / relative
        write_parquet(frame, target)
        return target

    def write_json(self, payload: dict, relative: str) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
        return target

    def commit(self, remove_stale: tuple[str, ...] = ("observations",)) -> None:
        """Swap the staged snapshot in so that a reader never finds a file missing, and a crash is undone.

        A journal (data/.swap.json) lists what is about to change. Each old file is first linked (not
        moved) into data/.previous/, then the new file replaces it with one atomic rename, manifest
        last: at every moment each file is there, old or new, and the manifest says which snapshot
        is whole. Removing the journal is the commit point; until then `recover` puts the old
        snapshot back. Tables the new snapshot no longer has are deleted after that point.
        """
        staged = sorted(p for p in self.path.rglob("*") if p.is_file())
        staged.sort(key=lambda p: p.name == MANIFEST)
        new = [str(p.relative_to(self.path)) for p in staged]
        stale = [
            str(old.relative_to(self.data_dir))
            for folder in remove_stale
            for old in sorted((self.data_dir / folder).glob("*.parquet"))
            if str(old.relative_to(self.data_dir)) not in new
        ]
        existed = [rel for rel in new if (self.data_dir / rel).exists()]
        backup = self.data_dir / BACKUP
        shutil.rmtree(backup, ignore_errors=True)
        _write_json_atomically(self.data_dir / JOURNAL, {"new": new, "existed": existed, "stale": []})
        for rel in existed:
            _keep_copy(self.data_dir / rel, backup / rel)
        for rel in new:
            _move(self.path / rel, self.data_dir / rel)
        (self.data_dir / JOURNAL).unlink()  # the commit point
        for rel in stale:
            (self.data_dir / rel).unlink(missing_ok=True)
        shutil.rmtree(backup, ignore_errors=True)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _move(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dest)


def _keep_copy(src: Path, dest: Path) -> None:
    """A second name for the old file (a hard link; a copy where links are not possible)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _write_json_atomically(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, path)


def recover_if_idle(data_dir: Path) -> bool:
    """`recover` for a reader (the dashboard): only when a swap was cut off and no build is running."""
    if not (data_dir / JOURNAL).exists():
        return False
    try:
        with build_lock(data_dir):
            return recover(data_dir)
    except (LoaderError, OSError):  # a build or update holds the lock (it recovers itself), or read-only
        return False


def recover(data_dir: Path) -> bool:
    """Undo a swap that a crash interrupted (see Staging.commit); True when something was restored.

    Call it holding the build lock, before reading the previous snapshot.
    """
    journal = data_dir / JOURNAL
    if not journal.exists():
        for leftover in data_dir.glob(".build-*"):  # staging of a build that died before its swap
            shutil.rmtree(leftover, ignore_errors=True)
        return False
    plan = json.loads(journal.read_text(encoding="utf-8"))
    backup = data_dir / BACKUP
    existed = set(plan["existed"])
    for rel in plan["new"]:
        if (backup / rel).exists():
            _move(backup / rel, data_dir / rel)  # the old file, linked aside before the crash
        elif rel not in existed:
            (data_dir / rel).unlink(missing_ok=True)  # a file the old snapshot did not have
        # else: the crash came before this old file was linked aside; it is still in place
    for rel in plan.get("stale", []):  # journals of older versions moved stale tables aside
        if (backup / rel).exists():
            _move(backup / rel, data_dir / rel)
    shutil.rmtree(backup, ignore_errors=True)
    for leftover in data_dir.glob(".build-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    journal.unlink()
    return True
