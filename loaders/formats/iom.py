"""IOM files: Missing Migrants Project incidents, and Eurostat asylum applicants as republished by IOM.

1. `iom_mmp`: the DERIVED CSV `t,m,type,route,geo,dead,cause,surv,nat,location,lon,lat` (IOM's
   gdidata conversion of the Missing Migrants Project download), one line per incident record: t
   date, m first day of its month, geo ISO3 country of the incident, dead = dead and missing.
   Tidy output (dataset `iom_mmp`, monthly): geo = route id (`IOM_ROUTES`); breakdowns
   incident_country (Eurostat code; empty or UNK -> UNK), cause (slugs from `CAUSES`; a record with
   several causes gets them joined by `+` in published order, e.g. `drowning+mixed_unknown`) and
   measure: `dead_missing` = sum of IOM's dead-and-missing counts (no rounding) and `incidents` =
   number of incidents. Survivors are not loaded: `surv` is empty on 85% of records and -1 on one.

   Split incidents. IOM records one event as a "Split Incident" when its dead must be attributed to
   different places, nationalities or causes; every part carries only its own dead, so IOM's totals
   (and ours) add the parts. The derived file already merges most parts into one line: only split
   lines carry several causes (34 of them) or joined locations, and the type
   "Incident,Split Incident" is a merge of parts of both types. Two events are still two lines each,
   at the same date, route, country and coordinates: the boat of 2022-01-28 off Libya (28 BGD + 3
   SYR dead, lines 11282-11283) and 2014-10-27 in the Aegean (3 + 3 dead, lines 523 and 533, whose
   location texts differ only in markup: possibly one record entered twice, which only IOM can
   tell). So: dead_missing sums every line as IOM does (nothing of ours counted twice), while
   `incidents` counts split lines sharing date, route, country and coordinates once (once in each
   cause's cell, should such parts ever differ in cause; in this file they do not). A cumulative
   incident (deaths over a period reported together, e.g. 750 who left Myanmar by sea in 2014) counts
   as one incident, as IOM records it.
   Route ids are shared with Frontex where both mean the same route (central_mediterranean,
   eastern_mediterranean, western_mediterranean, western_african).

1b. `iom_mmp_download`: IOM's own download layout (`"Main ID","Incident ID",Region,"Incident Date",
   ...,Coordinates,"Migration route",...`), the layout the live download at missingmigrants.iom.int
   has. Same tidy output as (1). Differences from the derived file, handled here:
   - dates are `Thu, 01/01/2026 - 12:00` (month/day/year): the weekday must match the date, and Year
     and "Reported Month" must agree with it, so a day/month mix-up is an error, not a silent shift;
   - dead and missing are two columns ("Number Dead", "Minimum Estimated Number of Missing"): an
     empty one counts as 0, both empty is an error. IOM writes a negative number missing to correct
     an earlier record whose missing were later found dead (line 197 of the 2026-05-06 file: 17 dead,
     -5 missing): we add them as IOM does (12), and refuse only a negative number dead or total;
   - split incidents share a "Main ID" ("Incident ID" is the part): an incident is one Main ID,
     counted once in each cell it has parts in (2026.MMP0215 has parts in March and April);
   - there is no incident-country code (only free-text location and coordinates), so
     incident_country is UNK for every record of this layout;
   - routes use IOM's current names (`IOM_DOWNLOAD_ROUTES`): the four routes both files name
     (Central, Eastern and Western Mediterranean, Atlantic to the Canary Islands) and the Eastern
     Route to/from EHOA share their ids with the derived file; other current routes get ids of their
     own (finer than the derived file's regional routes, which are not split up after the fact); an
     empty route is `undefined`, as in the derived file.

2. `iom_asylum_applicants`: the DERIVED CSV `geo,t,nat,sex,n` (IOM's republication of Eurostat
   migr_asyappctza by citizenship and sex), ISO3 codes, geo `EU27` = the EU total. IOM calls these
   first-time applicants, but its sums equal Eurostat's ASY_APP (all applicants): DE 2024 is 250,570
   here vs 250,615 in migr_asyappctza (rounding to 5). Tidy output (dataset `migr_asyappctza_iom`,
   annual): geo Eurostat code (EU27 -> EU27_2020, GBR -> UK, GRC -> EL), breakdowns citizen and sex.
   Its only non-ISO citizenship codes, OOO and STL, stand for Eurostat's only non-country
   citizenships in that dataset: OOO -> UNK (unknown), STL -> STLS (stateless).
"""

from __future__ import annotations

import re

import pandas as pd

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats import _strict_csv as strict
from loaders.formats._common import first_row, head_text

MMP_FORMAT = "iom_mmp"
MMP_DATASET = "iom_mmp"
MMP_COLUMNS = ["t", "m", "type", "route", "geo", "dead", "cause", "surv", "nat", "location", "lon", "lat"]
# Route id -> IOM's published label.
IOM_ROUTES: dict[str, str] = {
    "central_mediterranean": "Central Mediterranean Route",
    "eastern_mediterranean": "Eastern Mediterranean Route",
    "western_mediterranean": "Western Mediterranean Route",
    "western_african": "Western African Atlantic Route",
    "intra_european": "Intra-European routes",
    "intra_african": "Intra-African routes",
    "ehoa_eastern": "EHOA Eastern Route",
    "ehoa_northern": "EHOA Northern Route",
    "ehoa_southern": "EHOA Southern Route",
    "ehoa_horn_of_africa": "EHOA Horn of Africa Route",
    "central_american": "Central American Route",
    "south_american": "South American Route",
    "asia_pacific": "Asia Pacific routes",
    "undefined": "Undefined",
}
# IOM's current route names (its own download) -> route id. Shared ids where the route is the same.
IOM_DOWNLOAD_ROUTES: dict[str, str] = {
    "Central Mediterranean": "central_mediterranean",
    "Eastern Mediterranean": "eastern_mediterranean",
    "Western Mediterranean": "western_mediterranean",
    "Western Africa / Atlantic route to the Canary Islands": "western_african",
    "Eastern Route to/from EHOA": "ehoa_eastern",
    "": "undefined",
    "US-Mexico border crossing": "us_mexico_border",
    "Mainland Europe to the UK": "europe_to_uk",
    "Western Balkans": "western_balkans",
    "Türkiye-Europe land route": "turkiye_europe_land",
    "Iran to Türkiye": "iran_to_turkiye",
    "Afghanistan to Iran": "afghanistan_to_iran",
    "Sea crossings to Mayotte": "sea_to_mayotte",
    "Sahara Desert crossing": "sahara_crossing",
    "Darien": "darien",
    "Bay of Bengal/Andaman Sea": "bay_of_bengal_andaman",
    "Naf River crossing": "naf_river",
    "Haiti to Dominican Republic": "haiti_to_dominican_republic",
    "Caribbean to Central America": "caribbean_to_central_america",
}
MEDITERRANEAN = ("central_mediterranean", "eastern_mediterranean", "western_mediterranean")
# Cause of death label -> slug. Note one label contains commas, which also join several causes.
CAUSES: dict[str, str] = {
    "Drowning": "drowning",
    "Mixed or unknown": "mixed_unknown",
    "Vehicle accident / death linked to hazardous transport": "vehicle_hazardous_transport",
    "Sickness / lack of access to adequate healthcare": "sickness_no_healthcare",
    "Harsh environmental conditions / lack of adequate shelter, food, water": "harsh_conditions",
    "Violence": "violence",
    "Accidental death": "accidental_death",
}
# Incident type -> is (part of) a split incident.
INCIDENT_TYPES: dict[str, bool] = {
    "Incident": False,
    "Cumulative Incident": False,
    "Split Incident": True,
    "Incident,Split Incident": True,
}
# Incident country codes meaning "not known" -> UNK.
UNKNOWN_COUNTRY = {"": "UNK", "UNK": "UNK"}

DOWNLOAD_FORMAT = "iom_mmp_download"
DOWNLOAD_COLUMNS = [
    "Main ID", "Incident ID", "Region", "Incident Date", "Year", "Reported Month", "Number Dead",
    "Minimum Estimated Number of Missing", "Number of Survivors", "Number of Females", "Number of Males",
    "Number of Children", "Region of Origin", "Cause of Death", "Country of Origin", "Location of death",
    "Information Source", "Coordinates", "Migration route", "URL", "UNSD Geographical Grouping",
    "Source Quality",
]  # fmt: skip
_DOWNLOAD_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2})/(\d{2})/(\d{4}) - \d{2}:\d{2}$")

ASY_FORMAT = "iom_asylum_applicants"
ASY_DATASET = "migr_asyappctza_iom"
ASY_COLUMNS = ["geo", "t", "nat", "sex", "n"]
ASY_GEO_CODES: dict[str, str] = {"EU27": "EU27_2020"}
# gdidata's non-ISO citizenship codes for Eurostat's unknown and stateless.
ASY_CITIZEN_CODES: dict[str, str] = {"OOO": "UNK", "STL": "STLS"}
SEXES: dict[str, str] = {"female": "F", "male": "M", "unknown": "UNK"}

_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_MONTH_START = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-01$")
_YEAR = re.compile(r"^\d{4}$")


def route_labels() -> dict[str, str]:
    """Route id -> IOM's label (the derived file's, else the current one), for legends and the dictionary."""
    current = {rid: label for label, rid in IOM_DOWNLOAD_ROUTES.items() if label}
    return {**current, **IOM_ROUTES}


def sniff_mmp(head: bytes) -> bool:
    """Exactly the derived Missing Migrants header."""
    return first_row(head_text(head)) == MMP_COLUMNS


def sniff_download(head: bytes) -> bool:
    """IOM's own download: its first four columns (the full header is checked when read)."""
    return first_row(head_text(head))[:4] == DOWNLOAD_COLUMNS[:4]


def sniff_asylum(head: bytes) -> bool:
    """Exactly the derived applicants header `geo,t,nat,sex,n`."""
    return first_row(head_text(head)) == ASY_COLUMNS


def read_mmp(data: bytes, source: str) -> ReadResult:
    """Incident records -> dead and missing and incident counts by route, month, country and cause."""
    raw, lines = strict.read_csv(data, source, MMP_COLUMNS)

    strict.require_pattern(raw["t"], _DATE, "t", source, lines, expected="YYYY-MM-DD")
    strict.require_pattern(raw["m"], _MONTH_START, "m", source, lines, expected="YYYY-MM-01")
    tidy.check_periods(raw["m"], source, lines)
    other_month = raw["t"].str[:7] != raw["m"].str[:7]
    if other_month.any():
        pos = strict.first_true(other_month)
        raise LoaderError(
            source,
            f"incident date {raw['t'].iloc[pos]} is not in month {raw['m'].iloc[pos]}",
            line=lines[pos],
        )
    strict.map_column(
        raw["type"],
        {t: t for t in INCIDENT_TYPES},
        "incident type",
        source,
        lines,
        expected="one of " + ", ".join(repr(t) for t in INCIDENT_TYPES),
    )
    split = raw["type"].map(INCIDENT_TYPES).astype(bool)
    route = strict.map_column(
        raw["route"],
        {label: rid for rid, label in IOM_ROUTES.items()},
        "route label",
        source,
        lines,
        expected="a route label listed in iom.IOM_ROUTES",
    )
    country = strict.map_column(
        raw["geo"],
        strict.iso3_table(raw["geo"], UNKNOWN_COUNTRY),
        "incident country code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code, UNK or empty",
    )
    cause = _causes(raw["cause"], source, lines)
    dead = strict.parse_numbers(raw["dead"], source, lines)
    bad_dead = dead.isna() | (dead < 0)
    if bad_dead.any():
        pos = strict.first_true(bad_dead)
        raise LoaderError(
            source,
            f"dead and missing {raw['dead'].iloc[pos]!r}",
            line=lines[pos],
            expected="a count of 0 or more on every incident",
        )

    # One id per incident: the line itself, or for split lines the event they belong to.
    incident = pd.Series(range(len(raw)), index=raw.index).astype("string")
    if split.any():
        parts = raw.loc[split, ["t", "route", "geo", "lon", "lat"]]
        incident[split] = "split-" + parts.groupby(list(parts.columns), sort=False).ngroup().astype("string")
    return _result(route, raw["m"], country, cause, dead, incident, source, MMP_FORMAT)


def read_mmp_download(data: bytes, source: str) -> ReadResult:
    """IOM's own download: incident records -> the same cells as `read_mmp` (see the module notes)."""
    raw, lines = strict.read_csv(data, source, DOWNLOAD_COLUMNS)

    month = _download_months(raw, source, lines)
    route = strict.map_column(
        raw["Migration route"],
        IOM_DOWNLOAD_ROUTES,
        "migration route",
        source,
        lines,
        expected="a route listed in iom.IOM_DOWNLOAD_ROUTES",
    )
    cause = _causes(raw["Cause of Death"], source, lines)
    dead = _nonnegative(raw["Number Dead"], "number dead", source, lines)
    missing = strict.parse_numbers(raw["Minimum Estimated Number of Missing"], source, lines)
    neither = dead.isna() & missing.isna()
    if neither.any():
        raise LoaderError(
            source,
            "incident has neither a number dead nor a number missing",
            line=lines[strict.first_true(neither)],
        )
    strict.require_pattern(raw["Main ID"], re.compile(r"^\S+$"), "Main ID", source, lines, expected="an id")
    total = dead.fillna(0) + missing.fillna(0)
    if (total < 0).any():
        pos = strict.first_true(total < 0)
        raise LoaderError(source, f"dead and missing add up to {total.iloc[pos]:g}", line=lines[pos])
    country = pd.Series("UNK", index=raw.index, dtype="string")  # the layout has no country code
    return _result(route, month, country, cause, total, raw["Main ID"], source, DOWNLOAD_FORMAT)


def _download_months(raw: pd.DataFrame, source: str, lines: strict.LineFinder) -> pd.Series:
    """First day of each incident's month, after checking the year, weekday, Year and Reported Month agree."""
    parts = raw["Incident Date"].str.extract(_DOWNLOAD_DATE)
    bad = parts[0].isna()
    if not bad.any():
        tidy.check_periods(parts[3], source, lines)  # a year 0000 or 6016, before any date arithmetic
        dates = pd.to_datetime(parts[3] + "-" + parts[1] + "-" + parts[2], format="%Y-%m-%d", errors="coerce")
        bad = dates.isna() | (dates.dt.strftime("%a") != parts[0])
        bad |= (raw["Year"] != parts[3]) | (raw["Reported Month"] != dates.dt.strftime("%B"))
    if bad.any():
        pos = strict.first_true(bad)
        row = raw.iloc[pos]
        raise LoaderError(
            source,
            f"incident date {row['Incident Date']!r} (Year {row['Year']!r}, month {row['Reported Month']!r})",
            line=lines[pos],
            expected="'Thu, 01/01/2026 - 12:00' (month/day/year) with a matching weekday, Year and month",
        )
    return parts[3] + "-" + parts[1] + "-01"


def _nonnegative(series: pd.Series, what: str, source: str, lines: strict.LineFinder) -> pd.Series:
    """Counts where given (empty stays null); a negative count is an error at its line."""
    values = strict.parse_numbers(series, source, lines)
    negative = values < 0
    if negative.any():
        pos = strict.first_true(negative.fillna(False))
        raise LoaderError(source, f"negative {what} {series.iloc[pos]!r}", line=lines[pos])
    return values


def _result(
    route: pd.Series,
    month: pd.Series,
    country: pd.Series,
    cause: pd.Series,
    dead: pd.Series,
    incident: pd.Series,
    source: str,
    fmt: str,
) -> ReadResult:
    """Records -> dead_missing (sum) and incidents (distinct ids) per route, month, country and cause."""
    records = pd.DataFrame(
        {
            "geo": route,
            "period": month,
            "incident_country": country,
            "cause": cause,
            "dead": dead,
            "incident": incident,
        }
    )
    keys = ["geo", "period", "incident_country", "cause"]
    cells = (
        records.groupby(keys, sort=True)
        .agg(dead_missing=("dead", "sum"), incidents=("incident", "nunique"))
        .reset_index()
    )
    frame = cells.melt(
        id_vars=keys, value_vars=["dead_missing", "incidents"], var_name="measure", value_name="value"
    )
    frame = frame.sort_values([*keys, "measure"], kind="stable").reset_index(drop=True)
    frame["flag"] = None
    return ReadResult(tidy.finish(frame, source, MMP_DATASET), format=fmt, dataset=MMP_DATASET)


def read_asylum(data: bytes, source: str) -> ReadResult:
    """Applicants by country, year, citizenship and sex; one line per key or an error."""
    raw, lines = strict.read_csv(data, source, ASY_COLUMNS)

    strict.require_pattern(raw["t"], _YEAR, "year", source, lines, expected="YYYY")
    tidy.check_periods(raw["t"], source, lines)
    country = strict.map_column(
        raw["geo"],
        strict.iso3_table(raw["geo"], ASY_GEO_CODES),
        "country code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code or EU27",
    )
    citizen = strict.map_column(
        raw["nat"],
        strict.iso3_table(raw["nat"], ASY_CITIZEN_CODES),
        "citizenship code",
        source,
        lines,
        expected="an ISO 3166 alpha-3 code or one of iom.ASY_CITIZEN_CODES",
    )
    sex = strict.map_column(raw["sex"], SEXES, "sex", source, lines, expected=" or ".join(SEXES))
    value = strict.parse_counts(raw["n"], source, lines)
    frame = pd.DataFrame(
        {"geo": country, "period": raw["t"], "citizen": citizen, "sex": sex, "value": value, "flag": None}
    )
    strict.refuse_duplicates(
        frame, ["geo", "period", "citizen", "sex"], raw, ["geo", "t", "nat", "sex"], source, lines
    )
    return ReadResult(tidy.finish(frame, source, ASY_DATASET), format=ASY_FORMAT, dataset=ASY_DATASET)


def _causes(cells: pd.Series, source: str, lines: strict.LineFinder) -> pd.Series:
    """Cause-of-death cells -> slugs (several joined by `+`), the same in both incident layouts."""
    return strict.map_column(
        cells,
        _cause_table(cells),
        "cause of death",
        source,
        lines,
        expected="causes listed in iom.CAUSES, several joined by ','",
    )


def _cause_table(values: pd.Series) -> dict[str, str]:
    """Cause cell -> slug(s) for the distinct cells present; cells with an unknown cause left out."""
    table = {}
    for value in values.unique():
        slugs = _cause_slugs(value)
        if slugs:
            table[value] = "+".join(slugs)
    return table


def _cause_slugs(value: str) -> list[str] | None:
    """Split 'A,B' into known causes, longest label first (one label has commas of its own)."""
    labels = sorted(CAUSES, key=len, reverse=True)
    out: list[str] = []
    rest = value
    while rest:
        for label in labels:
            if rest == label:
                out.append(CAUSES[label])
                return out
            if rest.startswith(label + ",") and len(rest) > len(label) + 1:
                out.append(CAUSES[label])
                rest = rest[len(label) + 1 :]
                break
        else:
            return None
    return None


FORMATS = [
    (MMP_FORMAT, sniff_mmp, read_mmp),
    (DOWNLOAD_FORMAT, sniff_download, read_mmp_download),
    (ASY_FORMAT, sniff_asylum, read_asylum),
]
