"""Crossroads dashboard: entry point and router.

Run from the repository root: `streamlit run dashboard/app.py`. This file sets the page, loads the
snapshot (or explains how to build it), draws the shared sidebar and runs the chosen page inside a
guard, so a failure shows a short message, never a traceback.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path; the packages live at the repository root.
ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import streamlit as st  # noqa: E402

from dashboard import data, settings, state, ui  # noqa: E402
from dashboard.context import PageContext, set_current  # noqa: E402
from dashboard.strings import t  # noqa: E402

FAVICON = "🧭"
PAGES = (
    # file, url path, title key, icon
    ("views/overview.py", "overview", "nav.overview", ":material/public:"),
    ("views/profile.py", "profile", "nav.profile", ":material/flag:"),
    ("views/compare.py", "compare", "nav.compare", ":material/compare_arrows:"),
    ("views/routes.py", "routes", "nav.routes", ":material/route:"),
    ("views/about.py", "about", "nav.about", ":material/info:"),
)


def main() -> None:
    settings.apply()  # the repository's settings, also when the server was started from elsewhere
    st.set_page_config(page_title=t("app.title"), page_icon=FAVICON, layout="wide")
    try:
        snap = data.snapshot()
    except data.SnapshotMissing as missing:
        st.title(t("app.title"), anchor=False)
        st.error(t("data.missing.title"))
        st.markdown(t("data.missing.body", file=missing.file, reason=missing.reason))
        return

    pages = {
        url_path: st.Page(file, title=t(title), url_path=url_path, icon=icon, default=url_path == "overview")
        for file, url_path, title, icon in PAGES
    }
    chosen = st.navigation(list(pages.values()))
    # Again after st.navigation, which would make the page's material icon the favicon: the browser
    # fetches those from a font CDN, an emoji is drawn locally.
    st.set_page_config(page_icon=FAVICON)
    ctx = PageContext(snap, pages=pages)
    page_name = next((name for name, page in pages.items() if page == chosen), "overview")

    def sidebar() -> None:
        ctx.selection = state.sidebar(snap, page=page_name)

    ui.guarded(sidebar)
    if ctx.selection is None:
        return
    set_current(ctx)
    notice_area = st.container()  # above the page; filled after it, when the page's own links are checked
    ui.guarded(chosen.run)
    with notice_area:
        ui.notices(state.url_notices(), ctx.selection.notices)
    state.tidy_url()


started = time.perf_counter()
main()
# Server time of this run, read by benchmarks/dashboard.py (through AppTest's session state).
st.session_state["_run_ms"] = (time.perf_counter() - started) * 1000
