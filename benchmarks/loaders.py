"""Benchmark: our Eurostat TSV reader against a plain pandas read and the `eurostat` package's parser.

The live API returns multi-million-row TSVs, so this builds one in a temporary folder, in the
API's layout (7 dimensions `freq,unit,citizen,sex,age,asyl_app,geo\\TIME_PERIOD`, 200 monthly
periods, CRLF line ends, gzip), by repeating and varying the real rows of
../shared/data/eurostat/tsv/migr_dubri.tsv: codes varied, values scaled per series and month,
about 30% `:` cells and some flagged cells (`: c`, `: z`, `123 p`, `45 e`, `6 b`).

Each parser runs in its own subprocess so that its peak resident memory (ru_maxrss, which also
sees pyarrow's allocations) is its own. Prints seconds, observations per second, peak memory,
the output frame's size and the number of non-null observations, which must agree.

    python benchmarks/loaders.py              # about 150,000 rows x 200 periods = 30 M cells
    python benchmarks/loaders.py --rows 5000  # a quick run
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from itertools import product
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CROSSROADS_SHARED_DATA", ROOT.parent / "shared" / "data"))
SOURCE = SHARED_DATA / "eurostat" / "tsv" / "migr_dubri.tsv"
DIMENSIONS = "freq,unit,citizen,sex,age,asyl_app,geo\\TIME_PERIOD"
N_PERIODS = 200
SEXES = ["F", "M", "T", "UNK"]
AGES = ["TOTAL", "Y_LT14", "Y14-17", "Y18-34", "Y35-64", "Y_GE65", "UNK"]
APPLICANTS = ["ASY_APP", "NASY_APP"]
# Share of cells turned into each special form (on top of the `:` cells of the real file).
SPECIAL = [(": c", 0.010), (": z", 0.002), ("p", 0.020), ("e", 0.010), ("b", 0.005)]
MISSING_SHARE = 0.30
COLUMNS = ("parser", "seconds", "obs/s", "peak RSS MB", "+start MB", "frame MB")


def _real_rows() -> tuple[list[str], np.ndarray]:
    """geo codes and annual values (NaN for `:`) of the real migr_dubri TSV."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()[1:]
    geos, values = [], []
    for line in lines:
        cells = line.split("\t")
        geos.append(cells[0].split(",")[-1])
        values.append([np.nan if c.strip() == ":" else float(c.split()[0]) for c in cells[1:]])
    return geos, np.array(values)


def _citizens(needed: int, geos: list[str]) -> list[str]:
    """Real codes first (with `NA`, Namibia, the code pandas loves to turn into a missing value)."""
    codes = [g for g in geos if len(g) == 2] + ["NA", "AF", "SY", "IQ", "UA", "VE", "CO", "TR"]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes += [a + b for a, b in product(letters, letters) if a + b not in codes]
    return list(dict.fromkeys(codes))[:needed]


def build_tsv(n_rows: int, folder: Path, seed: int = 2025) -> tuple[Path, Path]:
    """Write the big TSV (plain and gzip) and return both paths."""
    geos, annual = _real_rows()
    per_citizen = len(SEXES) * len(AGES) * len(APPLICANTS) * len(geos)
    citizens = _citizens(-(-n_rows // per_citizen), geos)
    rows = np.arange(n_rows)
    geo_i = rows % len(geos)
    rest = rows // len(geos)
    app_i, rest = rest % len(APPLICANTS), rest // len(APPLICANTS)
    age_i, rest = rest % len(AGES), rest // len(AGES)
    sex_i, cit_i = rest % len(SEXES), rest // len(SEXES)

    def codes(names: list[str], index: np.ndarray) -> pa.Array:
        return pa.array(names).take(pa.array(index))

    key = pc.binary_join_element_wise(
        "M",
        "PER",
        codes(citizens, cit_i),
        codes(SEXES, sex_i),
        codes(AGES, age_i),
        codes(APPLICANTS, app_i),
        codes(geos, geo_i),
        ",",
    )
    # Monthly values: the real annual figure of the row's country, a year cycling through the
    # file's ten years, spread over 12 months, scaled per series and jittered per month.
    rng = np.random.default_rng(seed)
    year = (np.arange(N_PERIODS) // 12) % annual.shape[1]
    base = annual[geo_i][:, year] / 12
    scale = rng.uniform(0.01, 1.0, size=(n_rows, 1))
    jitter = rng.uniform(0.7, 1.3, size=(n_rows, N_PERIODS))
    values = np.rint(base * scale * jitter)
    draw = rng.random((n_rows, N_PERIODS))
    real_missing = np.isnan(values)
    extra = max(0.0, (MISSING_SHARE - real_missing.mean()) / (1 - real_missing.mean()))
    missing = real_missing | (draw < extra)
    flag = np.full((n_rows, N_PERIODS), "", dtype=object)
    low = extra
    for text, share in SPECIAL:
        hit = (draw >= low) & (draw < low + share)
        low += share
        if text.startswith(":"):
            missing |= hit
            flag[hit] = text[2:]
        else:
            flag[hit & ~missing] = text
    number = np.where(missing, 0, values).astype(np.int64)

    columns = [key]
    periods = [f"{2008 + m // 12}M{m % 12 + 1:02d} " for m in range(N_PERIODS)]
    for j in range(N_PERIODS):
        text = pc.if_else(pa.array(missing[:, j]), ":", pc.cast(pa.array(number[:, j]), pa.string()))
        columns.append(pc.binary_join_element_wise(text, pa.array(flag[:, j], pa.string()), " "))
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])

    plain = folder / "big.tsv"
    with plain.open("wb") as fh:
        fh.write(("\t".join([DIMENSIONS, *periods]) + "\r\n").encode())
    with pa.OSFile(str(plain), "ab") as sink:
        options = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none", eol="\r\n")
        pacsv.write_csv(table, sink, write_options=options)
    packed = folder / "big.tsv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=6))
    return plain, packed


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB


def _frame_mb(frame: object) -> float:
    """Memory a frame holds: Arrow buffers counted once even when columns share them.

    pandas' memory_usage(deep=True) counts a buffer once per chunk that points at it, and our
    reader's code columns are one Arrow array repeated per period, so it overstates them.
    """
    buffers: dict[int, int] = {}
    other = 0
    for name in frame.columns:
        array = frame[name].array
        if hasattr(array, "__arrow_array__"):
            for chunk in array.__arrow_array__().chunks:
                for buf in chunk.buffers():
                    if buf is not None:
                        buffers[buf.address] = buf.size
        else:
            other += frame[name].memory_usage(deep=True, index=False)
    return (other + sum(buffers.values())) / 2**20


def _worker_ours(path: Path) -> dict:
    """loaders.formats.eurostat_tsv.read, in its two halves: the reader's parse, then tidy.finish."""
    from loaders import tidy
    from loaders.formats import eurostat_tsv, unwrap

    start_rss = _rss_mb()
    t0 = time.perf_counter()
    data = unwrap(path.read_bytes(), str(path))
    t1 = time.perf_counter()
    raw = eurostat_tsv.parse(data, str(path))
    t2 = time.perf_counter()
    parse_rss = _rss_mb()
    frame = tidy.finish(raw, str(path), dataset="")
    t3 = time.perf_counter()
    del raw, data
    return {
        "seconds": t3 - t0,
        "parts": {"read+gunzip": t1 - t0, "parse": t2 - t1, "tidy.finish": t3 - t2},
        "parse_peak_mb": parse_rss - start_rss,
        "observations": len(frame),
        "non_null": int(frame["value"].notna().sum()),
        "frame_mb": _frame_mb(frame),
        "start_rss_mb": start_rss,
    }


def _worker_pandas(path: Path) -> dict:
    """What one would write without thinking about speed: read_csv, split the key, melt, split cells."""
    import pandas as pd

    start_rss = _rss_mb()
    t0 = time.perf_counter()
    wide = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    key = wide.columns[0]
    dims = key.split("\\")[0].split(",")
    keys = wide.pop(key).str.split(",", expand=True)
    keys.columns = dims
    wide = pd.concat([keys, wide], axis=1)
    frame = wide.melt(id_vars=dims, var_name="period", value_name="cell")
    parts = frame.pop("cell").str.strip().str.split(" ", n=1, expand=True)
    frame["value"] = pd.to_numeric(parts[0].mask(parts[0] == ":"), errors="raise")
    frame["flag"] = parts[1]
    frame["period"] = frame["period"].str.strip()
    t1 = time.perf_counter()
    return {
        "seconds": t1 - t0,
        "observations": len(frame),
        "non_null": int(frame["value"].notna().sum()),
        "frame_mb": _frame_mb(frame),
        "start_rss_mb": start_rss,
    }


def _worker_eurostat(path: Path) -> dict:
    """The `eurostat` package's own TSV parser (inline in eurostat.get_data), fed the local file.

    get_data downloads `format=TSV&compressed=true` and parses the gzip bytes line by line. We
    replace its two network helpers (dimension lookup, HTTP request) with the local file, so
    exactly its parsing code runs, and call get_data_df as a user would.
    """
    from types import SimpleNamespace

    import eurostat.eurostat as es

    start_rss = _rss_mb()
    t0 = time.perf_counter()
    content = path.read_bytes()
    es.__get_dims_info__ = lambda code, **kwargs: ("ESTAT", "EUROSTAT", [])
    es.__get_resp__ = lambda url, **kwargs: SimpleNamespace(content=content)
    wide = es.get_data_df("bench", flags=False)
    t1 = time.perf_counter()
    n_dims = DIMENSIONS.count(",") + 1
    cells = wide.iloc[:, n_dims:]
    return {
        "seconds": t1 - t0,
        "observations": int(cells.size),
        "non_null": int(cells.notna().sum().sum()),
        "frame_mb": _frame_mb(wide),
        "start_rss_mb": start_rss,
        "note": "wide frame, no flags (flags=True doubles the columns)",
    }


WORKERS = {"ours": _worker_ours, "pandas": _worker_pandas, "eurostat": _worker_eurostat}


def _run(worker: str, path: Path) -> dict:
    """One parser in a fresh interpreter, so ru_maxrss is that parser's peak alone."""
    cmd = [sys.executable, __file__, "--worker", worker, str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _import_path() -> None:
    """This script is called loaders.py: keep its folder off sys.path so `loaders` is the package."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(ROOT))


def main() -> None:
    _import_path()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=150_000, help="series (lines) in the TSV")
    parser.add_argument("--worker", choices=[*sorted(WORKERS), "build"], help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "build":
        build_tsv(args.rows, args.path)
        return
    if args.worker:
        result = WORKERS[args.worker](args.path)
        result["peak_rss_mb"] = _rss_mb()
        print(json.dumps(result))
        return

    if not SOURCE.exists():
        sys.exit(f"{SOURCE} not found: the benchmark varies its real rows (set CROSSROADS_SHARED_DATA)")
    with tempfile.TemporaryDirectory(prefix="crossroads-bench-") as tmp:
        t0 = time.perf_counter()
        # Built in a subprocess too: a child's ru_maxrss starts at its parent's size when forked,
        # so this process must stay small for the parsers' peaks to be their own.
        cmd = [sys.executable, __file__, "--worker", "build", "--rows", str(args.rows), tmp]
        subprocess.run(cmd, check=True, cwd=ROOT)
        plain, packed = Path(tmp) / "big.tsv", Path(tmp) / "big.tsv.gz"
        print(
            f"TSV: {args.rows:,} series x {N_PERIODS} monthly periods = {args.rows * N_PERIODS:,} cells; "
            f"{plain.stat().st_size / 2**20:,.0f} MB plain, {packed.stat().st_size / 2**20:,.0f} MB gzip "
            f"(built in {time.perf_counter() - t0:.1f} s)\n"
        )
        runs = [
            ("ours (eurostat_tsv, gzip)", "ours", packed),
            ("ours (eurostat_tsv, plain)", "ours", plain),
            ("pandas read_csv + melt (gzip)", "pandas", packed),
            ("eurostat 1.1.1 get_data_df (gzip)", "eurostat", packed),
        ]
        results = {}
        print("{:36} {:>8} {:>12} {:>12} {:>10} {:>9}".format(*COLUMNS))
        for label, worker, path in runs:
            res = results[label] = _run(worker, path)
            if "error" in res:
                print(f"{label:36} FAILED: {res['error']}")
                continue
            print(
                f"{label:36} {res['seconds']:8.2f} {res['observations'] / res['seconds']:12,.0f} "
                f"{res['peak_rss_mb']:12,.0f} {res['peak_rss_mb'] - res['start_rss_mb']:10,.0f} "
                f"{res['frame_mb']:9,.0f}"
            )
        print("\n(+start MB: peak resident memory above the interpreter's size after imports)")
        for label, res in results.items():
            if "parts" in res:
                parts = ", ".join(f"{k} {v:.2f} s" for k, v in res["parts"].items())
                print(f"{label}: {parts}; parse alone peaked {res['parse_peak_mb']:,.0f} MB above start")
        print()
        for label, res in results.items():
            if "error" not in res:
                print(f"{label:36} observations {res['observations']:>12,}  non-null {res['non_null']:>12,}")
        non_null = {res["non_null"] for res in results.values() if "error" not in res}
        print("non-null observations agree" if len(non_null) == 1 else "NON-NULL COUNTS DIFFER")
        ours = results[runs[0][0]]
        theirs = results[runs[-1][0]]
        if "error" not in ours and "error" not in theirs:
            parse = ours["parts"]["read+gunzip"] + ours["parts"]["parse"]
            print(
                "speed-up over the eurostat package (both from gzip): "
                f"{theirs['seconds'] / ours['seconds']:.1f}x "
                f"with tidy.finish, {theirs['seconds'] / parse:.1f}x for the reader's own parse; "
                f"our peak above start / our frame: "
                f"{(ours['peak_rss_mb'] - ours['start_rss_mb']) / ours['frame_mb']:.2f}"
            )


if __name__ == "__main__":
    main()
