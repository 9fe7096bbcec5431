"""What every page gets from the entry point: the snapshot, the sidebar's selection and the pages.

app.py builds one PageContext per run and hands it over with `set_current`; a page script (run by
st.navigation) picks it up with `current()`. It is kept in the session's state, so sessions never see
each other's selection; the snapshot inside is the one shared, read-only object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from dashboard.data import Snapshot
from dashboard.state import Selection

_KEY = "_page_context"


@dataclass
class PageContext:
    snap: Snapshot
    selection: Selection | None = None
    pages: dict[str, st.Page] = field(default_factory=dict)

    @property
    def sel(self) -> Selection:
        assert self.selection is not None, "the sidebar runs before any page"
        return self.selection

    def open_profile(self, geo: str) -> None:
        """Go to the member state profile of `geo`, with the state in the link so it can be shared.

        Only `state` is passed: the sidebar's choices are bound to widgets of the entry point, which
        Streamlit puts back into the URL itself (and refuses to have set by hand).
        """
        st.session_state.pop("state", None)  # the link decides, not an earlier visit to the profile
        st.switch_page(self.pages["profile"], query_params={"state": self.snap.name(geo)})


def set_current(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def current() -> PageContext:
    return st.session_state[_KEY]
