# ruff: noqa: E501  (sentences read better unbroken than split to the line length)
"""Every interface string of the dashboard, in one place.

Page code asks for a string by key (`t("overview.title")`) and never spells English itself. A translation
is one more dict in MESSAGES with the same keys (missing keys fall back to English), chosen with the
CROSSROADS_LANG environment variable. Indicator labels and definitions come from loaders/catalogue.py.
"""

from __future__ import annotations

import os

EN: dict[str, str] = {
    # App and navigation
    "app.title": "Crossroads: migration and asylum in the EU",
    "app.tagline": "Public statistics made comparable by EU member state.",
    "nav.overview": "Overview",
    "nav.profile": "Member state profile",
    "nav.compare": "Compare",
    "nav.routes": "Routes",
    "nav.about": "About and methodology",
    # Data problems
    "data.missing.title": "The data snapshot is not available.",
    "data.missing.body": (
        "The dashboard reads a local snapshot and never downloads. The file `{file}` of the snapshot "
        "{reason}.\n\nAn administrator can rebuild the snapshot from the repository root with:\n\n"
        "```\npython -m loaders build --source-dir ../shared/data\n```\n\n"
        "or point the environment variable `CROSSROADS_DATA_DIR` at a folder that holds a whole "
        "snapshot. The server log has the details."
    ),
    "data.problem.absent": "is missing",
    "data.problem.unreadable": "cannot be read (damaged or of another version)",
    "data.problem.empty": "has no rows",
    "data.problem.shapes": "has no usable country shapes (no rows, or a row without geometry)",
    "data.problem.json": "is not the JSON object the loaders write",
    "error.page": (
        "Something went wrong while drawing this page. The other pages still work; "
        "try another indicator or reload. (Reference: {ref})"
    ),
    # Sidebar
    "sidebar.theme": "Theme",
    "sidebar.indicator": "Indicator",
    "sidebar.view": "Show as",
    "sidebar.view.help": "Per capita and share of the EU total make member states of different size comparable.",
    "sidebar.years": "Years",
    "sidebar.geo": "Member states",
    "sidebar.geo.help": "Up to 8 member states, highlighted on every page and drawn on Compare.",
    "sidebar.geo.placeholder": "Choose member states",
    "sidebar.snapshot": "Data snapshot built {built}.",
    "view.absolute": "Absolute",
    "view.per_capita": "Per capita",
    "view.share_eu": "Share of EU",
    "view.fallback": "{indicator} has no {view} figure; showing {shown} instead.",
    "view.rate": "a rate",
    # URL problems
    "url.invalid": "The link asked for {what} = “{value}”, which is not available here; showing the default instead.",
    "url.empty": "The link gave no value for {what}, which is not available here; showing the default instead.",
    "url.other_theme": "The link asked for indicator = “{value}”, which is not available under the theme {theme}; showing {shown} instead.",
    "url.too_many_geo": "The link named {count} member states, but at most {max} can be shown: left out {dropped}.",
    "url.more": "And {count} more values in the link were ignored.",
    "url.what.theme": "theme",
    "url.what.indicator": "indicator",
    "url.what.view": "view",
    "url.what.years": "years",
    "url.what.geo": "member state",
    "url.what.period": "period",
    "url.what.state": "member state",
    "url.what.route": "route",
    "url.what.route_indicator": "route indicator",
    "url.what.index": "index",
    # Shared chart furniture
    "chart.show_table": "Show as table",
    "chart.download": "Download CSV",
    "chart.download.help": "Exactly the data in this chart, with unit, flags, source and extraction dates.",
    "chart.dictionary": "Download data dictionary",
    "chart.no_data": "No data for this choice in the snapshot.",
    "chart.flagged": "Flagged value (hover for meaning)",
    "chart.hatched": "Hatched bars: flagged values (hover for meaning).",
    "chart.eu": "EU27",
    "chart.no_value": "no data",
    "chart.not_member": "not an EU member state",
    "chart.flag_line": "Flag: {flag} ({meaning})",
    "chart.flag_line.inputs": "Flags of {inputs}: {flag} ({meaning})",
    "chart.eu_sum": "Sum of the 27 member states, computed by Crossroads",
    "flag.inputs.per_capita": "value and population",
    "flag.inputs.eu_sum": "the member states' values",
    "flag.inputs.eu_sum_per_capita": "the member states' values and population",
    "eu_sum.name": "{name} (sum of 27)",
    "eu_sum.name.some": "{name} (sum of 27 in {periods})",
    "eu_sum.name.partly": "{name} (partly sum of 27)",
    "eu_sum.tile": "EU27 total for {period}: the sum of the 27 member states, computed by Crossroads (no published EU27 total).",
    "eu_sum.help": "Sum of the 27 member states, computed by Crossroads: the snapshot has no published EU27 total for {period}.",
    "eu_sum.mark": "†",
    "eu_sum.table_note": "† EU27 figure computed by Crossroads from the sum of the 27 member states (no published EU27 total).",
    "chart.source": "Source: {sources}.",
    "chart.boundaries": "© EuroGeographics for the administrative boundaries",
    "chart.ends": "{label}: data in this snapshot ends in {last}.",
    "chart.ends.most": "{common} for most member states ({others})",
    "chart.ends.more": "{count} more",
    "chart.ends.most_routes": "{common} for most routes ({others})",
    "chart.index_axis": "Index, {base} = 100",
    "chart.missing_states": "No data for {period}: {names}.",
    "chart.period": "Period",
    "chart.value": "Value",
    # Table headers
    "col.geo": "Code",
    "col.name": "Member state",
    "col.period": "Period",
    "col.value": "Value",
    "col.unit": "Unit",
    "col.flag": "Flag",
    "col.flag_meaning": "Flag meaning",
    "col.indicator": "Indicator",
    "col.rank": "Rank",
    "col.route": "Route",
    "col.citizen": "Citizenship",
    "col.share": "Share of applicants (%)",
    "citizen.UNK": "Unknown",
    "citizen.STLS": "Stateless",
    # Overview
    "overview.title": "Overview",
    "overview.intro": "One indicator across the EU: map, ranking and EU trend. Click a country to open its profile.",
    "overview.period": "Period on map and ranking",
    "overview.newer.one": "{period} is available for 1 member state: {names}.",
    "overview.newer": "{period} is available for {count} member states: {names}.",
    "overview.map": "Map, {period}",
    "overview.ranking": "Ranking of member states, {period}",
    "overview.trend": "EU27 trend",
    "overview.open_profile": "Open a member state profile",
    "overview.open_profile.placeholder": "Choose a member state",
    "tile.eu_total": "EU27 total, {period}",
    "tile.eu_value": "EU27, {period}",
    "tile.change": "Change on {previous}",
    "tile.highest": "Highest: {name}",
    "tile.lowest": "Lowest: {name}",
    "tile.per": "{label}, {unit}",
    "tile.not_published": "not published",
    "summary.map": "{label} in {period}: highest in {top} ({top_value}), lowest in {bottom} ({bottom_value}); "
    "{count} of 27 member states have a value.",
    "summary.ranking": "{first} ranks first with {first_value}, {second} second with {second_value}{eu}.",
    "summary.ranking.eu": "; the EU27 figure is {eu_value}",
    "summary.ranking.eu_sum": "; the EU27 figure, a sum of the 27 member states computed by Crossroads, is {eu_value}",
    "summary.series": "{name}: {first_value} in {first_period}, {last_value} in {last_period}.",
    "summary.series.none": "{name}: no value in the years chosen.",
    "summary.empty": "No values for this choice.",
    # Profile
    "profile.title": "Member state profile: {name}",
    "profile.state": "Member state",
    "profile.indicators": "Every indicator, latest period",
    "profile.series": "{label} over time, {name} and EU27",
    "profile.citizenship": "Top countries of citizenship of asylum applicants, {name}, {period}",
    "profile.citizenship.none": "No applicants by citizenship for {name} in the snapshot.",
    "profile.absolute_note": "EU27 is drawn in per-capita and share views only; in absolute numbers it dwarfs any single state.",
    "profile.summary.rank": "In {period}, {name} ranked {rank} of {count} member states on {label} ({value}; {eu_name}: {eu}).",
    "profile.summary.only": "In {period}, {name} is the only member state with a value for {label} ({value}).",
    "profile.summary.rank_no_eu": "In {period}, {name} ranked {rank} of {count} member states on {label} ({value}).",
    "profile.summary.move": "That is {direction} {change} on {previous} ({previous_value}).",
    "profile.summary.no_value": "{name} has no value for {label} in the years chosen.",
    "profile.summary.citizenship": "Most applicants in {period} were citizens of {top}.",
    "move.up": "up",
    "move.down": "down",
    "move.flat": "unchanged",
    "col.latest_period": "Latest period",
    "col.trend": "Trend",
    "col.absolute": "Absolute",
    "col.per_capita": "Per capita",
    "col.per_capita_unit": "Per capita unit",
    "col.eu_per_capita": "EU27",
    "col.rank_per_capita": "Rank",
    "col.change": "Change",
    "profile.rank_of": "{rank} of {count}",
    # Compare
    "compare.title": "Compare member states",
    "compare.intro": "Up to 8 member states on one indicator, on the same periods.",
    "compare.index": "Index (first common period = 100)",
    "compare.index.help": "Each line divided by its value in the first period in which every line shown has a value other than zero.",
    "compare.default_states": "No member states chosen in the sidebar: showing the five with the highest latest value.",
    "compare.chart": "{label}",
    "compare.chart.index": "{label}, index ({base} = 100)",
    "compare.no_base": "No period in which every chosen member state has a non-zero value: the index cannot be drawn.",
    "compare.index.base": "Base period: {base} = 100, the first period in which every line shown has a value other than zero; each line is divided by its own {base} value.",
    "compare.ends_state": "{name}: data ends in {last}.",
    "summary.compare": "{first} has the highest latest value ({first_value}, {first_period}) "
    "and {last} the lowest ({last_value}) among the states shown.",
    "summary.compare.index": "Since {base}, {first} grew most (index {first_value}) and {last} least (index {last_value}).",
    # Routes
    "routes.title": "Migration routes",
    "routes.intro": "Counts by route, not by member state: they cannot go on a map of states.",
    "routes.indicator": "Route indicator",
    "routes.routes": "Routes",
    "routes.monthly": "{label} by month",
    "routes.yearly": "{label} by route, {year}",
    "routes.year_note": "sum of the {months} months of {year} with a record",
    "summary.routes": "In {year}, the most {label_lower} were recorded on {top} ({top_value}).",
    "summary.routes.monthly": "The highest month among the routes shown was {period}, on {route} ({value}).",
    "routes.gaps": "Months without a record in the source are gaps, not zeros: the sources list only months with detections (Frontex) or incidents (IOM).",
    # About
    "about.title": "About and methodology",
    "about.snapshot": "Snapshot",
    "about.snapshot.body": "Built {built} with loader version {version}. The dashboard reads this snapshot "
    "only; it never fetches anything from the internet.",
    "about.caveats": "Read before comparing",
    "about.changes": "What changed in this release",
    "about.changes.none": "This snapshot was built from the publishers' files with `python -m loaders build`; "
    "`python -m loaders update` records here what each new release changed (rows added, values revised).",
    "about.changes.body": "Compared with the snapshot built {previous}:",
    "col.rows_added": "Rows added",
    "col.rows_removed": "Rows removed",
    "col.values_revised": "Values revised",
    "col.flags_changed": "Flags changed",
    "col.periods_added": "New periods",
    "about.caveat.rounding": "Eurostat rounds asylum figures to the nearest 5, so small numbers and sums are approximate.",
    "about.caveat.frontex": "Frontex counts detections, not people: one person crossing twice is counted twice.",
    "about.caveat.breaks": "Breaks in series (flag b) mean a change of method: values before and after are not strictly comparable.",
    "about.caveat.iom": "IOM's dead and missing are a minimum: many deaths are never recorded.",
    "about.caveat.eu": "EU27 means the 27 member states from 2020 for every year; EU28 (with the United Kingdom) is never mixed in.",
    "about.caveat.eu_sum": "Where the snapshot has no published EU27 total, Crossroads sums the 27 member states, only when all 27 have a value; such totals are marked “sum of 27” and carry the member states' flags.",
    "about.caveat.gaps": "Missing values are gaps on charts, never zeros.",
    "about.flags": "Flags",
    "about.indicators": "Indicators",
    "about.coverage": "Coverage of {label} by member state",
    "about.datasets": "Source datasets",
    "about.definition": "Definition",
    "about.formula": "Formula",
    "about.unit": "Unit",
    "about.sources": "Sources",
    "about.caveats.indicator": "Caveats",
    "about.theme": "Theme",
    "col.first_period": "First period",
    "col.last_period": "Last period",
    "col.values": "Values",
    "col.flagged": "Flagged",
    "col.dataset": "Dataset",
    "col.title": "Title",
    "col.publisher": "Publisher",
    "col.last_update": "Publisher's last update",
    "col.licence": "Licence",
    "col.link": "Source",
    "col.rows": "Rows",
    "col.code": "Code",
    "col.meaning": "Meaning",
    # Download columns (the data dictionary)
    "dict.indicator": "Indicator id (see the indicator lines of this dictionary)",
    "dict.indicator_label": "Indicator in words",
    "dict.geo": "Eurostat geo code (EL = Greece, EU27_2020 = the 27 member states from 2020) or route id",
    "dict.geo_name": "Country, aggregate or route name",
    "dict.period": "Period as published: 2024, 2024-03 (month) or 2024-Q1",
    "dict.value": "Value; empty means not available (never zero)",
    "dict.unit": "Unit of the value",
    "dict.flag": "Publisher's flag as published (p provisional, e estimated, b break in series ...)",
    "dict.flag_meaning": "The flag in words",
    "dict.note": "How a computed value was made (e.g. an EU27 total summed from the 27 member states)",
    "dict.source_dataset": "Publisher's dataset code",
    "dict.source_url": "Where the dataset was taken from",
    "dict.publisher_last_update": "The publisher's last update of that dataset",
    "dict.snapshot_built_at": "When this data snapshot was built (extraction date)",
    # Units and sources written by the dashboard itself
    "unit.persons": "persons",
    "source.republished_by_iom": "(as republished by IOM)",
}

MESSAGES: dict[str, dict[str, str]] = {"en": EN}


def language() -> str:
    """The interface language: CROSSROADS_LANG when a translation exists, else English."""
    lang = os.environ.get("CROSSROADS_LANG", "en").lower()
    return lang if lang in MESSAGES else "en"


def t(key: str, **values: object) -> str:
    """The string for `key` in the interface language, with `{placeholders}` filled in."""
    text = MESSAGES[language()].get(key) or EN[key]
    return text.format(**values) if values else text
