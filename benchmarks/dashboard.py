"""Dashboard benchmark: prints figures, asserts nothing.

    python benchmarks/dashboard.py [--sessions 30] [--reruns 30]

1. Server start to the first full render of the overview in chromium (cold server), then the overview
   rendered from a warm server, in a fresh browser profile and with the browser's cache warm.
2. Server time of a rerun for each page, p50 and p95 (AppTest; the app records its own run time).
3. Server memory (RSS) with 1 and with N sessions open in chromium, and the growth per session.

Targets on the project's 2-core machine: p95 rerun < 150 ms per page, overview rendered < 3 s from a
warm server, memory growth < 2 MB per session. Other work on the machine shows up in the figures: run
it on a quiet machine, and read the p50 next to the p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server, wait_healthy  # noqa: E402

PAGES = ("overview", "profile", "compare", "routes", "about")
RENDERED = (
    'document.querySelector(\'[data-testid="stApp"][data-test-script-state="notRunning"]\') !== null'
    " && document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3"
    " && document.querySelector('canvas.maplibregl-canvas') !== null"
)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def render_overview(browser, url: str, context=None) -> float:
    """Seconds from navigation to the overview's map, ranking and trend drawn."""
    own = context is None
    context = context or browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(RENDERED, timeout=60_000)
    elapsed = time.perf_counter() - started
    page.close()
    if own:
        context.close()
    return elapsed


def browser_figures(data_dir: Path, sessions: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        started = time.perf_counter()
        server = start_server(data_dir, port)
        try:
            wait_healthy(url.rstrip("/"), server)
            healthy = time.perf_counter() - started
            first = render_overview(browser, url)
            print(f"server start to health check:            {healthy:6.2f} s")
            print(f"server start to overview rendered:       {time.perf_counter() - started:6.2f} s")
            print(f"  of which the first render:             {first:6.2f} s")

            fresh = [render_overview(browser, url) for _ in range(5)]
            cached_context = browser.new_context(viewport={"width": 1400, "height": 900})
            render_overview(browser, url, cached_context)
            cached = [render_overview(browser, url, cached_context) for _ in range(5)]
            cached_context.close()
            for label, times in (("new browser", fresh), ("browser cache", cached)):
                label = f"overview, warm server, {label}:"
                print(f"{label:<41}p50 {statistics.median(times):.2f} s, max {max(times):.2f} s")

            contexts = []

            def open_session() -> None:
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto(url)
                page.wait_for_function(RENDERED, timeout=120_000)
                contexts.append(context)

            open_session()
            time.sleep(2)
            one = rss_mb(server.pid)
            while len(contexts) < sessions:
                open_session()
            time.sleep(3)
            many = rss_mb(server.pid)
            print(f"server RSS, 1 session:                   {one:7.1f} MB")
            print(f"server RSS, {sessions} sessions:                  {many:7.1f} MB")
            print(f"growth per extra session:                {(many - one) / max(1, sessions - 1):7.2f} MB")
            for context in contexts:
                context.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            browser.close()


def rerun_figures(data_dir: Path, reruns: int) -> None:
    """p50/p95 of the app's own run time (recorded in session state) over repeated reruns per page."""
    os.environ["CROSSROADS_DATA_DIR"] = str(data_dir)
    from streamlit.testing.v1 import AppTest

    app = str(ROOT / "dashboard" / "app.py")
    for page in PAGES:
        at = AppTest.from_file(app, default_timeout=60).run()
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        at.run()  # warm: caches filled, modules imported
        times = []
        for _ in range(reruns):
            at.run()
            times.append(at.session_state["_run_ms"])
        print(
            f"rerun {page:<9} p50 {statistics.median(times):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms"
            f"   ({reruns} reruns)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--reruns", type=int, default=30)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("CROSSROADS_DATA_DIR", ROOT / "data"))
    )
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    print(f"data: {args.data_dir}   cpus: {os.cpu_count()}   load average: {os.getloadavg()[0]:.2f}")
    rerun_figures(args.data_dir, args.reruns)
    if args.skip_browser:
        return
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: browser figures skipped")
        return
    browser_figures(args.data_dir, args.sessions)


if __name__ == "__main__":
    main()
