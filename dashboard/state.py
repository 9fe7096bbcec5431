"""The shared sidebar and everything a viewer would want to share, kept in the URL.

Widgets are bound to query parameters (`bind="query-params"`, Streamlit 1.67): the URL holds the shown
labels (`?indicator=Asylum+applicants&geo=Germany&geo=Italy&view=Per+capita&years=2015&years=2024`),
defaults stay out of it, and Streamlit drops values that are not options. Streamlit drops them silently,
so before the widgets are drawn the raw query string is checked here and each rejected value becomes a
visible notice. Bound widgets of the entry point survive page switches; page widgets belong to their page.
"""

from __future__ import annotations

import unicodedata
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
MAX_QUOTED = 60  # characters of a rejected URL value quoted back in a notice
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}  # control, format (bidi, zero-width), separators


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


def quoted(value: str) -> str:
    """A value from the URL as a notice may quote it: control and invisible characters removed, cut to
    MAX_QUOTED characters with an ellipsis. Markdown is escaped when the notice is drawn (ui.notices)."""
    visible = "".join(c for c in value if unicodedata.category(c) not in _INVISIBLE)
    return visible if len(visible) <= MAX_QUOTED else visible[: MAX_QUOTED - 1] + "…"


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


_WRITTEN = "_url_written"  # keys this run wrote to the URL itself (see write_url, tidy_url)
OWN_URL_KEYS = ("indicator", "period")  # choices kept in the URL by the app, not by Streamlit


def write_url(key: str, value: str | None, default: str | None) -> None:
    """Keep a choice in the URL that is not bound to a widget; the default stays out of it."""
    st.session_state.setdefault(_WRITTEN, set()).add(key)
    if value is None or value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get_all(key) != [value]:
        st.query_params[key] = value


def tidy_url() -> None:
    """At the end of a run: take out of the URL what this run did not write (another page's choice)."""
    written = st.session_state.pop(_WRITTEN, set())
    for key in OWN_URL_KEYS:
        if key not in written and key in st.query_params:
            del st.query_params[key]


def keep_valid(key: str, options: Sequence, default: object) -> None:
    """A bound widget whose options depend on another choice: when its value is no longer an option,
    set the default by hand. Streamlit would reset it too, but leave the old value in the URL."""
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = default


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
            url_notices().append(t("url.invalid", what=t(f"url.what.{key}"), value=quoted(value)))


def check_url_switch(key: str) -> None:
    """A switch in the URL is true or false (any case)."""
    for value in st.query_params.get_all(key):
        if value.lower() not in ("true", "false"):
            url_notices().append(t("url.invalid", what=t(f"url.what.{key}"), value=quoted(value)))


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
        url_notices().append(t("url.invalid", what=t("url.what.years"), value=quoted("–".join(raw))))


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
    st.session_state[_WRITTEN] = set()
    first_run = "indicator" not in st.session_state  # the link decides only on a session's first run
    sb = st.sidebar
    not_for_routes = page == "routes"

    themes = data.picker_themes()
    _theme_from_indicator_link(themes)
    theme = bound_selectbox(
        t("sidebar.theme"), themes, key="theme", format_func=THEMES.get, container=sb, disabled=not_for_routes
    )
    candidates = data.picker_indicators(theme)
    default = DEFAULT_INDICATOR if DEFAULT_INDICATOR in candidates else candidates[0]
    all_ids = [i for th in themes for i in data.picker_indicators(th)]
    if first_run:
        # `?indicator=recognition_rate`; the label (`?indicator=Recognition+rate...`) of older links too
        check_url_options("indicator", [*all_ids, *(BY_ID[i].label for i in all_ids)])
        wanted = indicator_from_url(all_ids)
        if wanted in candidates:
            st.session_state["indicator"] = wanted
        elif wanted:
            _note_other_theme(wanted, theme, default)
    keep_valid("indicator", candidates, default)
    # Not bound to the URL: its options change with the theme, and Streamlit leaves a value it resets in
    # the URL. The URL is written here instead, with the indicator's id.
    indicator = sb.selectbox(
        t("sidebar.indicator"),
        candidates,
        key="indicator",
        format_func=lambda i: BY_ID[i].label,
        disabled=not_for_routes,
    )
    write_url("indicator", indicator, default)

    check_url_options("view", [t(f"view.{v}") for v in VIEWS])
    if st.session_state.pop("_reset_view", False) or (_empty_in_url("view") and not _drop_from_url("view")):
        st.session_state["view"] = DEFAULT_VIEW  # Streamlit takes `view=` out of the URL when it sees this
    if BY_ID[indicator].variant == "rate" and page != "routes":
        # A rate has no absolute, per-capita or share view: no control that would claim one. The
        # viewer's choice stays in the session (and the URL) for the next count indicator.
        sb.caption(t("sidebar.view.rate", unit=BY_ID[indicator].unit))
        view = st.session_state.get("view") or DEFAULT_VIEW
    else:
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
    if len(geos) == MAX_STATES:  # "select all" (or an eighth pick) stops here: say that others were left out
        sb.caption(t("sidebar.geo.full", max=MAX_STATES))
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


def indicator_from_url(ids: Sequence[str]) -> str | None:
    """The indicator id a link names, by id or by label (None when absent or unknown)."""
    by_label = {BY_ID[i].label: i for i in ids}
    values = st.query_params.get_all("indicator")
    if len(values) != 1:
        return None
    return values[0] if values[0] in ids else by_label.get(values[0])


def _theme_from_indicator_link(themes: list[str]) -> None:
    """A link may name an indicator without its theme: on a session's first run, take the theme from it."""
    if "theme" in st.session_state or st.query_params.get_all("theme"):
        return
    wanted = indicator_from_url([i for th in themes for i in data.picker_indicators(th)])
    if wanted:
        st.session_state["theme"] = BY_ID[wanted].theme


def _note_other_theme(wanted: str, theme: str, shown: str) -> None:
    """A link whose indicator exists, but under another theme than the link's: the theme wins, say so."""
    url_notices().append(
        t("url.other_theme", value=BY_ID[wanted].label, theme=THEMES[theme], shown=BY_ID[shown].label)
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
