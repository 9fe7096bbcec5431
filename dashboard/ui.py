"""Page furniture shared by every page: a chart with its table, summary and download; tiles; notices;
and the guard that turns an unexpected error into a friendly message instead of a traceback."""

from __future__ import annotations

import logging
import re
import string
import uuid
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import export
from dashboard.data import Snapshot
from dashboard.strings import t

log = logging.getLogger("crossroads.dashboard")

MAX_NOTICES = 3  # warning boxes above a page at most; the rest are counted in the last one
# Every ASCII punctuation character can be backslash-escaped in CommonMark: escaped, none of them starts
# a link, image, heading, HTML tag, autolink, emphasis, math or Streamlit's :color[...] directives.
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")

PLOTLY_CONFIG = {
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
TABLE_COLUMNS = {
    "geo_name": "col.name",
    "period": "col.period",
    "value": "col.value",
    "unit": "col.unit",
    "flag": "col.flag",
    "flag_meaning": "col.flag_meaning",
}


def guarded(render: Callable[[], None]) -> None:
    """Run a page; an unexpected exception is logged with a reference and shown as a short message.

    Streamlit's own control flow (rerun, switch_page, stop) raises BaseException, which passes through.
    """
    try:
        render()
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("page failed (reference %s)", ref)
        st.error(t("error.page", ref=ref))


def literal(text: str) -> str:
    """Text that Streamlit's markdown (st.warning, st.info, st.markdown ...) draws exactly as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def notices(warnings: list[str], infos: list[str] | tuple[str, ...] = ()) -> None:
    """Notices above the page: a link that asked for something unavailable (warning), a view that had to
    fall back (information).

    Warnings quote values from the URL, so every notice is drawn as literal text, never as markdown; at
    most MAX_NOTICES boxes, the last one saying how many more values were ignored.
    """
    unique = list(dict.fromkeys(warnings))  # a run that had to rerun may have noted a link twice
    shown = unique[:MAX_NOTICES]
    for i, message in enumerate(shown):
        if i == len(shown) - 1 and len(unique) > len(shown):
            message += " " + t("url.more", count=len(unique) - len(shown))
        st.warning(literal(message), icon=":material/link_off:")
    for message in infos:
        st.info(literal(message), icon=":material/info:")


def chart(
    fig: go.Figure,
    *,
    title: str,
    summary: str,
    rows: pd.DataFrame,
    snap: Snapshot,
    key: str,
    select: bool = False,
    caption: str | None = None,
) -> dict | None:
    """A titled chart with its one-sentence summary, a "show as table" switch and a CSV download.

    `rows` are the indicator rows the chart shows (indicator, geo, period, value, unit, flag,
    source_dataset); the table and the download are built from them, so they hold the same values.
    `caption`: a line under the chart (or table) that says how to read it.
    Returns the selection event when `select` is set (a click on a bar or a country).
    """
    st.subheader(title, anchor=False)
    st.markdown(summary)

    def table() -> pd.DataFrame:  # built only when asked for: most reruns show the chart, not the table
        return export.table(rows, snap) if "indicator" in rows else rows

    as_table = st.toggle(t("chart.show_table"), key=f"{key}_as_table")
    event = None
    if as_table:
        frame = table()
        if "indicator" in rows:  # indicator rows: the reader's columns, in words
            frame = frame[list(TABLE_COLUMNS)].rename(columns={c: t(k) for c, k in TABLE_COLUMNS.items()})
        st.dataframe(frame, hide_index=True, width="stretch")
    elif select:
        event = st.plotly_chart(
            fig,
            key=key,
            on_select="rerun",
            selection_mode="points",
            config=PLOTLY_CONFIG,
            theme=None,
            width="stretch",
            alt=summary,
        )
    else:
        st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG, theme=None, width="stretch", alt=summary)
    if caption:
        st.caption(caption)
    st.download_button(
        t("chart.download"),
        data=lambda: export.to_csv(table()),
        file_name=f"crossroads_{key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        help=t("chart.download.help"),
        icon=":material/download:",
    )
    return event


def dictionary_download(indicator_ids: list[str], key: str) -> None:
    """The data dictionary (columns and indicators) of what the page shows."""
    st.download_button(
        t("chart.dictionary"),
        data=lambda: export.to_csv(export.dictionary(indicator_ids)),
        file_name=f"crossroads_{key}_dictionary.csv",
        mime="text/csv",
        key=f"{key}_dictionary",
        on_click="ignore",
        icon=":material/menu_book:",
    )


def selected_geo(event: dict | None) -> str | None:
    """The member state code a click selected: a map location or a bar's customdata."""
    if not event:
        return None
    points = (event.get("selection") or {}).get("points") or []
    for point in points:
        code = point.get("location") or point.get("customdata")
        if isinstance(code, list):
            code = code[0] if code else None
        if code:
            return str(code)
    return None
