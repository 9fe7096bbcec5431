"""`loaders update`: bring the snapshot up to the publishers' latest release, safely.

1. Freshness first: the Eurostat catalogue says when each dataset last changed; a dataset whose
   date is not newer than the snapshot's (manifest `last_update` / `catalogue_last_update`) is not
   downloaded (unless --force). UNHCR, IOM and Frontex have no catalogue: they are asked with
   conditional requests, and an answer with the bytes already in the snapshot counts as unchanged.
2. Download (filtered on the server), then validate every answer BEFORE anything is replaced:
   it must be readable by its reader (gzip intact, no HTML page, no error body), non-empty, name the
   right dataset and have the breakdowns we keep. Valid answers are cached under data/raw/.
3. Build next to the old snapshot: each refreshed dataset from [its previous Parquet, the new
   download] (the download is newer, so it wins on overlaps: revisions replace old values, rows only
   the old files had are kept), every other dataset from its previous Parquet. The result, with
   data/changes.json, replaces the old snapshot only when everything built; otherwise nothing
   changes and the command exits non-zero. data/.lock keeps a second update (or build) out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd
import pyarrow.parquet as pq
from tqdm import tqdm

from loaders import build as build_module
from loaders import changes, geo, store, validate
from loaders.errors import LoaderError
from loaders.fetch import HttpClient, cached_for, save_raw, sha256_bytes, utc_stamp
from loaders.formats import ReadResult, read_bytes
from loaders.formats.toc import last_updates
from loaders.registry import BY_ID, DATASETS, Dataset
from loaders.select import select
from loaders.sources import (
    Download,
    Endpoints,
    FetchOptions,
    Plan,
    conditional_get,
    eurostat,
    frontex,
    gisco,
    iom,
    unhcr,
)
from loaders.sources.eurostat_dsd import Structures

CHANGES = "changes.json"
CATALOGUE = "eurostat_catalogue"
SHAPES = "gisco_countries"
NOT_FETCHED = {
    "eurostat_codelists": "reference code lists: checked by `loaders build`, not refreshed",
    "migr_asyappctza_iom": "no live source (a derived file IOM republished); kept from the snapshot",
}


@dataclass
class UpdateOptions:
    """Everything `update` needs to know; the CLI fills it from arguments and the environment."""

    data_dir: Path
    datasets: list[str] = field(default_factory=list)  # empty: all
    force: bool = False
    dry_run: bool = False
    endpoints: Endpoints = field(default_factory=Endpoints)
    fetch: FetchOptions = field(default_factory=FetchOptions)
    progress: bool = True


@dataclass
class Outcome:
    """What happened to one dataset, for the final table."""

    dataset: str
    status: str = "unchanged"  # updated | unchanged | failed | not applied | would download
    reason: str = ""
    urls: list[str] = field(default_factory=list)
    old_last_update: str | None = None
    new_last_update: str | None = None
    old_rows: int | None = None
    new_rows: int | None = None
    change: dict | None = None
    notes: list[str] = field(default_factory=list)  # warnings shown whatever the status (e.g. the DSD)


@dataclass
class UpdateReport:
    outcomes: dict[str, Outcome]
    applied: bool = False
    message: str = ""

    @property
    def ok(self) -> bool:
        return not any(o.status in ("failed", "not applied") for o in self.outcomes.values())


@dataclass
class _Fresh:
    """A dataset whose new raw files passed validation."""

    dataset: Dataset
    paths: list[Path]
    results: list[ReadResult]
    downloads: list[Download]


def update(
    options: UpdateOptions, client: HttpClient | None = None, out: TextIO | None = None
) -> UpdateReport:
    """Run one update; the report says per dataset what happened. Raises LoaderError only when the
    lock is held or the arguments are wrong; every other failure is in the report (not applied)."""
    out = out or sys.stdout
    client = client or HttpClient(progress=options.progress)
    data_dir = Path(options.data_dir)
    requested = _requested(options.datasets)
    with contextlib.ExitStack() as stack:
        if not options.dry_run:
            stack.enter_context(store.build_lock(data_dir))
            store.recover(data_dir)  # a swap a crash interrupted is undone before we read the snapshot
        report = _Run(options, client, data_dir, requested).run()
    _print_report(report, options, out)
    return report


def _requested(names: Iterable[str]) -> set[str]:
    names = list(names)
    unknown = [n for n in names if n not in BY_ID]
    if unknown:
        raise LoaderError(
            ", ".join(unknown), "unknown dataset", expected=f"one of {', '.join(sorted(BY_ID))}"
        )
    return set(names)


class _Run:
    """One update run; the steps are methods so each reads on its own."""

    def __init__(self, options: UpdateOptions, client: HttpClient, data_dir: Path, named: set[str]):
        self.options = options
        self.client = client
        self.data_dir = data_dir
        self.named = named
        self.stamp = utc_stamp()
        self.manifest = _read_manifest(data_dir)
        self.old = self.manifest.get("datasets", {})
        self.outcomes = {d.id: self._outcome(d) for d in DATASETS}
        self.catalogue_path: Path | None = None
        self.catalogue_dates: dict[str, str] = {}
        self.structures = Structures(options.endpoints.eurostat)  # each DSD read once per run

    def _outcome(self, d: Dataset) -> Outcome:
        entry = self.old.get(d.id, {})
        return Outcome(d.id, old_last_update=_last_update(entry), old_rows=entry.get("rows"))

    def wanted(self, d: Dataset) -> bool:
        return not self.named or d.id in self.named

    # --- steps ------------------------------------------------------------------------------

    def run(self) -> UpdateReport:
        try:
            self.read_catalogue()
        except LoaderError as exc:
            for d in DATASETS:
                if self.wanted(d) or d.id == CATALOGUE:
                    o = self.outcomes[d.id]
                    o.status, o.reason = "failed", f"Eurostat catalogue: {exc}"
            return UpdateReport(self.outcomes, message="the catalogue could not be read; nothing changed")
        plans = self.plan()
        if self.options.dry_run:
            for plan in plans:
                o = self.outcomes[plan.dataset_id]
                o.status, o.urls = "would download", plan.urls
            message = "dry run: nothing downloaded but the catalogue"
            if any(p.publisher == eurostat.PUBLISHER for p in plans):
                message += " (Eurostat keys in the registry's order: an update follows each DSD, read first)"
            return UpdateReport(self.outcomes, message=message)
        fresh = self.download(plans)
        failed = [o for o in self.outcomes.values() if o.status == "failed"]
        if failed:
            for f in fresh:
                o = self.outcomes[f.dataset.id]
                o.status, o.reason = "not applied", "downloaded and valid, but another dataset failed"
            names = ", ".join(o.dataset for o in failed)
            return UpdateReport(self.outcomes, message=f"{names} failed: the snapshot was left as it was")
        if not fresh:
            return UpdateReport(
                self.outcomes, message="everything is up to date; the snapshot was not rebuilt"
            )
        return self.build(fresh)

    def read_catalogue(self) -> None:
        """The TOC, always downloaded: it decides what else is."""
        url = eurostat.catalogue_url(self.options.endpoints.eurostat)
        cache = None if self.options.dry_run else self._cache(BY_ID[CATALOGUE], eurostat.PUBLISHER)
        resp, cached = conditional_get(self.client, url, cache, "eurostat catalogue")
        result = read_bytes(resp.body, url)
        if result.format != "eurostat_toc" or result.frame.empty:
            raise LoaderError(url, f"is {result.format}, not the Eurostat table of contents")
        self.catalogue_dates = last_updates(result.frame)
        o = self.outcomes[CATALOGUE]
        o.urls = [url]
        o.new_last_update = dt.datetime.now(dt.UTC).date().isoformat()  # when we read it
        if self.options.dry_run:
            return
        self.catalogue_path = cached or save_raw(
            self.data_dir,
            eurostat.PUBLISHER,
            CATALOGUE,
            resp.body,
            ext="txt",
            url=url,
            stamp=self.stamp,
            etag=resp.etag,
            last_modified=resp.last_modified,
        )
        o.reason = "read for the freshness check"

    def plan(self) -> list[Plan]:
        """Decide, per dataset, whether to download it; the rest get their 'unchanged' reason here."""
        plans = []
        for d in DATASETS:
            if d.id == CATALOGUE:
                continue
            o = self.outcomes[d.id]
            if not self.wanted(d):
                o.reason = "not requested"
                continue
            if d.id in NOT_FETCHED:
                o.reason = NOT_FETCHED[d.id]
                continue
            try:
                plan, reason = self._plan_for(d)
            except LoaderError as exc:
                o.status, o.reason = "failed", exc.problem
                continue
            if plan is None:
                o.reason = reason
                continue
            plan.note = reason
            plans.append(plan)
        return plans

    def _plan_for(self, d: Dataset) -> tuple[Plan | None, str]:
        ep, opts = self.options.endpoints, self.options.fetch
        cache = None if self.options.force or not opts.conditional else self._cache(d, _publisher_dir(d))
        if d.id == SHAPES:
            if self.options.force or d.id in self.named or not (self.data_dir / "shapes.parquet").is_file():
                return gisco.plan(d, ep.gisco, opts, cache), "requested"
            return None, "the NUTS 2021 shapes do not change; kept from the snapshot (name it to re-fetch)"
        if d.publisher == "Eurostat":
            why = self._eurostat_due(d)
            if why is None:
                cat = self.catalogue_dates.get(d.code)
                return None, f"catalogue says {cat}, not newer than the snapshot's {self._known(d)}"
            opts = _with_start(opts, d, self.old.get(d.id, {}), self.data_dir)
            return eurostat.plan(d, ep.eurostat, opts, cache, self.structures), why
        if d.publisher == "UNHCR":
            return unhcr.plan(d, ep.unhcr, opts, cache), "no catalogue: asked with a conditional request"
        if d.publisher == "IOM":
            return iom.plan(d, ep.iom_url, opts, cache), "IOM's all-data download (conditional request)"
        if d.publisher == "Frontex":
            plan = frontex.plan(d, url=ep.frontex_url, file=ep.frontex_file, options=opts, cache=cache)
            if plan is not None:
                return plan, "configured Frontex source"
            hint = "no Frontex source configured (give --frontex-file or --frontex-url)"
            if d.id in self.named:
                raise LoaderError(d.id, hint)
            return None, f"{hint}; kept from the snapshot"
        return None, "no live source; kept from the snapshot"

    def _eurostat_due(self, d: Dataset) -> str | None:
        """Why a Eurostat dataset must be downloaded, or None when the snapshot is current."""
        if self.options.force:
            return "--force"
        if not (self.data_dir / "observations" / f"{d.id}.parquet").is_file():
            return "not in the snapshot yet"
        cat = self.catalogue_dates.get(d.code)
        if cat is None:
            return "not listed in the Eurostat catalogue: asked directly"
        known = self._known(d)
        if known is None:
            return f"catalogue says {cat}; the snapshot records no date"
        if cat > known:
            return f"catalogue says {cat}, newer than the snapshot's {known}"
        return None

    def _known(self, d: Dataset) -> str | None:
        entry = self.old.get(d.id, {})
        dates = [str(v)[:10] for v in (entry.get("last_update"), entry.get("catalogue_last_update")) if v]
        return max(dates) if dates else None

    def _cache(self, d: Dataset, publisher: str):
        return lambda url: cached_for(self.data_dir, publisher, d.id, url)

    def download(self, plans: list[Plan]) -> list[_Fresh]:
        """Fetch and validate every planned dataset; failures are recorded, never raised."""
        fresh = []
        bar = tqdm(plans, desc="downloads", unit="dataset", disable=not self.options.progress)
        for plan in bar:
            bar.set_postfix_str(plan.dataset_id)
            d, o = BY_ID[plan.dataset_id], self.outcomes[plan.dataset_id]
            o.urls = list(plan.urls)
            try:
                downloads = plan.fetch(self.client)
                o.urls = list(dict.fromkeys(dl.url for dl in downloads))
                known = {f.get("sha256") for f in self.old.get(d.id, {}).get("files", [])}
                if all(sha256_bytes(dl.body) in known for dl in downloads):
                    self._keep(plan, downloads)
                    o.reason = "the publisher's file is the one already in the snapshot"
                    continue
                results = [self._validate(d, plan, dl) for dl in downloads]
                _check_total(d, results, downloads[0].url if downloads else plan.urls[-1])
                paths = [self._keep(plan, [dl])[0] for dl in downloads]
            except LoaderError as exc:
                o.status, o.reason = "failed", str(exc)
                continue
            finally:
                o.notes = list(self.structures.notes(d))  # what the DSD told us, success or not
            fresh.append(_Fresh(d, paths, results, downloads))
            o.reason = plan.note if d.publisher == "Eurostat" else "the publisher's file changed"
            if d.kind != "observations":
                continue
            selected = sum(len(select(r.frame, d, d.id)[0]) for r in results)
            jump = validate.row_jump(self.old.get(d.id, {}).get("rows"), selected)
            if jump:
                o.notes.append(jump)
        return fresh

    def _validate(self, d: Dataset, plan: Plan, dl: Download) -> ReadResult:
        """Readable by the right reader, non-empty, right dataset, expected breakdowns; else rejected."""
        source = dl.url
        try:
            result = read_bytes(dl.body, source)
            if plan.kind == "reference":  # GISCO shapes, the only reference data downloaded
                if result.format != "gisco_geojson" or result.frame.empty:
                    raise LoaderError(source, f"is {result.format}, not GISCO GeoJSON with features")
                return result
            if result.kind != "observations":
                raise LoaderError(source, f"is {result.format} ({result.kind}), not an observation table")
            if result.dataset and result.dataset.lower() != d.code.lower():
                raise LoaderError(source, f"holds dataset {result.dataset}, not {d.code}")
            if result.frame.empty and not dl.label:
                raise LoaderError(source, "has no observations")
            selected, _ = select(result.frame, d, source)
            if selected.empty and not result.frame.empty and not dl.label:
                raise LoaderError(source, "has no observations left after the registry filters")
            if not selected.empty:
                validate.check_table(d, selected, source)
        except LoaderError:
            if not dl.cached:
                self._save(plan.publisher, d.id, dl, subfolder="rejected")
            raise
        return result

    def _keep(self, plan: Plan, downloads: list[Download]) -> list[Path]:
        """Cache raw answers; a 304, or the same bytes as our newest copy of that URL, reuse that file."""
        paths = []
        for dl in downloads:
            if dl.cached is None:
                newest = cached_for(self.data_dir, plan.publisher, plan.dataset_id, dl.url)
                if newest is not None and newest.sha256 == sha256_bytes(dl.body):
                    dl.cached = newest.path
            paths.append(dl.cached or self._save(plan.publisher, plan.dataset_id, dl))
        return paths

    def _save(self, publisher: str, dataset_id: str, dl: Download, subfolder: str = "") -> Path:
        """Raw bytes of one answer into data/raw/ (or its rejected/ folder), with their sidecars."""
        return save_raw(
            self.data_dir,
            publisher,
            dataset_id,
            dl.body,
            ext=dl.ext,
            url=dl.url,
            stamp=self.stamp,
            label=dl.label,
            etag=dl.etag,
            last_modified=dl.last_modified,
            subfolder=subfolder,
        )

    # --- build and swap ---------------------------------------------------------------------

    def build(self, fresh: list[_Fresh]) -> UpdateReport:
        by_id = {f.dataset.id: f for f in fresh}
        inputs, missing = self._inputs(by_id)
        if missing:
            for name, why in missing.items():
                o = self.outcomes[name]
                o.status, o.reason = "failed", why
            for f in fresh:
                o = self.outcomes[f.dataset.id]
                o.status, o.reason = "not applied", "downloaded and valid, but other datasets have no input"
            return UpdateReport(self.outcomes, message="the previous snapshot is incomplete; nothing changed")
        staging = store.Staging(self.data_dir)
        try:
            builds = build_module.build(
                self.data_dir, staging.path, inputs=inputs, progress=self.options.progress
            )
            manifest = json.loads((staging.path / store.MANIFEST).read_text("utf-8"))
            diffs = self._changes(builds, by_id)
            manifest = self._patch_manifest(manifest, by_id)
            staging.write_json(manifest, store.MANIFEST)
            staging.write_json(self._changes_payload(diffs, manifest), CHANGES)
            (staging.path / ".lock").unlink(missing_ok=True)
            staging.commit()
        except LoaderError as exc:
            staging.discard()
            for f in fresh:
                o = self.outcomes[f.dataset.id]
                o.status, o.reason = "failed", f"build: {exc}"
            return UpdateReport(self.outcomes, message="the build failed: the snapshot was left as it was")
        except BaseException:
            staging.discard()
            raise
        for f in fresh:
            o = self.outcomes[f.dataset.id]
            o.status = "updated"
            o.change = diffs.get(f.dataset.id)
        self.outcomes[CATALOGUE].status = "updated"
        for d in DATASETS:
            entry = manifest["datasets"].get(d.id, {})
            o = self.outcomes[d.id]
            o.new_rows = entry.get("rows")
            if d.id != CATALOGUE:
                o.new_last_update = _last_update(entry)
        return UpdateReport(self.outcomes, applied=True, message=f"snapshot updated in {self.data_dir}")

    def _inputs(self, by_id: dict[str, _Fresh]) -> tuple[build_module.Inputs, dict[str, str]]:
        """Per dataset: previous Parquet (if any) then the new raw files; missing inputs are named."""
        inputs: build_module.Inputs = {}
        missing: dict[str, str] = {}
        for d in DATASETS:
            previous = self.data_dir / "observations" / f"{d.id}.parquet"
            if d.kind == "observations":
                old = [previous] if previous.is_file() else []
                new = by_id[d.id].paths if d.id in by_id else []
                if not old and not new:
                    missing[d.id] = (
                        "not in the snapshot and not downloaded (run `python -m loaders build` first)"
                    )
                inputs[d.id] = old + new
        shapes = self.data_dir / "shapes.parquet"
        if SHAPES in by_id:
            inputs[SHAPES] = by_id[SHAPES].paths
        elif shapes.is_file():
            inputs[SHAPES] = [shapes, shapes]
        else:
            missing[SHAPES] = "no shapes in the snapshot and not downloaded"
        inputs[CATALOGUE] = [self.catalogue_path] if self.catalogue_path else []
        inputs["eurostat_codelists"] = []
        return inputs, missing

    def _changes(self, builds: list, by_id: dict[str, _Fresh]) -> dict[str, dict]:
        out = {}
        for b in builds:
            if b.dataset.id not in by_id:
                continue
            previous = self.data_dir / "observations" / f"{b.dataset.id}.parquet"
            old = pd.read_parquet(previous) if previous.is_file() else None
            out[b.dataset.id] = changes.diff(old, b.frame)
        return out

    def _patch_manifest(self, manifest: dict, by_id: dict[str, _Fresh]) -> dict:
        """Keep provenance across updates: unchanged datasets keep their entry; refreshed ones record
        the new raw files and, nested under the previous snapshot's file, where it came from."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        for d in DATASETS:
            new = manifest["datasets"].get(d.id)
            old = self.old.get(d.id)
            if d.id == CATALOGUE:
                new["retrieved_at"] = now
                continue
            if d.id not in by_id:
                if old is not None:
                    manifest["datasets"][d.id] = old
                continue
            fresh = by_id[d.id]
            prior = f"observations/{d.id}.parquet"
            for entry in new.get("files", []):
                if entry.get("path") in (prior, "shapes.parquet") and old:
                    entry["previous_snapshot"] = True
                    if entry.get("rows_kept", 1):  # it still contributes rows: say where they came from
                        entry["sources"] = _flat_sources(old.get("files", []))
            for entry, dl in zip(
                [e for e in new.get("files", []) if not e.get("previous_snapshot")],
                fresh.downloads,
                strict=False,
            ):
                entry["url"] = dl.url
            if d.kind == "observations" and not new.get("last_update"):
                new["last_update"] = self.catalogue_dates.get(d.code) or _http_date(fresh.downloads)
            new["retrieved_at"] = now
        manifest["updated_at"] = now
        manifest["previous_built_at"] = self.manifest.get("built_at")
        return manifest

    def _changes_payload(self, diffs: dict[str, dict], manifest: dict) -> dict:
        datasets = {}
        for name, diff in diffs.items():
            entry = manifest["datasets"].get(name, {})
            datasets[name] = {
                "title": BY_ID[name].title,
                "old_last_update": _last_update(self.old.get(name, {})),
                "new_last_update": _last_update(entry),
                **diff,
            }
        return {
            "generated_at": manifest.get("updated_at"),
            "previous_built_at": self.manifest.get("built_at"),
            "datasets": datasets,
            "unchanged": sorted(d.id for d in DATASETS if d.kind == "observations" and d.id not in diffs),
        }


# --- helpers -----------------------------------------------------------------------------------


def _read_manifest(data_dir: Path) -> dict:
    path = data_dir / store.MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise LoaderError(str(path), f"manifest is not valid JSON ({exc})") from None


def _last_update(entry: dict) -> str | None:
    value = entry.get("last_update") or entry.get("catalogue_last_update")
    return str(value) if value else None


def _publisher_dir(d: Dataset) -> str:
    return {"UNHCR": unhcr.PUBLISHER, "IOM": iom.PUBLISHER, "Frontex": frontex.PUBLISHER}.get(
        d.publisher, gisco.PUBLISHER if d.id == SHAPES else eurostat.PUBLISHER
    )


def _with_start(opts: FetchOptions, d: Dataset, entry: dict, data_dir: Path) -> FetchOptions:
    """Ask from the snapshot's first year if earlier than the default, and know its geo codes
    (to split by, should Eurostat find even one year too big)."""
    first = str(entry.get("first_period") or "")[:4]
    starts = dict(opts.start_by_dataset)
    if first.isdigit() and first < opts.start_period[:4]:
        starts[d.id] = first
    geos = set(opts.known_geos) | set(geo.EU27_2020) | set(geo.EFTA)
    previous = data_dir / "observations" / f"{d.id}.parquet"
    if previous.is_file():
        with contextlib.suppress(Exception):
            geos |= set(pq.read_table(previous, columns=["geo"]).column("geo").to_pylist())
    return dataclasses.replace(opts, start_by_dataset=starts, known_geos=tuple(sorted(geos)))


def _flat_sources(files: list[dict]) -> list[dict]:
    """The files behind a snapshot, one level deep: an earlier snapshot is replaced by its own sources."""
    out = []
    for f in files:
        if f.get("previous_snapshot"):
            out.extend(f.get("sources", []))
        else:
            out.append(f)
    return out


def _check_total(d: Dataset, results: list[ReadResult], source: str) -> None:
    if d.kind == "observations" and sum(len(r.frame) for r in results) == 0:
        raise LoaderError(source, "has no observations")


def _http_date(downloads: list[Download]) -> str | None:
    import email.utils

    for dl in downloads:
        if dl.last_modified:
            with contextlib.suppress(TypeError, ValueError):
                return email.utils.parsedate_to_datetime(dl.last_modified).date().isoformat()
    return None


# --- report ------------------------------------------------------------------------------------


def _print_report(report: UpdateReport, options: UpdateOptions, out: TextIO) -> None:
    """One line per dataset: last update and rows (before -> after), changes, status and why."""
    rows = [("dataset", "last update", "rows", "changes", "status")]
    for o in report.outcomes.values():
        if options.datasets and o.dataset not in options.datasets and o.dataset != CATALOGUE:
            continue
        updated = o.status == "updated"
        rows.append(
            (
                o.dataset,
                _arrow(_day(o.old_last_update), _day(o.new_last_update), updated),
                _arrow(_n(o.old_rows), _n(o.new_rows), updated and o.new_rows is not None),
                _change_text(o.change),
                _status_text(o, updated),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths, strict=True)) + "  " + r[4], file=out)
    waiting = [o for o in report.outcomes.values() if o.status == "would download"]
    if waiting:
        print("\nWould download:", file=out)
        for o in waiting:
            for url in o.urls:
                print(f"  {o.dataset}: {url}", file=out)
    print(f"\n{report.message}", file=out)


def _status_text(o: Outcome, updated: bool) -> str:
    """Status, why (unless updated), then any notes, e.g. on the Eurostat key."""
    text = f"{o.status}: {o.reason}" if o.reason and not updated else o.status
    return "; ".join([text, *o.notes])


def _arrow(old: str | None, new: str | None, changed: bool) -> str:
    return f"{old or '-'} -> {new or '-'}" if changed else (old or "-")


def _day(value: str | None) -> str | None:
    """Dates only in the table (the manifest keeps the publisher's full timestamp)."""
    return str(value)[:10] if value else None


def _n(value: int | None) -> str:
    return f"{value:,}" if isinstance(value, int) else "-"


def _change_text(change: dict | None) -> str:
    if not change:
        return ""
    if "rows_added" not in change:
        return change.get("note", "")
    if not any(change[k] for k in ("rows_added", "rows_removed", "values_revised", "flags_changed")):
        return "no change"
    return (
        f"+{change['rows_added']} added, -{change['rows_removed']} removed, "
        f"{change['values_revised']} revised, {change['flags_changed']} reflagged"
    )
