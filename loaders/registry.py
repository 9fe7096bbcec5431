"""Every dataset Crossroads uses, declared in one place.

For each: who publishes it, where it lives (local files in ../shared/data, in priority order,
and the live endpoint), its licence, which rows we select (filters) and which breakdowns we keep.
Breakdowns not kept must be constant after filtering (they are dropped and their value recorded
in the manifest). When several files cover the same observations, the LATER file in `files` wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EUROSTAT_API = "https://ec.europa.eu/eurostat/api/dissemination"
GISCO_API = "https://gisco-services.ec.europa.eu/distribution/v2"
UNHCR_API = "https://api.unhcr.org/population/v1"
IOM_DOWNLOAD = "https://missingmigrants.iom.int"
# IOM's "all data" download (its own layout, read by loaders/formats/iom.py read_mmp_download).
IOM_ALL_DATA = (
    f"{IOM_DOWNLOAD}/sites/g/files/tmzbdl601/files/report-migrant-incident/"
    "Missing_Migrants_Global_Figures_allData.csv"
)

EUROSTAT_LICENCE = "CC BY 4.0 (Source: Eurostat)"
GISCO_LICENCE = "© EuroGeographics for the administrative boundaries"
UNHCR_LICENCE = "CC BY 4.0 (Source: UNHCR Refugee Data Finder)"
FRONTEX_LICENCE = "Public data, reuse with acknowledgement (Source: Frontex)"
IOM_LICENCE = "Public data, reuse with acknowledgement (Source: IOM Missing Migrants Project)"


@dataclass(frozen=True)
class SourceFile:
    """One input file, relative to the source directory (../shared/data)."""

    path: str
    note: str = ""


@dataclass(frozen=True)
class Rules:
    """What a dataset's values may be (checked by loaders/validate.py before anything is written)."""

    first_year: int = 1950  # earliest plausible period
    integer_counts: bool = (
        True  # persons, decisions, detections: whole numbers ("19.190" read as 19.19 fails)
    )
    geo: str = "country"  # "country": codes of the geo reference; "route": the publisher's route ids


ROUTES = Rules(geo="route")


@dataclass(frozen=True)
class Dataset:
    """One published dataset and how we select from it."""

    id: str
    publisher: str
    title: str
    licence: str
    page_url: str  # human-readable page, shown in the dashboard
    files: tuple[SourceFile, ...]
    keep: tuple[str, ...] = ()  # breakdown columns kept in data/observations/<id>.parquet
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kind: str = "observations"  # observations | reference
    dimensions: tuple[str, ...] = ()  # Eurostat DSD order, for server-side filter keys
    metadata_files: tuple[SourceFile, ...] = ()  # sidecars that only carry metadata (last update)
    note: str = ""
    rules: Rules = Rules()

    @property
    def code(self) -> str:
        """Publisher's code (our ids are Eurostat codes where Eurostat publishes it)."""
        return self.id


def _eurostat_page(code: str) -> str:
    return f"https://ec.europa.eu/eurostat/databrowser/view/{code}/default/table?lang=en"


def _eurostat(
    code: str, title: str, files: tuple[SourceFile, ...], *, keep: tuple[str, ...] = (), **kw
) -> Dataset:
    return Dataset(
        id=code,
        publisher="Eurostat",
        title=title,
        licence=EUROSTAT_LICENCE,
        page_url=_eurostat_page(code),
        files=files,
        keep=keep,
        **kw,
    )


_TOTALS = {"sex": ("T",), "age": ("TOTAL",), "unit": ("PER",)}

DATASETS: tuple[Dataset, ...] = (
    _eurostat(
        "migr_asyappctza",
        "Asylum applicants by type, citizenship, age and sex - annual aggregated data",
        (
            SourceFile("eurostat/legacy-csv/migr_asyappctza_2008-2016.csv", "legacy export, 2008-2016"),
            SourceFile("eurostat/sdmx-csv/migr_asyappctza.csv", "current release, 2008-2024: wins"),
        ),
        keep=("citizen", "asyl_app"),
        filters={**_TOTALS, "citizen": ("TOTAL", "UA"), "asyl_app": ("ASY_APP", "NASY_APP")},
        dimensions=("freq", "citizen", "sex", "unit", "age", "asyl_app", "geo"),
    ),
    _eurostat(
        "migr_asyappctzm",
        "Asylum and first time asylum applicants by citizenship, age and sex - monthly data",
        (
            SourceFile(
                "eurostat/legacy-csv/migr_asyappctzm_2008-2015.csv", "legacy export, 2008-01 to 2015-05"
            ),
            SourceFile(
                "eurostat/legacy-csv/migr_asyappctzm_2008M01-2017M11.csv",
                "legacy export, 2008-01 to 2017-11, with first-time applicants",
            ),
            SourceFile(
                "eurostat/tsv/migr_asyappctzm_2008M01-2020M08.tsv",
                "Data Browser TSV extracted 2020-10-06, 2008-01 to 2020-08: wins",
            ),
        ),
        keep=("citizen", "asyl_app"),
        filters={**_TOTALS, "citizen": ("TOTAL",), "asyl_app": ("ASY_APP", "NASY_APP")},
        dimensions=("freq", "citizen", "sex", "unit", "age", "asyl_app", "geo"),
        metadata_files=(SourceFile("eurostat/legacy-csv/migr_asyappctzm_2008-2015_labels.csv"),),
    ),
    _eurostat(
        "migr_asydcfsta",
        "First instance decisions on applications by citizenship, age and sex - annual aggregated data",
        (
            SourceFile("eurostat/legacy-csv/migr_asydcfsta_2008-2016.csv", "legacy export, 2008-2016"),
            SourceFile("eurostat/sdmx-csv/migr_asydcfsta_FR.csv", "France only, 2015-2019, by citizenship"),
        ),
        keep=("citizen", "decision"),
        filters={**_TOTALS, "decision": ("TOTAL", "TOTAL_POS", "REJECTED")},
        dimensions=("freq", "citizen", "sex", "age", "decision", "unit", "geo"),
    ),
    _eurostat(
        "migr_asydcfstq",
        "First instance decisions on applications by citizenship, age and sex - quarterly data",
        (
            SourceFile(
                "eurostat/legacy-csv/migr_asydcfstq_2008Q1-2017Q3.csv",
                "legacy export, 2008-Q1 to 2017-Q3, with decisions by type",
            ),
            SourceFile(
                "eurostat/tsv/migr_asydcfstq_2008Q1-2020Q2.tsv",
                "Data Browser TSV extracted 2020-10-07, 2008-Q1 to 2020-Q2, total and positive: wins",
            ),
        ),
        keep=("citizen", "decision"),
        filters={
            **_TOTALS,
            "citizen": ("TOTAL",),
            "decision": ("TOTAL", "TOTAL_POS", "GENCONV", "HUMSTAT", "REJECTED"),
        },
        dimensions=("freq", "unit", "citizen", "sex", "age", "decision", "geo"),
    ),
    _eurostat(
        "migr_asytpsm",
        "Beneficiaries of temporary protection at the end of the month by citizenship, age and sex",
        (SourceFile("eurostat/sdmx-csv/migr_asytpsm.csv"),),
        keep=("citizen",),
        filters={**_TOTALS, "citizen": ("UA",)},
        dimensions=("freq", "unit", "citizen", "sex", "age", "geo"),
    ),
    _eurostat(
        "migr_eipre",
        "Third-country nationals found to be illegally present",
        (
            SourceFile("eurostat/sdmx-csv/migr_eipre.csv", "Data Browser labels-only export, 2014-2023"),
            SourceFile("eurostat/json-stat/migr_eipre.json", "Statistics API, updated 2026-05-12: wins"),
        ),
        keep=("reason", "apprehen"),
        filters={"citizen": ("TOTAL",), "sex": ("T",), "age": ("TOTAL",), "unit": ("PER",)},
        dimensions=("freq", "reason", "apprehen", "citizen", "sex", "age", "unit", "geo"),
    ),
    _eurostat(
        "migr_eirfs",
        "Third-country nationals refused entry at the external borders",
        (SourceFile("eurostat/sdmx-csv/migr_eirfs.csv"),),
        filters={"border": ("TOTAL",), "reason": ("TOTAL",), "citizen": ("TOTAL",), "unit": ("PER",)},
        dimensions=("freq", "border", "unit", "reason", "citizen", "geo"),
    ),
    _eurostat(
        "migr_eiord",
        "Third-country nationals ordered to leave",
        (SourceFile("eurostat/legacy-csv/migr_eiord_2010-2016.csv", "legacy export, 2010-2016"),),
        filters={"citizen": ("TOTAL",), "age": ("TOTAL",), "sex": ("T",), "unit": ("PER",)},
        dimensions=("freq", "citizen", "age", "sex", "unit", "geo"),
    ),
    _eurostat(
        "migr_eirtn",
        "Third-country nationals who have left the territory",
        (SourceFile("eurostat/legacy-csv/migr_eirtn_2010-2016.csv", "legacy export, 2010-2016"),),
        keep=("c_dest",),
        filters={"citizen": ("TOTAL",), "unit": ("PER",)},
        dimensions=("freq", "citizen", "c_dest", "unit", "geo"),
        note="Legacy INDIC_MG is mapped onto today's c_dest dimension (TOTAL, THRD).",
    ),
    _eurostat(
        "migr_dubri",
        "Incoming 'Dublin' requests by submitting country, type of request and legal provision",
        (
            SourceFile("eurostat/xls/migr_dubri.xlsx", "Data Browser XLSX, same extraction as the TSV"),
            SourceFile("eurostat/tsv/migr_dubri.tsv", "API TSV: wins"),
        ),
        filters={"unit": ("NR",), "request": ("REQ",), "leg_prov": ("TOTAL",), "partner": ("TOTAL",)},
        dimensions=("freq", "unit", "request", "leg_prov", "partner", "geo"),
    ),
    _eurostat(
        "migr_dubti",
        "Incoming 'Dublin' transfers by submitting country, legal provision and duration of transfer",
        (SourceFile("eurostat/xls/migr_dubti_2008-2014.xls", "legacy XLS export, 2008-2014"),),
        filters={"unit": ("NR",), "leg_prov": ("TOTAL",), "duration": ("TOTAL",), "partner": ("TOTAL",)},
        dimensions=("freq", "unit", "leg_prov", "duration", "partner", "geo"),
    ),
    _eurostat(
        "migr_dubto",
        "Outgoing 'Dublin' transfers by receiving country, legal provision and duration of transfer",
        (SourceFile("eurostat/xls/migr_dubto_2008-2014.xls", "legacy XLS export, 2008-2014"),),
        filters={"unit": ("NR",), "leg_prov": ("TOTAL",), "duration": ("TOTAL",), "partner": ("TOTAL",)},
        dimensions=("freq", "unit", "leg_prov", "duration", "partner", "geo"),
    ),
    _eurostat(
        "demo_gind",
        "Population change - demographic balance and crude rates at national level",
        (SourceFile("eurostat/sdmx-csv/demo_gind.csv"),),
        filters={"indic_de": ("JAN",)},
        dimensions=("freq", "indic_de", "geo"),
    ),
    _eurostat(
        "demo_pjan",
        "Population on 1 January by age and sex",
        (SourceFile("eurostat/legacy-csv/demo_pjan_2007-2016.csv", "legacy export, 2007-2016"),),
        filters={"age": ("TOTAL",), "sex": ("T",), "unit": ("NR",)},
        dimensions=("freq", "unit", "age", "sex", "geo"),
    ),
    _eurostat(
        "tps00170",
        "First residence permits by reason",
        (SourceFile("eurostat/sdmx-csv/tps00170.csv"),),
        filters={"reason": ("TOTAL",), "citizen": ("TOTAL",), "duration": ("TOTAL",), "unit": ("PER",)},
        dimensions=("freq", "reason", "citizen", "duration", "unit", "geo"),
    ),
    _eurostat(
        "tps00176",
        "Immigration",
        (SourceFile("eurostat/sdmx-csv/tps00176.csv"),),
        keep=("agedef",),
        filters={"citizen": ("TOTAL",), "age": ("TOTAL",), "unit": ("NR",), "sex": ("T",)},
        dimensions=("freq", "citizen", "agedef", "age", "unit", "sex", "geo"),
    ),
    _eurostat(
        "migr_pop1ctz",
        "Population on 1 January by age group, sex and citizenship",
        (SourceFile("eurostat/json-stat/migr_pop1ctz.json"),),
        keep=("citizen",),
        filters={"citizen": ("FOR_STLS",), "age": ("TOTAL",), "unit": ("NR",), "sex": ("T",)},
        dimensions=("freq", "citizen", "age", "unit", "sex", "geo"),
    ),
    Dataset(
        id="migr_asyappctza_iom",
        publisher="Eurostat (republished by IOM)",
        title="Asylum applicants by citizenship and sex (Eurostat migr_asyappctza, as republished by IOM)",
        licence=EUROSTAT_LICENCE,
        page_url=_eurostat_page("migr_asyappctza"),
        files=(SourceFile("eurostat/legacy-csv/applicants_by_citizenship_2011-2024_iom.csv"),),
        keep=("citizen", "sex"),
        note="IOM calls these first-time applicants, but its sums equal Eurostat's ASY_APP (all applicants).",
    ),
    Dataset(
        id="frontex_ibc",
        publisher="Frontex",
        title="Detections of illegal border-crossings at the EU external borders, monthly",
        licence=FRONTEX_LICENCE,
        page_url="https://www.frontex.europa.eu/what-we-do/monitoring-and-risk-analysis/migratory-map/",
        files=(SourceFile("frontex/ibc_monthly_2009-2025.csv", "derived CSV of Frontex's monthly data"),),
        keep=("border_type", "citizen"),
        note="Frontex counts detections, not persons.",
        rules=ROUTES,
    ),
    Dataset(
        id="unhcr_population",
        publisher="UNHCR",
        title="Refugee population statistics: refugees, asylum seekers and stateless persons hosted",
        licence=UNHCR_LICENCE,
        page_url="https://www.unhcr.org/refugee-statistics/download/",
        files=(SourceFile("unhcr/population_eu_2008-2024.csv"),),
        keep=("citizen", "population"),
    ),
    Dataset(
        id="iom_mmp",
        publisher="IOM",
        title="Missing Migrants Project: dead and missing migrants by route and month",
        licence=IOM_LICENCE,
        page_url="https://missingmigrants.iom.int/downloads",
        files=(
            SourceFile(
                "iom/missing_migrants_2014-2025.csv", "derived CSV of IOM's incident data, to 2025-04"
            ),
            SourceFile("iom/MissingMigrants-Global-2026-05-06.csv", "IOM's own download, 2026-01 to 2026-05"),
        ),
        keep=("incident_country", "cause", "measure"),
        note="IOM's own download has no incident-country code: its records have incident_country UNK.",
        rules=ROUTES,
    ),
    Dataset(
        id="gisco_countries",
        publisher="GISCO (Eurostat)",
        title="NUTS 2021 level 0 country boundaries, 1:60 million, and label points",
        licence=GISCO_LICENCE,
        page_url="https://ec.europa.eu/eurostat/web/gisco/geodata/statistical-units/territorial-units-statistics",
        files=(
            SourceFile("gisco/NUTS_RG_60M_2021_4326_LEVL_0.geojson", "polygons"),
            SourceFile("gisco/NUTS_LB_2021_4326_LEVL_0.geojson", "label points"),
        ),
        kind="reference",
    ),
    Dataset(
        id="eurostat_codelists",
        publisher="Eurostat",
        title="Code lists: observation flags (OBS_FLAG) and geo labels",
        licence=EUROSTAT_LICENCE,
        page_url="https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/codelist/ESTAT/OBS_FLAG",
        files=(SourceFile("eurostat/codelists/obs_flag.tsv"), SourceFile("eurostat/codelists/geo_en.dic")),
        kind="reference",
        note="Used to check loaders/reference and loaders/flags.py; not copied into data/.",
    ),
    Dataset(
        id="eurostat_catalogue",
        publisher="Eurostat",
        title="Eurostat catalogue (table of contents): last update and coverage per dataset",
        licence=EUROSTAT_LICENCE,
        page_url="https://ec.europa.eu/eurostat/api/dissemination/catalogue/toc/txt?lang=en",
        files=(SourceFile("eurostat/toc/table_of_contents_en.txt", "as of 2023-08-22"),),
        kind="reference",
    ),
)

BY_ID: dict[str, Dataset] = {d.id: d for d in DATASETS}


def observation_datasets() -> list[Dataset]:
    """Datasets that become data/observations/<id>.parquet."""
    return [d for d in DATASETS if d.kind == "observations"]
