"""`loaders build`: read every registry file, select, merge, compute indicators, write the snapshot.

Everything is computed in memory first; only when every dataset succeeded is anything written,
and then through a staging folder (see store.py). Any failure leaves data/ exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from loaders import LOADER_VERSION, geo, indicators, store, validate
from loaders.errors import LoaderError
from loaders.formats import ReadResult, read_path
from loaders.formats.toc import last_updates
from loaders.registry import DATASETS, Dataset, observation_datasets
from loaders.select import FileContribution, merge_newest_wins, select


@dataclass
class DatasetBuild:
    """One dataset's result, for the manifest and the final report."""

    dataset: Dataset
    frame: pd.DataFrame
    files: list[dict]
    contributions: list[FileContribution]
    last_update: str | None


Inputs = dict[str, list[Path]]  # dataset id -> its files, oldest first (the last wins on overlaps)


def registry_inputs(source_dir: Path) -> Inputs:
    """Every registry dataset's files (and metadata sidecars) under a source folder."""
    return {d.id: [source_dir / f.path for f in (*d.files, *d.metadata_files)] for d in DATASETS}


def build_dataset(dataset: Dataset, paths: list[Path], root: Path | None = None) -> DatasetBuild:
    """Read all files of one observation dataset and merge them (later files win on overlaps).

    Metadata sidecars (kind "metadata") only contribute their last-update date.
    """
    frames, contributions, files = [], [], []
    meta_files = []
    for path in paths:
        relative = _relative(path, root)
        result = read_path(path)
        if result.kind == "metadata":
            meta_files.append(_file_entry(path, relative, result))
            continue
        if result.kind != "observations":
            raise LoaderError(str(path), f"is {result.format}, not an observation table")
        selected, constants = select(result.frame, dataset, str(path))
        if selected.empty:
            why = (
                "no observations" if result.frame.empty else "no observations left after the registry filters"
            )
            raise LoaderError(str(path), f"has {why}", expected=f"rows for {dataset.id}")
        validate.check_table(dataset, selected, str(path))
        frames.append(selected)
        contributions.append(FileContribution(relative, len(result.frame), len(selected), 0, constants))
        files.append(_file_entry(path, relative, result))
    if not frames:
        raise LoaderError(dataset.id, "no observation file among its inputs")
    merged = merge_newest_wins(frames, contributions, dataset.id)
    for entry, contrib in zip(files, contributions, strict=False):
        entry.update(
            rows_read=contrib.rows_read,
            rows_selected=contrib.rows_selected,
            rows_kept=contrib.rows_kept,
            constant_breakdowns=contrib.dropped_constants,
        )
    files += meta_files
    dated = [f["last_update"] for f in files if f["last_update"]]
    return DatasetBuild(dataset, merged, files, contributions, max(dated) if dated else None)


def _relative(path: Path, root: Path | None) -> str:
    """Path as recorded in the manifest: relative to the source folder where possible."""
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def _file_entry(path: Path, relative: str, result: ReadResult) -> dict:
    return {
        "path": relative,
        "format": result.format,
        "sha256": store.sha256_file(path),
        "last_update": result.last_update,
        "rows": len(result.frame),
    }


def reference_tables(inputs: Inputs) -> tuple[dict[str, pd.DataFrame], dict]:
    """geo, shapes and routes tables, and the catalogue's last-update dates."""
    from loaders.formats.frontex import route_labels as frontex_routes
    from loaders.formats.iom import route_labels as iom_routes

    polygons_path, points_path = inputs["gisco_countries"]
    polygons = read_path(polygons_path).frame
    points = read_path(points_path).frame[["geo", "lon", "lat"]]
    shapes = polygons.drop(columns=[c for c in ("lon", "lat") if c in polygons]).merge(
        points, on="geo", how="left"
    )
    routes = pd.DataFrame(
        [{"route": k, "label": v, "publisher": "Frontex"} for k, v in frontex_routes().items()]
        + [{"route": k, "label": v, "publisher": "IOM"} for k, v in iom_routes().items()]
    )
    toc = read_path(inputs["eurostat_catalogue"][0]).frame
    catalogue_dates = last_updates(toc)
    for path in inputs.get("eurostat_codelists", []):  # read so a broken reference file fails the build
        read_path(path)
    tables = {"geo": geo.reference_table(), "shapes": shapes.sort_values("geo"), "routes": routes}
    return tables, catalogue_dates


def manifest(builds: list[DatasetBuild], catalogue_dates: dict, inputs: Inputs, root: Path | None) -> dict:
    """data/manifest.json: provenance of every dataset, so every number can be traced to its file."""
    datasets = {}
    for b in builds:
        periods = b.frame["period"]
        datasets[b.dataset.id] = {
            "title": b.dataset.title,
            "publisher": b.dataset.publisher,
            "licence": b.dataset.licence,
            "source_url": b.dataset.page_url,
            "rows": len(b.frame),
            "first_period": str(periods.min()),
            "last_period": str(periods.max()),
            "last_update": b.last_update,
            "catalogue_last_update": catalogue_dates.get(b.dataset.code),
            "files": b.files,
            "filters": {k: list(v) for k, v in b.dataset.filters.items()},
            "breakdowns": list(b.dataset.keep),
            "note": _overlap_note(b) or b.dataset.note,
        }
    for ds in DATASETS:
        if ds.kind == "reference":
            datasets[ds.id] = {
                "title": ds.title,
                "publisher": ds.publisher,
                "licence": ds.licence,
                "source_url": ds.page_url,
                "files": [
                    {"path": _relative(p, root), "sha256": store.sha256_file(p)}
                    for p in inputs.get(ds.id, [])
                ],
                "note": ds.note,
            }
    return {
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "loader_version": LOADER_VERSION,
        "datasets": datasets,
    }


def _overlap_note(b: DatasetBuild) -> str:
    if len(b.contributions) < 2:
        return ""
    lost = [c for c in b.contributions if c.rows_kept < c.rows_selected]
    if not lost:
        return ""
    winner = b.contributions[-1].path
    parts = [f"{c.path}: {c.rows_selected - c.rows_kept} of {c.rows_selected} rows replaced" for c in lost]
    return f"Files overlap; the newer publication ({winner}) wins. " + "; ".join(parts) + "."


def build(
    source_dir: Path | None,
    data_dir: Path,
    *,
    inputs: Inputs | None = None,
    progress: bool = True,
) -> list[DatasetBuild]:
    """Build the whole snapshot into data_dir. Raises LoaderError (data_dir untouched) on any failure.

    `inputs` replaces the registry's files for the datasets it names (used by `loaders update`).
    """
    root = Path(source_dir) if source_dir else None
    if root is not None and not root.is_dir():
        raise LoaderError(str(root), "source folder does not exist (give --source-dir)")
    files = registry_inputs(root) if root else {}
    files.update(inputs or {})
    data_dir = Path(data_dir)
    builds = []
    todo = observation_datasets()
    bar = tqdm(todo, desc="datasets", unit="dataset", disable=not progress)
    for dataset in bar:
        bar.set_postfix_str(dataset.id)
        if dataset.id not in files:
            raise LoaderError(dataset.id, "no input files given for this dataset")
        builds.append(build_dataset(dataset, files[dataset.id], root))
    tables, catalogue_dates = reference_tables(files)
    observations = {b.dataset.id: b.frame for b in builds}
    table = indicators.compute(observations)
    payload = manifest(builds, catalogue_dates, files, root)
    with store.build_lock(data_dir):
        store.recover(data_dir)
        staging = store.Staging(data_dir)
        try:
            for b in builds:
                staging.write_parquet(b.frame, f"observations/{b.dataset.id}.parquet")
            indicators.check_schema(store.to_table(table).schema, "build")
            staging.write_parquet(table, "indicators.parquet")
            for name, frame in tables.items():
                staging.write_parquet(frame, f"{name}.parquet")
            staging.write_json(payload, store.MANIFEST)
            staging.commit()
        except BaseException:
            staging.discard()
            raise
    return builds
