"""Command line: `python -m loaders build | read | update` (update: see loaders/update.py).

Errors are printed as one plain sentence naming the file and the problem, with exit status 1;
never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from loaders.errors import LoaderError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "data"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"


def _cmd_build(args: argparse.Namespace) -> int:
    from loaders.build import build

    builds = build(Path(args.source_dir), Path(args.data_dir), progress=not args.quiet)
    rows = [
        {
            "dataset": b.dataset.id,
            "rows": len(b.frame),
            "first": b.frame["period"].min(),
            "last": b.frame["period"].max(),
            "last update": b.last_update or "-",
        }
        for b in builds
    ]
    print(pd.DataFrame(rows).to_string(index=False))
    print(f"\nSnapshot written to {args.data_dir}")
    return 0


def _cmd_read(args: argparse.Namespace) -> int:
    from loaders.formats import read_path

    result = read_path(args.path)
    frame = result.frame
    if args.csv:
        frame.to_csv(sys.stdout, index=False)
        return 0
    updated = result.last_update or "-"
    print(f"format: {result.format}  dataset: {result.dataset or '-'}  last update: {updated}")
    print(f"rows: {len(frame)}")
    with pd.option_context("display.max_columns", None, "display.width", 200):
        print(frame.head(args.limit).to_string(index=False) if args.limit else frame.to_string(index=False))
    return 0


def _cmd_update(args: argparse.Namespace) -> int:
    from loaders.fetch import HttpClient
    from loaders.sources import Endpoints
    from loaders.update import UpdateOptions, update

    endpoints = Endpoints.from_env(
        eurostat=args.eurostat_base,
        gisco=args.gisco_base,
        unhcr=args.unhcr_base,
        iom_url=args.iom_url,
        frontex_url=args.frontex_url,
        frontex_file=args.frontex_file,
    )
    options = UpdateOptions(
        data_dir=Path(args.data_dir),
        datasets=args.datasets,
        force=args.force,
        dry_run=args.dry_run,
        endpoints=endpoints,
        progress=not args.quiet,
    )
    client = HttpClient(read_timeout=args.timeout, max_attempts=args.retries, progress=not args.quiet)
    report = update(options, client)
    return 0 if report.ok else 1


def parser() -> argparse.ArgumentParser:
    """The CLI's arguments (kept in a function so the docs test can list them)."""
    p = argparse.ArgumentParser(prog="python -m loaders", description="Crossroads data loaders")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build data/ from local publisher files")
    b.add_argument(
        "--source-dir", default=str(DEFAULT_SOURCE), help="folder of publisher files (../shared/data)"
    )
    b.add_argument("--data-dir", default=str(DEFAULT_DATA), help="snapshot folder to write (data/)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(run=_cmd_build)
    r = sub.add_parser("read", help="print the tidy rows of any supported file (format detected)")
    r.add_argument("path")
    r.add_argument("--csv", action="store_true", help="all rows as CSV on standard output")
    r.add_argument("--limit", type=int, default=40, help="rows to print (0 = all); ignored with --csv")
    r.set_defaults(run=_cmd_read)
    u = sub.add_parser(
        "update",
        help="download what the publishers changed since the snapshot, then rebuild data/ (safely)",
        description="Publisher addresses default to the real APIs; environment variables "
        "EUROSTAT_API_BASE, GISCO_API_BASE, UNHCR_API_BASE, IOM_MMP_URL and FRONTEX_URL replace them, "
        "and the options below replace those.",
    )
    u.add_argument("datasets", nargs="*", metavar="DATASET", help="registry ids to update (default: all)")
    u.add_argument(
        "--force", action="store_true", help="download even when the catalogue says nothing changed"
    )
    u.add_argument(
        "--dry-run", action="store_true", help="print what would be downloaded; fetch only the catalogue"
    )
    u.add_argument("--data-dir", default=str(DEFAULT_DATA), help="snapshot folder to update (data/)")
    u.add_argument("--eurostat-base", help="Eurostat API base (env EUROSTAT_API_BASE)")
    u.add_argument("--gisco-base", help="GISCO distribution base (env GISCO_API_BASE)")
    u.add_argument("--unhcr-base", help="UNHCR population API base (env UNHCR_API_BASE)")
    u.add_argument("--iom-url", help="IOM Missing Migrants CSV address (env IOM_MMP_URL)")
    frontex = u.add_mutually_exclusive_group()
    frontex.add_argument("--frontex-file", help="Frontex monthly file downloaded by hand")
    frontex.add_argument("--frontex-url", help="current address of Frontex's monthly file (env FRONTEX_URL)")
    u.add_argument("--timeout", type=float, default=120.0, help="read timeout per request, seconds")
    u.add_argument("--retries", type=int, default=5, help="attempts per request (429, 5xx, network errors)")
    u.add_argument("--quiet", action="store_true", help="no progress bars")
    u.set_defaults(run=_cmd_update)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except LoaderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
