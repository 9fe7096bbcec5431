"""Property-based tests of every query parameter a page reads: whatever a link carries (markdown, HTML,
control characters, very long or many repeated values), the page runs, shows the value only as literal
text and draws at most ui.MAX_NOTICES notices.

AppTest keeps the markdown source of each element; `_constructs` finds in that source what Streamlit's
markdown would draw as a link, image, heading, HTML tag or autolink (backslash-escaped characters are
literal). A page may have such constructs of its own (the baseline of a clean run); the URL adds none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import data, state, ui
from dashboard.strings import t
from loaders.catalogue import BY_ID, THEMES
from tests.dashboard.conftest import APP, REAL_DATA

# CI (CROSSROADS_REQUIRE_SHARED=1, see .ci/run) runs 200 examples per parameter, about six minutes;
# a developer's run 25, so the README's test command stays quick. CROSSROADS_FUZZ_EXAMPLES overrides.
EXAMPLES = int(
    os.environ.get("CROSSROADS_FUZZ_EXAMPLES")
    or (200 if os.environ.get("CROSSROADS_REQUIRE_SHARED") == "1" else 25)
)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the working tree; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ATTACKS = [
    "[click here](https://evil.example/login)",
    "![x](https://evil.example/t.png)",
    "x\n\n# Session expired",
    "x\r\n\r\n## Session expired",
    "Session expired\n===",
    "<img src=https://evil.example/t.png>",
    "<script>alert(1)</script>",
    "<a href='https://evil.example'>x</a>",
    "<https://evil.example/login>",
    "https://evil.example/login",
    "www.evil.example",
    "login@evil.example",
    "[a][b]\n\n[b]: https://evil.example",
    "\\[x](https://evil.example)",
    "\\\\[x](https://evil.example)",
    ":red[alert] :material/warning:",
    "$\\href{https://evil.example}{x}$",
    "**bold** _it_ `code` ~~gone~~",
    "&lt;b&gt; &#60;i&#62;",
    "\u202eevil\u200b\ufeff",
    "a\x00b\x07c\x1b[31m",
    "| a | b |\n|---|---|",
]
FRAGMENTS = ["[", "]", "(", ")", "!", "#", "<", ">", "\\", "\n", "https://evil.example", "www.", "@", "`"]

payload = st.one_of(
    st.sampled_from(ATTACKS),
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS + ATTACKS), st.text(max_size=8)), max_size=8).map("".join),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "L", "P"]), max_size=40),
    st.text(min_size=300, max_size=2000),
)


def values(valid: list[str]) -> st.SearchStrategy[list[str]]:
    """What a link may carry for one parameter: one or a few values (valid, empty or hostile), or many."""
    one = st.one_of(payload, st.sampled_from(valid), st.just(""))
    return st.one_of(
        st.lists(one, min_size=1, max_size=4),
        one.map(lambda v: [v] * 1000),  # one value repeated
        st.lists(payload, min_size=10, max_size=60),  # many different values
    )


def _valid() -> dict[str, list[str]]:
    snap = data.load_snapshot(REAL_DATA)
    labels = [BY_ID[i].label for th in data.picker_themes() for i in data.picker_indicators(th)]
    states = [snap.name(g) for g in snap.member_states]
    return {
        "theme": list(THEMES.values()),
        "indicator": labels + list(BY_ID),
        "view": [t(f"view.{v}") for v in state.VIEWS],
        "years": [str(y) for y in range(snap.year_range[0], snap.year_range[1] + 1)],
        "geo": states + list(snap.member_states),
        "period": data.periods(snap, "asylum_applicants_per_100k"),
        "state": states + list(snap.member_states),
        "index": ["true", "false", "TRUE"],
        "route": sorted(snap.routes["label"].unique()),
        "route_indicator": [BY_ID[i].label for i in BY_ID if BY_ID[i].geo_kind == "route"],
    }


VALID = _valid()
SIDEBAR = ("theme", "indicator", "view", "years", "geo")
PAGE_PARAMS = {
    "overview": (*SIDEBAR, "period"),
    "profile": (*SIDEBAR, "state"),
    "compare": (*SIDEBAR, "index"),
    "routes": (*SIDEBAR, "route", "route_indicator"),
}


@pytest.fixture(scope="module", autouse=True)
def _snapshot_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CROSSROADS_DATA_DIR", str(REAL_DATA))
        yield


def _run(page: str, query: dict[str, list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    return at.run()


# What markdown turns into a link, image, heading, HTML or autolink (in the source, escapes removed).
_DANGEROUS = {
    "link or image": re.compile(r"\]\s*[(\[]|!\["),
    "link definition": re.compile(r"(?m)^ {0,3}\[[^\]]*\]:"),
    "html or autolink": re.compile(r"<[A-Za-z/!?]"),
    "heading": re.compile(r"(?m)^ {0,3}#{1,6}(?:[ \t]|$)|\n {0,3}(?:=+|-+)[ \t]*(?:\n|$)"),
    "bare link": re.compile(r"(?i)\b(?:https?|ftp|mailto):|\bwww\.|[\w.+-]@[\w-]+\.\w"),
    "entity": re.compile(r"&#?\w+;"),
}
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")  # CommonMark: a backslash before ASCII punctuation


def _constructs(text: str) -> set[str]:
    plain = _ESCAPED.sub("\x00", text)
    return {f"{kind}: {m.group(0)!r}" for kind, rx in _DANGEROUS.items() for m in rx.finditer(plain)}


def _markdown_texts(node) -> Iterator[str]:
    """Every string of the page that Streamlit draws as markdown: bodies, labels, help texts."""
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ListFields"):
        for field, value in proto.ListFields():
            if field.name in ("body", "label", "help", "placeholder") and isinstance(value, str):
                yield value
    children = getattr(node, "children", None) or {}
    for child in children.values():
        yield from _markdown_texts(child)


def _page_constructs(at: AppTest) -> set[str]:
    return {c for text in _markdown_texts(at._tree) for c in _constructs(text)}


BASELINE = {}


def _baseline(page: str) -> set[str]:
    if page not in BASELINE:
        BASELINE[page] = _page_constructs(_run(page, {}))
    return BASELINE[page]


def _check(page: str, query: dict[str, list[str]]) -> None:
    at = _run(page, query)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(at.warning) <= ui.MAX_NOTICES, len(at.warning)
    added = _page_constructs(at) - _baseline(page)
    assert not added, added
    for warning in at.warning:
        shown = _ESCAPED.sub(lambda m: m.group(0)[1], warning.value)
        assert len(shown) < 800, "a notice quotes a value cut to a sane length"
        assert not any(ord(c) < 32 for c in shown), "no control characters"


def _query(page: str) -> st.SearchStrategy[dict[str, list[str]]]:
    return st.fixed_dictionaries({key: values(VALID[key]) for key in PAGE_PARAMS[page]})


# One test per page: each example carries every parameter the page reads, so each parameter gets
# max_examples (EXAMPLES: 200 in CI) examples.
@SETTINGS
@given(query=_query("overview"))
def test_overview_url_is_shown_literally(query):
    _check("overview", query)


@SETTINGS
@given(query=_query("profile"))
def test_profile_url_is_shown_literally(query):
    _check("profile", query)


@SETTINGS
@given(query=_query("compare"))
def test_compare_url_is_shown_literally(query):
    _check("compare", query)


@SETTINGS
@given(query=_query("routes"))
def test_routes_url_is_shown_literally(query):
    _check("routes", query)


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("overview", {"theme": ["[click here](https://evil.example/login)"]}),
        ("overview", {"theme": ["![x](https://evil.example/t.png)"]}),
        ("profile", {"state": ["x\n\n# Session expired"]}),
        ("overview", {"geo": [f"bad{i}" for i in range(1000)]}),
    ],
)
def test_known_link_attacks(page, query):
    """The three links of the report, and 1,000 bad values (once 1,000 boxes)."""
    _check(page, query)
    at = _run(page, query)
    assert at.warning, "the rejected value is still reported"
    text = " ".join(w.value for w in at.warning)
    assert "evil.example" not in text or "evil\\.example" in text
