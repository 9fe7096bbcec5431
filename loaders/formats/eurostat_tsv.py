"""Reader for Eurostat's TSV layout: the dissemination API's `format=TSV` and the old bulk download.

The first header cell names the dimensions of each row key (`freq,unit,citizen,geo\\TIME_PERIOD`,
older files `...,geo\\time`); every further header cell is a period (`2019 `, `2021S1 `, `2023Q4 `,
`2024M01 `, `2022-03`, `2024W05 `, `2024-01-15`). Each data cell is `value[ flag]`, with `:` for
"not available" (`: c` keeps its flag) and usually a trailing space.

This is the one reader that sees huge files (the API returns multi-million-row TSVs), so the work
is vectorised: pyarrow's CSV parser splits the bytes into string columns, the period columns are
laid end to end (which is the long layout, period by period) and a handful of pyarrow kernels turn
all cells at once into numbers and flags. Python never loops per row or per cell, except after a
failure, to name the line that broke.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import head_text

FORMAT = "eurostat_tsv"
_GZIP_MAGIC = b"\x1f\x8b"
# `dim1,dim2,...,geo\TIME_PERIOD` (API) or `...,geo\time` (old bulk files); Eurostat's dimension
# ids are lowercase with digits and underscores (`na_item`, `isced11`), upper case is tolerated.
_FIRST_CELL = re.compile(r"^([A-Za-z][A-Za-z0-9_]*(?:,[A-Za-z][A-Za-z0-9_]*)*)\\(?:TIME_PERIOD|time)$")
_EXPECTED_HEADER = "a first header cell like `freq,unit,geo\\TIME_PERIOD` followed by tab-separated periods"
_EXPECTED_CELL = "a number or ':', optionally followed by a space and flag letters (`2577 p`, `: c`)"
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
_FLAG = "^[A-Za-z]+$"
_BLOCK_SIZE = 16 << 20
_MAX_THREADS = 8
_RUN_CELLS = 2_000_000
# Columns of the tidy frame a dimension must not overwrite (geo and freq are handled on their own).
_RESERVED = {"dataset", "period", "period_start", "value", "flag"}


@dataclass(frozen=True)
class _Header:
    dims: list[str]  # lowercase dimension ids, in file order
    periods: list[str]  # normalised (`2024-01`), one per period column
    freqs: list[str]  # A, S, Q, M, W or D for each period column
    raw: list[str]  # the period header cells as published, for error messages


def sniff(head: bytes) -> bool:
    """A Eurostat TSV starts with `dims\\TIME_PERIOD` (or `\\time`) then a tab: nothing else does."""
    first_line = head_text(head).split("\n", 1)[0]
    first_cell, tab, _ = first_line.partition("\t")
    return bool(tab) and _FIRST_CELL.match(first_cell.strip()) is not None


def read(data: bytes, source: str) -> ReadResult:
    """Read a whole TSV into the tidy schema; the TSV does not name its dataset, the build sets it."""
    return ReadResult(frame=tidy.finish(parse(data, source), source, dataset=""), format=FORMAT)


def parse(data: bytes, source: str) -> pd.DataFrame:
    """The raw long frame (geo, breakdowns, period, value, flag) before `tidy.finish`.

    Kept separate from `read` so the benchmark can time parsing and finishing on their own.
    Every series keeps every period cell, `:` included (as a null value), so the row count is
    series x periods and an unpublished figure is never confused with a missing series.
    Rows come period by period (all series for the first period column, then the next): each
    code column is then the file's column of codes repeated, shared rather than copied, and the
    values are the period columns one after another. Sort the frame if you need another order.
    """
    if data[:2] == _GZIP_MAGIC:  # called directly on an API download: unwrap like read_bytes would
        from loaders.formats import unwrap

        data = unwrap(data, source)
    header, body_start = _read_header(data, source)
    table = _parse_body(data, body_start, len(header.raw) + 1, source)
    n_rows = table.num_rows
    n_periods = len(header.periods)
    keys = _split_keys(table.column(0), header.dims, source)
    cells = pa.chunked_array(
        [chunk for j in range(n_periods) for chunk in table.column(j + 1).chunks], pa.string()
    )
    del table  # `cells` holds the same buffers; the key column is no longer needed
    values, flag_pos, flag_txt = _parse_cells(cells, n_rows, header, source)
    del cells
    flag = _flag_column(flag_pos, flag_txt, n_rows, n_periods)

    keep = _check_freq(keys["freq"], header, values, flag, n_rows, source) if "freq" in header.dims else None
    columns: dict[str, pd.Series] = {}
    for dim in ["geo", *(d for d in header.dims if d not in ("geo", "freq"))]:
        columns[dim] = _strings(pa.chunked_array([keys[dim]] * n_periods), keep)
    # Only a day can be `YYYY-MM-01` once normalised: spelt so that tidy.finish does not read a month.
    spelt = [tidy.day_spelling(period) for period in header.periods]
    periods = [pa.repeat(pa.scalar(period, pa.large_string()), n_rows) for period in spelt]
    columns["period"] = _strings(pa.chunked_array(periods, pa.large_string()), keep)
    columns["value"] = pd.Series(values if keep is None else values[keep], dtype="float64", copy=False)
    columns["flag"] = _strings(flag, keep)
    return pd.DataFrame(columns, copy=False)


def _read_header(data: bytes, source: str) -> tuple[_Header, int]:
    """Dimensions and periods from line 1; the offset where the data lines start."""
    end = data.find(b"\n")
    line = data if end < 0 else data[:end]
    try:
        text = line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise LoaderError(source, "header is not UTF-8 text", line=1, expected=_EXPECTED_HEADER) from None
    if not text.strip():
        raise LoaderError(source, "file is empty or has no header line", line=1, expected=_EXPECTED_HEADER)
    cells = text.split("\t")
    match = _FIRST_CELL.match(cells[0].strip())
    if match is None:
        raise LoaderError(
            source, f"not a Eurostat TSV header: {cells[0][:80]!r}", line=1, expected=_EXPECTED_HEADER
        )
    dims = match.group(1).lower().split(",")
    duplicated = sorted({d for d in dims if dims.count(d) > 1})
    if duplicated:
        raise LoaderError(source, f"dimension {duplicated[0]!r} appears twice in the header", line=1)
    if "geo" not in dims:
        raise LoaderError(
            source, f"header has no geo dimension: {cells[0]!r}", line=1, expected="a geo dimension"
        )
    clash = sorted(_RESERVED.intersection(dims))
    if clash:
        raise LoaderError(
            source, f"dimension {clash[0]!r} clashes with a tidy column of the same name", line=1
        )
    if len(cells) < 2:
        raise LoaderError(source, "header has no period columns", line=1, expected=_EXPECTED_HEADER)

    periods, freqs, seen = [], [], {}
    for col, raw in enumerate(cells[1:], start=2):
        try:
            # Eurostat's TSV writes months `2024M01`/`2024-01`: a `YYYY-MM-DD` column is a day.
            period, freq = tidy.normalise_period(tidy.day_spelling(raw.strip()))
        except ValueError as exc:
            reason = str(exc).partition(": ")[2]
            raise LoaderError(
                source,
                f"header cell {col} {raw!r} is not a period" + (f" ({reason})" if reason else ""),
                line=1,
                expected="periods like `2019`, `2021S1`, `2023Q4`, `2024M01`, `2024W05` or `2024-01-15`, "
                f"from {tidy.FIRST_YEAR} to next year",
            ) from None
        if period in seen:
            raise LoaderError(
                source,
                f"duplicate period column: header cells {seen[period]} {cells[seen[period] - 1]!r} and "
                f"{col} {raw!r} are both {period}",
                line=1,
                expected="each period once",
            )
        seen[period] = col
        periods.append(period)
        freqs.append(freq)
    header = _Header(dims=dims, periods=periods, freqs=freqs, raw=cells[1:])
    return header, (len(data) if end < 0 else end + 1)


def _parse_body(data: bytes, start: int, n_columns: int, source: str) -> pa.Table:
    """Split the data lines into string columns with pyarrow (tab-separated, no quoting)."""
    stop = len(data)
    while stop > start and data[stop - 1] in b"\r\n":  # a trailing blank line is not a row
        stop -= 1
    names = [f"c{i}" for i in range(n_columns)]
    if stop <= start:
        return pa.table({name: pa.array([], pa.string()) for name in names})
    body = pa.py_buffer(data).slice(start, stop - start)  # zero-copy view of the data lines
    try:
        return pacsv.read_csv(
            pa.BufferReader(body),
            # Big blocks: fewer chunks for every later kernel to walk, still one block per thread.
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK_SIZE),
            # Blank lines are kept (as rows of empty cells) so that row i stays line i + 2 and the
            # key check below names a blank line instead of silently shifting later line numbers.
            parse_options=pacsv.ParseOptions(
                delimiter="\t", quote_char=False, escape_char=False, ignore_empty_lines=False
            ),
            # `:` (not available) becomes null here, in the parser's threads, for free.
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[":", ": "],
                strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        _raise_for_bad_line(data, n_columns, source)
        raise LoaderError(
            source, f"cannot split the file into cells ({exc})", expected=_EXPECTED_HEADER
        ) from None


def _raise_for_bad_line(data: bytes, n_columns: int, source: str) -> None:
    """After pyarrow refused the body, find the first line with the wrong cell count or bad text."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        if number == 1:
            continue
        line = line.rstrip(b"\r")
        if not line:
            continue  # only trailing blank lines reach here; inner ones parse as empty rows
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise LoaderError(source, "line is not UTF-8 text", line=number) from None
        cells = line.count(b"\t") + 1
        if cells != n_columns:
            raise LoaderError(
                source,
                f"row has {cells} cells, the header has {n_columns}",
                line=number,
                expected=f"{n_columns} tab-separated cells: the series key and one cell per period",
            )


def _split_keys(key: pa.ChunkedArray, dims: list[str], source: str) -> dict[str, pa.Array]:
    """Each dimension's code for every row, checked: right number of codes, none empty, no key twice."""
    key = pc.utf8_trim_whitespace(pc.fill_null(key, ":")).combine_chunks()  # a `:` key is null: name it
    empty = pc.equal(key, "").to_numpy(zero_copy_only=False)
    if empty.any():  # pyarrow reads a blank line as a row of empty cells
        row = int(np.flatnonzero(empty)[0])
        raise LoaderError(source, "blank line or empty series key", line=row + 2, expected=",".join(dims))
    parts = pc.split_pattern(key, ",")
    lengths = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(lengths != len(dims))
    if len(bad):
        row = int(bad[0])
        raise LoaderError(
            source,
            f"series key {key[row].as_py()!r} has {lengths[row]} codes, the header names {len(dims)}",
            line=row + 2,
            expected=",".join(dims),
        )
    out = {}
    for k, dim in enumerate(dims):
        codes = pc.utf8_trim_whitespace(pc.list_element(parts, k))
        empty = pc.equal(pc.binary_length(codes), 0).to_numpy(zero_copy_only=False)
        if empty.any():
            row = int(np.flatnonzero(empty)[0])
            raise LoaderError(
                source,
                f"series key {key[row].as_py()!r} has an empty {dim} code",
                line=row + 2,
                expected=",".join(dims),
            )
        out[dim] = codes.cast(pa.large_string())  # pandas keeps strings as large_string
    if len(key) and pc.count_distinct(key).as_py() != len(key):
        duplicated = pd.Series(key.to_numpy(zero_copy_only=False)).duplicated().to_numpy()
        row = int(np.flatnonzero(duplicated)[0])
        raise LoaderError(
            source,
            f"series key {key[row].as_py()!r} appears twice",
            line=row + 2,
            expected="each series once",
        )
    return out


def _parse_cells(
    cells: pa.ChunkedArray, n_rows: int, header: _Header, source: str
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """All period columns, one after another: float values (NaN for `:`), and where the flags are.

    Returns the values, the (sorted) positions of the cells that have a flag and those flags.
    An Arrow kernel runs on one thread, so the cells are cut into runs of chunks parsed side by
    side, one per core (the kernels release the GIL); runs of bounded size also bound the memory
    that the intermediate copies of the text take.
    """
    values = np.empty(len(cells), dtype=np.float64)
    runs = _runs(cells, _RUN_CELLS)
    threads = min(os.cpu_count() or 1, _MAX_THREADS, len(runs))
    if threads == 1:
        found = [_parse_run(run, start, values, n_rows, header, source) for run, start in runs]
    else:
        with ThreadPoolExecutor(threads) as pool:
            jobs = [
                pool.submit(_parse_run, run, start, values, n_rows, header, source) for run, start in runs
            ]
            # Results in file order, so the error raised is the first one in the file.
            found = [job.result() for job in jobs]
    positions = np.concatenate([pos for pos, _ in found])
    if not len(positions):
        return values, positions, pa.array([], pa.string())
    flagged = pa.chunked_array([text for _, text in found], pa.string()).combine_chunks()
    parts = pc.split_pattern(flagged, " ", max_splits=1)
    number_part = pc.list_element(parts, 0)
    flags = pc.list_element(parts, 1)
    ok = pc.match_substring_regex(flags, _FLAG).to_numpy(zero_copy_only=False)
    ok &= pc.match_substring_regex(number_part, f"{_NUMBER.pattern}|^:$").to_numpy(zero_copy_only=False)
    if not ok.all():
        first = int(np.flatnonzero(~ok)[0])
        column, row = divmod(int(positions[first]), n_rows)
        raise LoaderError(
            source,
            f"malformed cell {flagged[first].as_py()!r} in column {header.raw[column]!r}",
            line=row + 2,
            expected=_EXPECTED_CELL,
        )
    flagged_number = pc.if_else(pc.equal(number_part, ":"), pa.scalar(None, pa.string()), number_part)
    values[positions] = pc.fill_null(pc.cast(flagged_number, pa.float64()), np.nan).to_numpy()
    return values, positions, flags


def _runs(cells: pa.ChunkedArray, size: int) -> list[tuple[pa.ChunkedArray, int]]:
    """Consecutive whole chunks grouped into runs of about `size` cells, each with its first position."""
    runs, group, start, count = [], [], 0, 0
    for chunk in cells.chunks:
        group.append(chunk)
        count += len(chunk)
        if count >= size:
            runs.append((pa.chunked_array(group, pa.string()), start))
            group, start, count = [], start + count, 0
    if group or not runs:
        runs.append((pa.chunked_array(group, pa.string()), start))
    return runs


def _parse_run(
    cells: pa.ChunkedArray, start: int, values: np.ndarray, n_rows: int, header: _Header, source: str
) -> tuple[np.ndarray, pa.ChunkedArray]:
    """Numbers of one run of cells into values[start:]; returns positions and text of its flagged cells.

    `:` cells arrive as nulls from the CSV parser and stay null (NaN); cells with a flag are
    left for the caller, which splits only those few.
    """
    text = pc.ascii_rtrim_whitespace(cells)  # `2577 ` -> `2577`; `: c` keeps its inner space
    with_flag = pc.match_substring(text, " ")  # null for `:` cells
    plain = pc.if_else(with_flag, pa.scalar(None, pa.string()), text)
    try:
        numbers = pc.cast(plain, pa.float64())
        finite = pc.all(pc.is_finite(numbers)).as_py() is not False  # Arrow also reads `nan`, `inf`
    except pa.ArrowInvalid:
        finite = False
    if not finite:
        _raise_for_bad_number(plain, start, n_rows, header, source)
    offset = start
    for chunk in numbers.chunks:
        values[offset : offset + len(chunk)] = chunk.to_numpy(zero_copy_only=False)  # null -> NaN
        offset += len(chunk)
    positions = pc.indices_nonzero(with_flag).to_numpy().astype(np.int64) + start
    return positions, pc.filter(text, with_flag)


def _raise_for_bad_number(
    plain: pa.ChunkedArray, start: int, n_rows: int, header: _Header, source: str
) -> None:
    """Name the first cell (line and column) that is not a plain number; runs only on errors."""
    bad = pc.invert(pc.match_substring_regex(plain, _NUMBER.pattern))  # null (`:`, flagged) is fine
    if pc.any(bad).as_py():
        first = int(pc.indices_nonzero(bad)[0].as_py())
        column, row = divmod(start + first, n_rows)
        cell = plain[first].as_py()
        problem = "empty cell" if cell == "" else f"non-numeric value {cell!r}"
        raise LoaderError(
            source, f"{problem} in column {header.raw[column]!r}", line=row + 2, expected=_EXPECTED_CELL
        )
    raise LoaderError(source, "a cell is not a number", expected=_EXPECTED_CELL)


def _flag_column(positions: np.ndarray, flags: pa.Array, n_rows: int, n_periods: int) -> pa.ChunkedArray:
    """The long flag column, one chunk per period, null where a cell has none.

    Flags are rare: a period without any shares one all-null chunk, the others are taken from
    the few distinct flags, so no per-cell string work is done.
    """
    no_flags = pa.nulls(n_rows, pa.large_string())
    if not len(positions):
        return pa.chunked_array([no_flags] * n_periods, pa.large_string())
    encoded = pc.dictionary_encode(flags)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    dictionary = encoded.dictionary.cast(pa.large_string())
    bounds = np.searchsorted(positions, np.arange(n_periods + 1) * n_rows)
    chunks = []
    for column in range(n_periods):
        lo, hi = bounds[column], bounds[column + 1]
        if lo == hi:
            chunks.append(no_flags)
            continue
        indices = np.full(n_rows, -1, dtype=np.int32)
        indices[positions[lo:hi] - column * n_rows] = codes[lo:hi]
        chunks.append(dictionary.take(pa.array(indices, mask=indices < 0)))
    return pa.chunked_array(chunks, pa.large_string())


def _check_freq(
    row_freq: pa.Array, header: _Header, values: np.ndarray, flag: pa.ChunkedArray, n_rows: int, source: str
) -> np.ndarray | None:
    """The freq dimension must agree with each period's frequency.

    A file that mixes frequencies (annual and quarterly columns) pads the other frequency's
    cells with `:`; those padding cells are no observations and are dropped (returned mask).
    A value or flag where row and column frequencies disagree is an error.
    """
    codes = pc.unique(row_freq).to_pylist()
    if len(codes) == 1 and set(header.freqs) == {codes[0]}:
        return None  # the usual case: one frequency everywhere
    # Compare small integers, not strings: -1 for a freq code no period column has.
    number = {freq: i for i, freq in enumerate(sorted(set(header.freqs)))}
    row_codes = row_freq.to_pylist()
    row_number = np.array([number.get(code, -1) for code in row_codes], dtype=np.int8)
    col_number = np.array([number[freq] for freq in header.freqs], dtype=np.int8)
    mismatch = (col_number[:, None] != row_number[None, :]).reshape(-1)  # period-major, like values
    has_content = ~np.isnan(values) | flag.is_valid().to_numpy(zero_copy_only=False)
    wrong = np.flatnonzero(mismatch & has_content)
    if len(wrong):
        column, row = divmod(int(wrong[0]), n_rows)
        raise LoaderError(
            source,
            f"freq is {row_codes[row]!r} but column {header.raw[column]!r} ({header.periods[column]}) "
            "has a value or flag",
            line=row + 2,
            expected="the freq code of the period's frequency, or ':' in another frequency's column",
        )
    return ~mismatch


def _strings(array: pa.ChunkedArray, keep: np.ndarray | None) -> pd.Series:
    """A pandas string column over Arrow data, without copying it (filtered when rows are dropped)."""
    if keep is not None:
        array = array.filter(pa.array(keep))
    return pd.Series(pd.arrays.ArrowStringArray(array), copy=False)


FORMATS = [(FORMAT, sniff, read)]
