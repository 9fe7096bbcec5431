"""Eurostat SDMX-CSV: the API's 1.0 with codes, the Data Browser's 1.0 "labels only", and 2.0.

Four layouts, each its own format name so the manifest says which one a file was:

- `sdmx_csv`: `DATAFLOW,LAST UPDATE,freq,...,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG[,CONF_STATUS]`, codes.
- `sdmx_csv_labels`: the same header, but cells hold labels (`Annual`, `Austria`, `Illegal entry`);
  every label is mapped to its code through loaders/reference, and an unknown one is an error.
- `sdmx_csv2_labels`: `STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,` then every component as a code
  column followed by its label column. We keep the codes and check the labels agree with them.
- `sdmx_csv2`: `STRUCTURE,STRUCTURE_ID[,ACTION],...` with codes only.

Dimensions come before OBS_VALUE, attributes after it (the SDMX-CSV rule). Cells are read as
strings (Namibia's code is `NA`), with a strict column count, so a cut-off last line is an error
rather than a row with a silently empty value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from loaders import flags, tidy
from loaders.errors import LoaderError
from loaders.formats import SNIFF_BYTES, ReadResult
from loaders.formats._common import head_text, labels_to_codes, numbers

V1_START = ("DATAFLOW", "LAST UPDATE")
V2_START = ("STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION")
KNOWN_ATTRIBUTES = ("OBS_FLAG", "CONF_STATUS")
# SDMX frequency codes; a freq cell outside these is a label (`Annual`).
FREQ_CODES = {"A", "S", "Q", "M", "W", "D", "H", "B", "N"}
_CODE = re.compile(r"^[A-Z0-9_.\-]+$")
# `ESTAT:MIGR_EIPRE$DEFAULTVIEW(1.0)` -> MIGR_EIPRE (agency, view and version dropped).
_FLOW = re.compile(r"^(?:[^:]*:)?([^$()]+)(?:\$[^()]*)?(?:\([^()]*\))?$")
# SDMX-CSV 2.0 actions: append, replace, merge, information. D (delete) rows are not observations.
_ACTIONS = {"", "A", "R", "M", "I"}
_SAMPLE_ROWS = 50


# --- sniffing -------------------------------------------------------------------------------


def _head_rows(head: bytes) -> list[list[str]]:
    """Header and the first complete data rows of the head (its last line may be cut)."""
    lines = head_text(head).splitlines()
    if len(lines) > 1 and len(head) >= SNIFF_BYTES and not head.endswith((b"\n", b"\r")):
        lines = lines[:-1]  # a head shorter than SNIFF_BYTES is the whole file
    try:
        rows = list(csv.reader(lines[: _SAMPLE_ROWS + 1]))
    except csv.Error:
        return []
    if not rows:
        return []
    return [rows[0]] + [r for r in rows[1:] if len(r) == len(rows[0])]


def _dimension_positions(header: list[str], start: tuple[str, ...]) -> list[int]:
    """Columns before OBS_VALUE that are neither the leading structure columns nor TIME_PERIOD."""
    end = header.index("OBS_VALUE") if "OBS_VALUE" in header else len(header)
    return [i for i in range(end) if header[i] not in start and header[i] != "TIME_PERIOD"]


def _cells_are_labels(rows: list[list[str]]) -> bool:
    """True when a 1.0 file prints labels: decided by freq (`Annual` vs `A`), else by code shape."""
    header, data = rows[0], rows[1:]
    lowered = [h.lower() for h in header]
    if "freq" in lowered:
        i = lowered.index("freq")
        return any(r[i] not in FREQ_CODES for r in data)
    dims = _dimension_positions(header, V1_START)
    return any(r[i] and not _CODE.match(r[i]) for r in data for i in dims)


def sniff_v1_codes(head: bytes) -> bool:
    """SDMX-CSV 1.0 (first column DATAFLOW) whose cells are codes."""
    rows = _head_rows(head)
    return bool(rows) and rows[0][0] == "DATAFLOW" and not _cells_are_labels(rows)


def sniff_v1_labels(head: bytes) -> bool:
    """SDMX-CSV 1.0 whose cells are labels (Data Browser "labels only" download)."""
    rows = _head_rows(head)
    return bool(rows) and rows[0][0] == "DATAFLOW" and _cells_are_labels(rows)


def _is_v2(rows: list[list[str]]) -> bool:
    return bool(rows) and rows[0][:2] == ["STRUCTURE", "STRUCTURE_ID"]


def sniff_v2_labels(head: bytes) -> bool:
    """SDMX-CSV 2.0 with a label column after every code column (STRUCTURE_NAME present)."""
    rows = _head_rows(head)
    return _is_v2(rows) and "STRUCTURE_NAME" in rows[0]


def sniff_v2_codes(head: bytes) -> bool:
    """SDMX-CSV 2.0 with codes only."""
    rows = _head_rows(head)
    return _is_v2(rows) and "STRUCTURE_NAME" not in rows[0]


# --- reading ---------------------------------------------------------------------------------


def _header(data: bytes, source: str) -> list[str]:
    """The first line's cells; checked before the body so a wrong header is reported as such."""
    end = data.find(b"\n")
    try:
        first_line = data[: end if end >= 0 else len(data)].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise LoaderError(source, "header is not UTF-8 text", line=1) from None
    if not first_line.strip():
        raise LoaderError(source, "file is empty or starts with a blank line", line=1)
    return next(csv.reader([first_line]))


def _body(data: bytes, source: str, header: list[str]) -> pd.DataFrame:
    """Data lines as positional string columns c0..cN; row i is file line i + 2.

    pyarrow enforces the header's column count on every line (pandas would pad a short line
    with empty cells), and keeps every cell a string: `NA` stays Namibia.
    """
    names = [f"c{i}" for i in range(len(header))]
    body_bytes = data.rstrip(b"\r\n") + b"\n"  # trailing blank lines are harmless; inner ones are not
    bad: list[tuple[int | None, str]] = []

    def reject(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body_bytes),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=reject, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise LoaderError(source, f"cannot parse as CSV ({exc})") from None
    if bad:
        number, text = bad[0]
        raise LoaderError(
            source,
            f"line has a different number of cells than the header: {text[:120]!r}"
            + (" (file cut off?)" if number == 1 + table.num_rows + len(bad) else ""),
            line=number,
            expected=f"{len(header)} comma-separated cells",
        )
    return table.to_pandas()


def _positions(header: list[str], source: str) -> dict[str, int]:
    """Column name -> position; a repeated name would make the layout ambiguous."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise LoaderError(source, f"column {name!r} appears twice in the header", line=1)
        seen[name] = i
    return seen


def _require(ids: list[str], source: str) -> None:
    missing = [c for c in ("TIME_PERIOD", "OBS_VALUE") if c not in ids]
    if not any(c.lower() == "geo" for c in ids):
        missing.append("geo")
    if missing:
        raise LoaderError(
            source,
            f"header has no {', '.join(missing)} column",
            line=1,
            expected="an SDMX-CSV header with geo, TIME_PERIOD and OBS_VALUE",
        )


def _values(series: pd.Series, source: str) -> pd.Series:
    """OBS_VALUE: empty (and SDMX's `NaN`) is missing -> null, never 0; anything else must be a number."""
    return numbers(series.mask(series == "NaN", ""), source, first_line=2)


def dataset_code(flows: pd.Series, source: str) -> str:
    """`ESTAT:MIGR_ASYAPPCTZA(1.0)` -> `migr_asyappctza`; one dataflow per file."""
    found = [f for f in flows.unique() if f]
    if not found:
        return ""
    if len(found) > 1:
        raise LoaderError(source, f"file mixes dataflows {sorted(found)[:3]}", expected="one dataflow")
    match = _FLOW.match(found[0].strip())
    if not match:
        line = int(np.flatnonzero(flows.to_numpy() == found[0])[0]) + 2
        raise LoaderError(
            source, f"dataflow {found[0]!r} not understood", line=line, expected="AGENCY:CODE(version)"
        )
    return match.group(1).strip().lower()


def last_update(cells: pd.Series, source: str) -> str | None:
    """`LAST UPDATE` `27/03/25 23:00:00` (dd/mm/yy) -> `2025-03-27T23:00:00`; empty -> None.

    A year before 1900 or after next year (`0000`, `6016`) is a damaged cell, not a date.
    """
    stamps = []
    for cell in [c.strip() for c in cells.unique() if c.strip()]:
        parsed = _stamp(cell)
        four_digits = re.search(r"(?<!\d)\d{4}(?!\d)", cell)
        year = parsed.year if parsed else int(four_digits.group()) if four_digits else None
        problem = tidy.year_problem(year) if year is not None else None
        if parsed is None or problem:
            line = int(np.flatnonzero(cells.str.strip().to_numpy() == cell)[0]) + 2
            raise LoaderError(
                source,
                f"LAST UPDATE {cell!r} " + (f"is impossible: {problem}" if problem else "not understood"),
                line=line,
                expected="dd/mm/yy hh:mm:ss",
            )
        stamps.append(parsed.isoformat())
    return max(stamps) if stamps else None


def _stamp(cell: str) -> dt.datetime | dt.date | None:
    """`27/03/25 23:00:00`, `27/03/25` (a date) or ISO 8601; None when it is none of them."""
    try:
        return dt.datetime.strptime(cell, "%d/%m/%y %H:%M:%S")
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(cell, "%d/%m/%y").date()
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(cell)
    except ValueError:
        return None


def _observations(
    body: pd.DataFrame, pos: dict[str, int], dims: list[str], source: str
) -> dict[str, pd.Series]:
    """The columns every layout shares: dimensions (as found), period, value, flag."""
    raw = {name.lower(): body[f"c{pos[name]}"].str.strip() for name in dims}
    raw["period"] = body[f"c{pos['TIME_PERIOD']}"].str.strip()
    raw["value"] = _values(body[f"c{pos['OBS_VALUE']}"], source)
    conf = body[f"c{pos['CONF_STATUS']}"] if "CONF_STATUS" in pos else None
    obs_flag = body[f"c{pos['OBS_FLAG']}"] if "OBS_FLAG" in pos else pd.Series("", index=body.index)
    raw["flag"] = flags.combine(obs_flag, conf)
    return raw


def _days(raw: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """A daily series' `2024-01-01` is that day: tidy alone reads `YYYY-MM-01` as a month."""
    if "freq" in raw:
        daily = raw["freq"] == "D"
        if daily.any():
            raw["period"] = raw["period"].mask(daily, raw["period"].map(tidy.day_spelling))
    return raw


def _read_v1(data: bytes, source: str, labels: bool, fmt: str) -> ReadResult:
    header = _header(data, source)
    pos = _positions(header, source)
    if header[0] != "DATAFLOW":
        raise LoaderError(source, f"first column is {header[0]!r}", line=1, expected="DATAFLOW")
    _require(header, source)
    dims = [header[i] for i in _dimension_positions(header, V1_START)]
    attrs = header[pos["OBS_VALUE"] + 1 :]
    body = _body(data, source, header)
    raw = _observations(body, pos, dims, source)
    if labels:
        for name in dims:
            raw[name.lower()] = labels_to_codes(raw[name.lower()], name.lower(), source, 2)
    dataset = dataset_code(body["c0"], source)
    updated = last_update(body[f"c{pos['LAST UPDATE']}"], source) if "LAST UPDATE" in pos else None
    frame = tidy.finish_checked(pd.DataFrame(_days(raw)), source, dataset)
    extra = {"ignored_columns": [a for a in attrs if a not in KNOWN_ATTRIBUTES]}
    return ReadResult(frame=frame, format=fmt, dataset=dataset, last_update=updated, extra=extra)


def read_v1_codes(data: bytes, source: str) -> ReadResult:
    """SDMX-CSV 1.0 with codes (the API's `format=SDMX-CSV`)."""
    return _read_v1(data, source, labels=False, fmt="sdmx_csv")


def read_v1_labels(data: bytes, source: str) -> ReadResult:
    """SDMX-CSV 1.0 "labels only": every label mapped to its code, an unknown label is an error."""
    return _read_v1(data, source, labels=True, fmt="sdmx_csv_labels")


def _code_labels(codes: pd.Series, labels: pd.Series, column: str, source: str) -> dict[str, str]:
    """code -> label of one code/label column pair; a code printed with two labels is an error."""
    pairs = pd.DataFrame({"code": codes, "label": labels}).drop_duplicates()
    clash = pairs["code"].duplicated(keep=False)
    if clash.any():
        code = pairs.loc[clash, "code"].iloc[0]
        same = pairs[pairs["code"] == code]
        seen, line = same["label"].tolist(), int(same.index[1]) + 2
        raise LoaderError(
            source,
            f"code {code!r} of {column!r} has two labels {seen[:2]}",
            line=line,
            expected="one label per code",
        )
    return dict(zip(pairs["code"], pairs["label"], strict=True))


def _read_v2(data: bytes, source: str, labelled: bool, fmt: str) -> ReadResult:
    header = _header(data, source)
    if header[:2] != ["STRUCTURE", "STRUCTURE_ID"]:
        raise LoaderError(source, f"header starts {header[:2]}", line=1, expected="STRUCTURE,STRUCTURE_ID")
    lead = 0
    while lead < len(header) and header[lead] in V2_START:
        lead += 1
    rest = list(range(lead, len(header)))
    if labelled and len(rest) % 2:
        raise LoaderError(
            source,
            f"{len(rest)} columns after {header[lead - 1]}, not code/label pairs",
            line=1,
            expected="every component as a code column followed by its label column",
        )
    id_positions = rest[0::2] if labelled else rest
    ids = [header[i] for i in id_positions]
    pos = {**_positions([header[i] for i in range(lead)], source), **{header[i]: i for i in id_positions}}
    if len(set(ids)) != len(ids):
        raise LoaderError(source, "a component appears twice in the header", line=1)
    _require(ids, source)
    value_at = ids.index("OBS_VALUE")
    dims = [c for c in ids[:value_at] if c != "TIME_PERIOD"]
    attrs = ids[value_at + 1 :]
    body = _body(data, source, header)

    if "ACTION" in pos:
        action = body[f"c{pos['ACTION']}"].str.strip().str.upper()
        bad = ~action.isin(_ACTIONS)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise LoaderError(
                source,
                f"ACTION {action.iloc[i]!r} is not an observation",
                line=i + 2,
                expected="I, A, R or M",
            )

    extra: dict = {"ignored_columns": [a for a in attrs if a not in KNOWN_ATTRIBUTES]}
    if labelled:
        labels = {
            name: _code_labels(body[f"c{pos[name]}"], body[f"c{pos[name] + 1}"], name, source) for name in ids
        }
        extra["labels"] = {name.lower(): labels[name] for name in dims}
        extra["flag_labels"] = {
            code: label
            for name in ("OBS_FLAG", "CONF_STATUS")
            for code, label in labels.get(name, {}).items()
            if code
        }
        if "STRUCTURE_NAME" in pos:
            extra["title"] = next(iter(body[f"c{pos['STRUCTURE_NAME']}"].unique()), None)

    raw = _observations(body, pos, dims, source)
    dataset = dataset_code(body[f"c{pos['STRUCTURE_ID']}"], source)
    frame = tidy.finish_checked(pd.DataFrame(_days(raw)), source, dataset)
    return ReadResult(frame=frame, format=fmt, dataset=dataset, last_update=None, extra=extra)


def read_v2_labels(data: bytes, source: str) -> ReadResult:
    """SDMX-CSV 2.0 with labels: codes kept, labels checked (one per code) and put in extra."""
    return _read_v2(data, source, labelled=True, fmt="sdmx_csv2_labels")


def read_v2_codes(data: bytes, source: str) -> ReadResult:
    """SDMX-CSV 2.0 with codes only."""
    return _read_v2(data, source, labelled=False, fmt="sdmx_csv2")


FORMATS = [
    ("sdmx_csv", sniff_v1_codes, read_v1_codes),
    ("sdmx_csv_labels", sniff_v1_labels, read_v1_labels),
    ("sdmx_csv2_labels", sniff_v2_labels, read_v2_labels),
    ("sdmx_csv2", sniff_v2_codes, read_v2_codes),
]
