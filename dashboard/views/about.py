"""About and methodology: the snapshot, caveats, flags, every indicator's definition and sources, and
the coverage by member state of the indicator picked in the sidebar."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.context import PageContext, current
from dashboard.data import EU, Snapshot
from dashboard.strings import t
from loaders import flags
from loaders.catalogue import BY_ID, INDICATORS, THEMES

CAVEATS = ("rounding", "frontex", "breaks", "iom", "eu", "eu_sum", "gaps")


def render(ctx: PageContext) -> None:
    snap, sel = ctx.snap, ctx.sel
    st.title(t("about.title"), anchor=False)

    st.subheader(t("about.snapshot"), anchor=False)
    manifest = snap.manifest
    st.markdown(
        t(
            "about.snapshot.body",
            built=manifest.get("built_at", "?"),
            version=manifest.get("loader_version", "?"),
        )
    )
    st.dataframe(datasets_table(snap), hide_index=True, width="stretch", column_config=_link_column())

    st.subheader(t("about.changes"), anchor=False)
    changes = data.release_changes(snap)
    if changes.empty:
        st.caption(t("about.changes.none"))
    else:
        st.caption(t("about.changes.body", previous=snap.changes.get("previous_built_at") or "?"))
        st.dataframe(changes, hide_index=True, width="stretch")

    st.subheader(t("about.caveats"), anchor=False)
    st.markdown("\n".join(f"- {t(f'about.caveat.{c}')}" for c in CAVEATS))

    st.subheader(t("about.indicators"), anchor=False)
    for theme, theme_label in THEMES.items():
        members = [ind for ind in INDICATORS if ind.theme == theme]
        if not members:
            continue
        with st.expander(theme_label, expanded=theme == sel.theme):
            for ind in members:
                _indicator(snap, ind.id)

    indicator = BY_ID[sel.shown]
    st.subheader(t("about.coverage", label=indicator.label), anchor=False)
    st.dataframe(coverage(snap, sel.shown), hide_index=True, width="stretch")

    st.subheader(t("about.flags"), anchor=False)
    flag_rows = [{t("col.code"): k, t("col.meaning"): v} for k, v in flags.LETTERS.items()]
    flag_rows += [{t("col.code"): k, t("col.meaning"): v} for k, v in flags.CONF_STATUS.items()]
    st.dataframe(pd.DataFrame(flag_rows), hide_index=True)


def _indicator(snap: Snapshot, indicator_id: str) -> None:
    ind = BY_ID[indicator_id]
    links = []
    for code in ind.sources:
        entry = snap.dataset(code)
        url = entry.get("source_url")
        licence = entry.get("licence", "")
        text = f"[{code}]({url})" if url else code
        links.append(f"{text} ({entry.get('publisher', 'Eurostat')}{', ' + licence if licence else ''})")
    lines = [
        f"**{ind.label}** (`{ind.id}`, {ind.unit})",
        f"- {t('about.definition')}: {ind.definition}",
        f"- {t('about.formula')}: `{ind.formula}`",
        f"- {t('about.sources')}: {'; '.join(links)}",
    ]
    if ind.caveats:
        lines.append(f"- {t('about.caveats.indicator')}: {' '.join(ind.caveats)}")
    st.markdown("\n".join(lines))


def datasets_table(snap: Snapshot) -> pd.DataFrame:
    """One line per source dataset of the manifest."""
    rows = []
    for code, entry in sorted(snap.manifest.get("datasets", {}).items()):
        rows.append(
            {
                t("col.dataset"): code,
                t("col.title"): entry.get("title") or "",
                t("col.publisher"): entry.get("publisher") or "",
                t("col.last_update"): entry.get("last_update") or "",
                t("col.first_period"): entry.get("first_period") or "",
                t("col.last_period"): entry.get("last_period") or "",
                t("col.rows"): entry.get("rows"),
                t("col.licence"): entry.get("licence") or "",
                t("col.link"): entry.get("source_url") or "",
            }
        )
    return pd.DataFrame(rows)


def _link_column() -> dict:
    return {t("col.link"): st.column_config.LinkColumn(t("col.link"))}


def flag_letter_counts(flag_column: pd.Series) -> str:
    """Every flag letter and how many values carry it ("b 1, p 3"), so no flag goes uncounted."""
    letters = Counter(ch for flag in flag_column.dropna() for ch in dict.fromkeys(str(flag)))
    return ", ".join(f"{letter} {n}" for letter, n in sorted(letters.items()))


def coverage(snap: Snapshot, indicator_id: str) -> pd.DataFrame:
    """First and last period with a value, number of values and flagged values, per member state."""
    rows = snap.rows(indicator_id)
    rows = rows[rows["value"].notna()]
    out = []
    for geo in [*snap.member_states, EU]:
        own = rows[rows["geo"] == geo]
        out.append(
            {
                t("col.name"): snap.name(geo),
                t("col.first_period"): own["period"].iat[0] if not own.empty else "–",
                t("col.last_period"): own["period"].iat[-1] if not own.empty else "–",
                t("col.values"): len(own),
                t("col.flagged"): int(own["flag"].fillna("").astype(str).str.len().gt(0).sum()),
                t("col.flag_letters"): flag_letter_counts(own["flag"]),
            }
        )
    return pd.DataFrame(out)


render(current())
