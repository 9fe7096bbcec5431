"""The shared sidebar and everything a viewer would want to share, kept in the URL.

Widgets are bound to query parameters (`bind="query-params"`, Streamlit 1.67): the URL holds the shown
labels (`?indicator=Asylum+applicants&geo=Germany&geo=Italy&view=Per+capita&years=2015&years=2024`),
defaults stay out of it, and Streamlit drops values that are not options. Streamlit drops them silently,
so before the widgets are drawn the raw query string is checked here and each rejected value becomes a
visible notice. Bound widgets of the entry point survive page switches; page widgets belong to their page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard import data
from dashboard.data import Snapshot
from dashboard.strings import t
from loaders.catalogue import BY_ID, THEMES

VIEWS = ("absolute", "per_capita", "share_eu")
DEFAULT_VIEW = "per_capita"
DEFAULT_INDICATOR = "asylum_applicants"
MAX_STATES = 8


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: the picked indicator, the view and what is actually shown."""

    theme: str
    indicator: str  # picked: an absolute indicator or a rate
    view: str  # wanted: absolute | per_capita | share_eu
    shown: str  # indicator id drawn (the picked one or its per-capita/share variant)
    shown_view: str  # absolute | per_capita | share_eu | rate
    years: tuple[int, int]
    geos: tuple[str, ...]
    notices: tuple[str, ...] = field(default_factory=tuple)


_CARRIED = "_carried_url_notices"  # notices of a run that had to rerun, shown by the rerun


def url_notices() -> list[str]:
    """Notices collected during this run about query-string values that were not usable."""
    return st.session_state.setdefault("_url_notices", [])


def _empty_in_url(key: str) -> bool:
    """`?key=` with no value (every value of the key empty)."""
    values = st.query_params.get_all(key)
    return bool(values) and all(v == "" for v in values)


def _drop_from_url(key: str) -> bool:
    """Take a parameter out of the URL: possible until its widget is bound, on a session's first run.

    False when the widget is bound already (a page switch or history navigation with that URL).
    """
    try:
        del st.query_params[key]
    except StreamlitAPIException:
        return False
    return True


def check_url_options(key: str, valid: Sequence[str], *, empty_ok: bool = False) -> None:
    """Turn every raw `?key=` value that is not one of the valid labels into a notice.

    An empty value (`?key=`) is a notice too, unless `empty_ok`: Streamlit writes one for a multiselect
    whose default is not empty and that the user cleared.
    """
    if _empty_in_url(key):
        if not empty_ok:
            url_notices().append(t("url.empty", what=t(f"url.what.{key}")))
        return
    for value in st.query_params.get_all(key):
        if value and value not in valid:
            url_notices().append(t("url.invalid", what=t(f"url.what.{key}"), value=value))


def check_url_switch(key: str) -> None:
    """A switch in the URL is true or false (any case)."""
    for value in st.query_params.get_all(key):
        if value.lower() not in ("true", "false"):
            url_notices().append(t("url.invalid", what=t(f"url.what.{key}"), value=value))


def check_url_years(key: str, bounds: tuple[int, int]) -> None:
    """A year range from the URL must be two years inside the snapshot, the first not after the second."""
    raw = st.query_params.get_all(key)
    if not raw:
        return
    if _empty_in_url(key):
        url_notices().append(t("url.empty", what=t(f"url.what.{key}")))
        return
    try:
        years = [int(v) for v in raw]
        ok = len(years) == 2 and bounds[0] <= years[0] <= years[1] <= bounds[1]
    except ValueError:
        ok = False
    if not ok:
        url_notices().append(t("url.invalid", what=t("url.what.years"), value="–".join(raw)))


def bound_selectbox(
    label: str,
    options: Sequence[str],
    *,
    key: str,
    format_func: Callable[[str], str],
    index: int = 0,
    container=st,
    **kwargs,
) -> str:
    """A selectbox whose value lives in `?key=`; an unusable URL value becomes a notice."""
    check_url_options(key, [format_func(o) for o in options])
    return container.selectbox(
        label, options, index=index, key=key, bind="query-params", format_func=format_func, **kwargs
    )


def sidebar(snap: Snapshot, *, page: str) -> Selection:
    """Draw the shared controls and return the selection. On Routes the indicator controls rest."""
    st.session_state["_url_notices"] = st.session_state.pop(_CARRIED, [])
    first_run = "indicator" not in st.session_state  # the link decides only on a session's first run
    sb = st.sidebar
    not_for_routes = page == "routes"

    themes = data.picker_themes()
    _theme_from_indicator_link(themes)
    theme = bound_selectbox(
        t("sidebar.theme"), themes, key="theme", format_func=THEMES.get, container=sb, disabled=not_for_routes
    )
    candidates = data.picker_indicators(theme)
    all_labels = [BY_ID[i].label for th in themes for i in data.picker_indicators(th)]
    check_url_options("indicator", all_labels)
    if first_run:
        _check_indicator_in_theme(theme, candidates, all_labels)
    default = candidates.index(DEFAULT_INDICATOR) if DEFAULT_INDICATOR in candidates else 0
    indicator = sb.selectbox(
        t("sidebar.indicator"),
        candidates,
        index=default,
        key="indicator",
        bind="query-params",
        format_func=lambda i: BY_ID[i].label,
        disabled=not_for_routes,
    )

    check_url_options("view", [t(f"view.{v}") for v in VIEWS])
    if st.session_state.pop("_reset_view", False) or (_empty_in_url("view") and not _drop_from_url("view")):
        st.session_state["view"] = DEFAULT_VIEW  # Streamlit takes `view=` out of the URL when it sees this
    view = sb.segmented_control(
        t("sidebar.view"),
        VIEWS,
        default=DEFAULT_VIEW,
        required=True,
        key="view",
        bind="query-params",
        format_func=lambda v: t(f"view.{v}"),
        help=t("sidebar.view.help"),
        disabled=not_for_routes,
    )
    if view is None:
        # `?view=` deselects even a required segmented control (Streamlit 1.67 seeds every button group
        # from an empty URL value). Rerun with the default set, so the control shows what the page shows;
        # the notices collected so far travel with the rerun.
        st.session_state["_reset_view"] = True
        st.session_state[_CARRIED] = list(url_notices())
        st.rerun()

    first, last = snap.year_range
    check_url_years("years", (first, last))
    years = sb.slider(
        t("sidebar.years"), first, last, (first, last), step=1, key="years", bind="query-params"
    )

    check_url_options("geo", [snap.name(g) for g in snap.member_states])
    _check_geo_count([snap.name(g) for g in snap.member_states])
    geos = sb.multiselect(
        t("sidebar.geo"),
        snap.member_states,
        key="geo",
        bind="query-params",
        format_func=snap.name,
        max_selections=MAX_STATES,
        placeholder=t("sidebar.geo.placeholder"),
        help=t("sidebar.geo.help"),
        disabled=not_for_routes,
    )
    built = snap.manifest.get("built_at", "?")[:10]
    sb.caption(t("sidebar.snapshot", built=built))

    view = view or DEFAULT_VIEW
    shown, shown_view = data.resolve_view(indicator, view)
    notices = []
    if shown_view not in (view, "rate"):
        notices.append(
            t(
                "view.fallback",
                indicator=BY_ID[indicator].label,
                view=t(f"view.{view}").lower(),
                shown=t(f"view.{shown_view}").lower(),
            )
        )
    return Selection(
        theme=theme,
        indicator=indicator,
        view=view,
        shown=shown,
        shown_view=shown_view,
        years=(int(years[0]), int(years[1])),
        geos=tuple(geos),
        notices=tuple(notices),
    )


def _theme_from_indicator_link(themes: list[str]) -> None:
    """A link may name an indicator without its theme: on a session's first run, take the theme from it."""
    if "theme" in st.session_state:
        return
    wanted = st.query_params.get("indicator")
    for theme in themes:
        for ind in data.picker_indicators(theme):
            if BY_ID[ind].label == wanted and st.query_params.get("theme") != THEMES[theme]:
                st.session_state["theme"] = theme
                return


def _check_indicator_in_theme(theme: str, candidates: list[str], all_labels: list[str]) -> None:
    """A link whose indicator exists, but under another theme than the link's: the theme wins, say so."""
    wanted = st.query_params.get_all("indicator")
    if len(wanted) != 1 or wanted[0] not in all_labels:
        return  # absent, empty or unknown: check_url_options has spoken
    if wanted[0] in {BY_ID[i].label for i in candidates}:
        return
    default = DEFAULT_INDICATOR if DEFAULT_INDICATOR in candidates else candidates[0]
    url_notices().append(
        t("url.other_theme", value=wanted[0], theme=THEMES[theme], shown=BY_ID[default].label)
    )


def _check_geo_count(valid: Sequence[str]) -> None:
    """More member states than the multiselect takes: Streamlit keeps the first MAX_STATES, say so."""
    named = list(dict.fromkeys(v for v in st.query_params.get_all("geo") if v in valid))
    if len(named) > MAX_STATES:
        url_notices().append(
            t(
                "url.too_many_geo",
                count=len(named),
                max=MAX_STATES,
                dropped=", ".join(named[MAX_STATES:]),
            )
        )
