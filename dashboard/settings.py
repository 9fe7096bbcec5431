"""The server settings of .streamlit/config.toml, made to hold wherever the server is started from.

Streamlit reads .streamlit/config.toml from the working folder only. Started from another folder
(`streamlit run /srv/crossroads/dashboard/app.py`), the app would show exception details and send
usage statistics. The options a script may set (client.*) are set here from the same file, so the
file stays the one place they are declared; the others are named in the server log, with the fix.
"""

from __future__ import annotations

import logging
import tomllib
from functools import cache
from pathlib import Path

import streamlit as st
from streamlit import config as st_config

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"
LOG = logging.getLogger(__name__)


@cache
def declared() -> dict[str, object]:
    """`section.option` -> value, as .streamlit/config.toml declares them."""
    with CONFIG.open("rb") as fh:
        sections = tomllib.load(fh)
    return {
        f"{section}.{key}": value for section, options in sections.items() for key, value in options.items()
    }


def apply() -> list[str]:
    """Set the declared client options; return (and log once) the others that are not in force."""
    missing = []
    for name, value in declared().items():
        if st.get_option(name) == value:
            continue
        if st_config._config_options_template[name].scriptable:
            st.set_option(name, value)
        else:
            missing.append(name)
    if missing:
        _warn_once(tuple(missing))
    return missing


@cache
def _warn_once(missing: tuple[str, ...]) -> None:
    LOG.warning(
        "settings of %s not in force: %s. Start the server from the repository root, or pass them as "
        "flags (e.g. --browser.gatherUsageStats false).",
        CONFIG,
        ", ".join(missing),
    )
