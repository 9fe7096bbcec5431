"""The registry is the one list of datasets: every real file is in it and every indicator's source too."""

from __future__ import annotations

from pathlib import Path

from loaders import catalogue
from loaders.registry import BY_ID, DATASETS


def test_every_shared_file_is_registered(shared_data: Path) -> None:
    registered = {f.path for d in DATASETS for f in (*d.files, *d.metadata_files)}
    on_disk = {
        str(p.relative_to(shared_data))
        for p in shared_data.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert on_disk - registered == set(), "files in ../shared/data that no registry entry reads"
    assert registered - on_disk == set(), "registry entries pointing at files that do not exist"


def test_indicator_sources_are_registered() -> None:
    for ind in catalogue.INDICATORS:
        for source in ind.sources:
            assert source in BY_ID, f"{ind.id} names unknown dataset {source}"
        assert ind.theme in catalogue.THEMES, ind.id


def test_filters_only_name_kept_or_dropped_breakdowns() -> None:
    for d in DATASETS:
        assert len(set(d.keep)) == len(d.keep), d.id
        if d.publisher == "Eurostat" and d.kind == "observations":
            assert d.dimensions[0] == "freq" and d.dimensions[-1] == "geo", d.id
            assert set(d.filters) <= set(d.dimensions), d.id
