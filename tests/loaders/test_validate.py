"""Impossible values are refused before anything is written: damaged variants of the real files.

Each case changes one thing in a real publisher file (a copy in a temporary folder) and checks that
the build step refuses it with the rule and an example, and that the undamaged file passes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from loaders import validate
from loaders.build import build_dataset
from loaders.errors import LoaderError
from loaders.registry import BY_ID, Dataset


def _variant(shared_data: Path, tmp_path: Path, relative: str, old: str, new: str, count: int = 1) -> Path:
    text = (shared_data / relative).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    out = tmp_path / Path(relative).name
    out.write_text(text.replace(old, new, count), encoding="utf-8")
    return out


def _build(dataset_id: str, path: Path):
    return build_dataset(BY_ID[dataset_id], [path])


CASES = [
    # (dataset, file, old text, new text, what the error says)
    (
        "migr_eirfs",
        "eurostat/sdmx-csv/migr_eirfs.csv",
        ",Ireland,2018,",
        ",Ireland,6016,",
        "impossible period '6016'",  # refused by the reader already
    ),
    (
        "migr_eirfs",
        "eurostat/sdmx-csv/migr_eirfs.csv",
        ",Ireland,2018,",
        f",Ireland,{dt.date.today().year + 1},",  # a year the reader allows (forecasts), not yet begun
        "period in the future",
    ),
    ("tps00176", "eurostat/sdmx-csv/tps00176.csv", ",IE,2013,", ",IA,2013,", "unknown geo code 'IA'"),
    ("tps00176", "eurostat/sdmx-csv/tps00176.csv", ",IE,2013,", ",I\x07E,2013,", "unknown geo code"),
    (
        "migr_eiord",
        "eurostat/legacy-csv/migr_eiord_2010-2016.csv",
        '"19,190"',
        '"19.190"',
        "count 19.19 is not a whole number",
    ),
    (
        "frontex_ibc",
        "frontex/ibc_monthly_2009-2025.csv",
        "Central Mediterranean Route,Sea,BGD,2009-01-01,41",
        "Central Mediterranean Route,Sea,BGD,2009-01-01,-41",
        "negative count",
    ),
]


@pytest.mark.parametrize(("dataset_id", "relative", "old", "new", "message"), CASES)
def test_damaged_file_is_refused(shared_data: Path, tmp_path: Path, dataset_id, relative, old, new, message):
    good = _build(dataset_id, shared_data / relative)  # the real file passes
    assert len(good.frame) > 0
    with pytest.raises(LoaderError) as err:
        _build(dataset_id, _variant(shared_data, tmp_path, relative, old, new))
    if message:
        assert message in str(err.value), str(err.value)


def test_header_only_file_is_refused(shared_data: Path, tmp_path: Path) -> None:
    relative = "eurostat/sdmx-csv/migr_eirfs.csv"
    header = (shared_data / relative).read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "migr_eirfs.csv"
    path.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(LoaderError) as err:
        _build("migr_eirfs", path)
    assert "no observations" in str(err.value) or "no data lines" in str(err.value), str(err.value)


def _frame(**changes) -> pd.DataFrame:
    row = {
        "dataset": "migr_eirfs",
        "geo": "IE",
        "period": "2020",
        "freq": "A",
        "period_start": dt.date(2020, 1, 1),
        "value": 5.0,
        "flag": None,
    }
    return pd.DataFrame([{**row, **changes}])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, None),
        ({"value": -5.0}, "negative count"),
        ({"value": 2.5}, "not a whole number"),
        ({"period": "1900", "period_start": dt.date(1900, 1, 1)}, "before the plausible range"),
        ({"period": "2026-12", "freq": "M", "period_start": dt.date(2026, 12, 1)}, "in the future"),
        ({"citizen": "XX"}, "unknown citizen code 'XX'"),
        ({"citizen": "SY"}, None),
        ({"citizen": "STLS"}, None),
        ({"reason": "TOTAL\n"}, "unknown reason code"),
    ],
)
def test_rules_on_one_row(changes: dict, message: str | None) -> None:
    frame = _frame(**changes)
    today = dt.date(2026, 11, 30)
    if message is None:
        validate.check_table(BY_ID["migr_eirfs"], frame, "test", today=today)
        return
    with pytest.raises(LoaderError) as err:
        validate.check_table(BY_ID["migr_eirfs"], frame, "test", today=today)
    assert message in str(err.value)


def test_route_datasets_check_route_ids() -> None:
    frontex: Dataset = BY_ID["frontex_ibc"]
    frame = _frame(dataset="frontex_ibc", geo="central_mediterranean", freq="M")
    validate.check_table(frontex, frame, "test")
    with pytest.raises(LoaderError, match="unknown geo code 'IE'"):
        validate.check_table(frontex, _frame(dataset="frontex_ibc", geo="IE"), "test")
