"""Every indicator, declared once: what it means, how it is computed, where it comes from.

This one list feeds the loaders (loaders/indicators.py computes each entry), the dashboard's
pickers and help texts, and the data dictionary shipped with every download.
"""

from __future__ import annotations

from dataclasses import dataclass, field

THEMES: dict[str, str] = {
    "asylum": "Asylum applications",
    "decisions": "Asylum decisions",
    "temporary_protection": "Temporary protection",
    "irregular": "Irregular migration and external borders",
    "returns": "Returns",
    "dublin": "Secondary movements (Dublin)",
    "legal": "Legal pathways",
    "population": "Population and refugees hosted",
    "routes": "Migration routes",
}

ROUNDING_NOTE = "Eurostat rounds asylum figures to the nearest 5."
MONTHLY_NOTE = (
    "The monthly series in this snapshot ends in August 2020; in its last months not every member state "
    "had reported yet, so the EU27 total of those months is marked incomplete (it is not a fall)."
)
QUARTERLY_NOTE = (
    "Quarterly decisions run to 2020-Q2 (2020-Q2 is missing for several states). Annual decisions after "
    "2016 are not made from quarters: Eurostat revises its annual and quarterly tables separately, so a "
    "sum of quarters would be a figure no publisher gave."
)
APPREHENSION_NOTE = (
    "Place of apprehension is published from 2021 on for most states; Ireland reports it from 2018 and "
    "Switzerland from 2020."
)
BY_TYPE_NOTE = "Decisions by type come from a legacy export that ends in 2017-Q3."


@dataclass(frozen=True)
class Indicator:
    """One indicator as users see it.

    `geo_kind` is "country" (geo is a Eurostat country/aggregate code) or "route" (geo is a route
    id; no map, no per-capita). `base` names the absolute indicator a per-capita/share/rate
    variant is derived from, so the dashboard can offer "per capita" one click away.
    """

    id: str
    label: str
    unit: str
    theme: str
    definition: str
    formula: str
    sources: tuple[str, ...]
    freq: str = "A"
    geo_kind: str = "country"
    variant: str = "absolute"  # absolute | per_capita | share_eu | rate
    base: str | None = None
    caveats: tuple[str, ...] = field(default_factory=tuple)


def _per_capita(base: Indicator, per: int, denominator: str = "population") -> Indicator:
    per_text = f"{per:,}"
    return Indicator(
        id=f"{base.id}_per_{'100k' if per == 100_000 else per}",
        label=f"{base.label} per {per_text} inhabitants",
        unit=f"per {per_text} inhabitants",
        theme=base.theme,
        definition=f"{base.definition} Divided by the population on 1 January of the same year.",
        formula=f"{base.id} / population (1 January, same year) x {per_text}",
        sources=(*base.sources, "demo_gind", "demo_pjan"),
        freq=base.freq,
        variant="per_capita",
        base=base.id,
        caveats=(*base.caveats, "No population figure for that year gives no value, never an estimate."),
    )


def _share_eu(base: Indicator) -> Indicator:
    return Indicator(
        id=f"{base.id}_share_eu",
        label=f"{base.label}, share of EU total",
        unit="% of EU27 total",
        theme=base.theme,
        definition=f"{base.definition} As a share of the EU27 (from 2020) total of the same period.",
        formula=f"{base.id} / {base.id}[EU27_2020] x 100",
        sources=base.sources,
        freq=base.freq,
        variant="share_eu",
        base=base.id,
        caveats=(
            *base.caveats,
            "Where the publisher gives no EU27_2020 total, the total is the sum of the 27 member "
            "states, and only when all 27 have a value.",
        ),
    )


_asylum = Indicator(
    "asylum_applicants", "Asylum applicants", "persons", "asylum",
    "Persons who lodged an application for international protection (first-time and subsequent).",
    "migr_asyappctza: citizen TOTAL, sex T, age TOTAL, asyl_app ASY_APP",
    ("migr_asyappctza",), caveats=(ROUNDING_NOTE,),
)  # fmt: skip
_first_time = Indicator(
    "first_time_applicants", "First-time asylum applicants", "persons", "asylum",
    "Persons who applied for international protection for the first time in that member state.",
    "migr_asyappctza: citizen TOTAL, asyl_app NASY_APP",
    ("migr_asyappctza",),
    caveats=(
        ROUNDING_NOTE,
        "The annual files in this snapshot have first-time applicants up to 2016 only; the monthly "
        "series runs to August 2020.",
    ),
)  # fmt: skip
_tp = Indicator(
    "temporary_protection", "Beneficiaries of temporary protection", "persons", "temporary_protection",
    "Persons (citizens of Ukraine) benefiting from temporary protection at the end of the month.",
    "migr_asytpsm: citizen UA, sex T, age TOTAL",
    ("migr_asytpsm",), freq="M", caveats=(ROUNDING_NOTE,),
)  # fmt: skip
_decisions = Indicator(
    "first_instance_decisions", "First-instance decisions", "decisions", "decisions",
    "Decisions on asylum applications taken by the first-instance authority.",
    "migr_asydcfsta: decision TOTAL, citizen TOTAL",
    ("migr_asydcfsta",), caveats=(ROUNDING_NOTE,),
)  # fmt: skip
_positive = Indicator(
    "positive_decisions", "Positive first-instance decisions", "decisions", "decisions",
    "First-instance decisions granting refugee status, subsidiary protection or humanitarian status.",
    "migr_asydcfsta: decision TOTAL_POS, citizen TOTAL",
    ("migr_asydcfsta",), caveats=(ROUNDING_NOTE,),
)  # fmt: skip
_illegal = Indicator(
    "illegally_present", "Third-country nationals found illegally present", "persons", "irregular",
    "Third-country nationals found to be illegally present, all places of apprehension.",
    "migr_eipre: reason TOTAL, apprehen TOTAL",
    ("migr_eipre",),
)  # fmt: skip
_ordered = Indicator(
    "ordered_to_leave", "Third-country nationals ordered to leave", "persons", "returns",
    "Third-country nationals found illegally present who were ordered to leave.",
    "migr_eiord: citizen TOTAL", ("migr_eiord",),
)  # fmt: skip
_returned = Indicator(
    "returned", "Third-country nationals returned", "persons", "returns",
    "Third-country nationals who left the territory following an order to leave.",
    "migr_eirtn: c_dest TOTAL, citizen TOTAL", ("migr_eirtn",),
)  # fmt: skip
_permits = Indicator(
    "first_residence_permits", "First residence permits", "permits", "legal",
    "First residence permits issued to non-EU citizens, all reasons and durations.",
    "tps00170: reason TOTAL, duration TOTAL", ("tps00170",),
)  # fmt: skip
_immigration = Indicator(
    "immigration", "Immigration", "persons", "legal",
    "Persons establishing their usual residence in the country (all citizenships).",
    "tps00176: citizen TOTAL, agedef COMPLET, age TOTAL, sex T", ("tps00176",),
)  # fmt: skip
_refugees = Indicator(
    "unhcr_refugees", "Refugees hosted (UNHCR)", "persons", "population",
    "Refugees under UNHCR's mandate hosted at the end of the year, all countries of origin.",
    "unhcr_population: population REFUGEES, origin all", ("unhcr_population",),
)  # fmt: skip
_asylum_seekers = Indicator(
    "unhcr_asylum_seekers", "Asylum seekers hosted (UNHCR)", "persons", "population",
    "Asylum seekers whose application was pending at the end of the year (UNHCR).",
    "unhcr_population: population ASYLUM_SEEKERS, origin all", ("unhcr_population",),
)  # fmt: skip


def _per_1000(base: Indicator) -> Indicator:
    return _per_capita(base, 1000)


INDICATORS: tuple[Indicator, ...] = (
    _asylum,
    _per_capita(_asylum, 100_000),
    _share_eu(_asylum),
    _first_time,
    _per_capita(_first_time, 100_000),
    _share_eu(_first_time),
    Indicator(
        "asylum_applicants_ukraine", "Asylum applicants from Ukraine", "persons", "asylum",
        "Asylum applicants with Ukrainian citizenship (temporary protection beneficiaries are counted "
        "separately).",
        "migr_asyappctza: citizen UA, asyl_app ASY_APP", ("migr_asyappctza",), caveats=(ROUNDING_NOTE,),
    ),
    Indicator(
        "asylum_applicants_monthly", "Asylum applicants (monthly)", "persons", "asylum",
        "Asylum applicants lodged in the month.",
        "migr_asyappctzm: citizen TOTAL, asyl_app ASY_APP", ("migr_asyappctzm",), freq="M",
        caveats=(ROUNDING_NOTE, MONTHLY_NOTE),
    ),
    Indicator(
        "first_time_applicants_monthly", "First-time asylum applicants (monthly)", "persons", "asylum",
        "Persons who applied for international protection for the first time in that member state, by "
        "month of application.",
        "migr_asyappctzm: citizen TOTAL, asyl_app NASY_APP", ("migr_asyappctzm",), freq="M",
        caveats=(ROUNDING_NOTE, MONTHLY_NOTE),
    ),
    _tp,
    _per_capita(_tp, 100_000),
    _decisions,
    _positive,
    Indicator(
        "recognition_rate", "Recognition rate (first instance)", "% of decisions", "decisions",
        "Positive first-instance decisions as a share of all first-instance decisions.",
        "positive_decisions / first_instance_decisions x 100; where the file has no total, "
        "TOTAL_POS / (TOTAL_POS + REJECTED) x 100 (Eurostat's total is their sum)",
        ("migr_asydcfsta",), variant="rate", base="positive_decisions",
        caveats=("Decisions in a year may concern applications lodged in earlier years.",),
    ),
    Indicator(
        "first_instance_decisions_quarterly", "First-instance decisions (quarterly)", "decisions",
        "decisions", "Decisions on asylum applications taken by the first-instance authority in the quarter.",
        "migr_asydcfstq: decision TOTAL, citizen TOTAL", ("migr_asydcfstq",), freq="Q",
        caveats=(ROUNDING_NOTE, QUARTERLY_NOTE),
    ),
    Indicator(
        "positive_decisions_quarterly", "Positive first-instance decisions (quarterly)", "decisions",
        "decisions", "First-instance decisions in the quarter granting refugee status, subsidiary protection "
        "or humanitarian status.",
        "migr_asydcfstq: decision TOTAL_POS, citizen TOTAL", ("migr_asydcfstq",), freq="Q",
        caveats=(ROUNDING_NOTE, QUARTERLY_NOTE),
    ),
    Indicator(
        "recognition_rate_quarterly", "Recognition rate (first instance, quarterly)", "% of decisions",
        "decisions", "Positive first-instance decisions as a share of all first-instance decisions in the "
        "quarter.",
        "positive_decisions_quarterly / first_instance_decisions_quarterly x 100", ("migr_asydcfstq",),
        freq="Q", variant="rate", base="positive_decisions_quarterly",
        caveats=("Decisions in a quarter may concern applications lodged earlier.", QUARTERLY_NOTE),
    ),
    Indicator(
        "refugee_status_decisions_quarterly", "Decisions granting refugee status (quarterly)", "decisions",
        "decisions", "First-instance decisions granting Geneva Convention (refugee) status.",
        "migr_asydcfstq: decision GENCONV, citizen TOTAL", ("migr_asydcfstq",), freq="Q",
        caveats=(ROUNDING_NOTE, BY_TYPE_NOTE),
    ),
    Indicator(
        "humanitarian_status_decisions_quarterly", "Decisions granting humanitarian status (quarterly)",
        "decisions", "decisions", "First-instance decisions granting authorisation to stay for "
        "humanitarian reasons under national law.",
        "migr_asydcfstq: decision HUMSTAT, citizen TOTAL", ("migr_asydcfstq",), freq="Q",
        caveats=(ROUNDING_NOTE, BY_TYPE_NOTE),
    ),
    Indicator(
        "rejected_decisions_quarterly", "Rejections at first instance (quarterly)", "decisions",
        "decisions", "First-instance decisions rejecting the application.",
        "migr_asydcfstq: decision REJECTED, citizen TOTAL", ("migr_asydcfstq",), freq="Q",
        caveats=(ROUNDING_NOTE, BY_TYPE_NOTE),
    ),
    _illegal,
    _per_capita(_illegal, 100_000),
    Indicator(
        "illegally_present_external_border", "Found illegally present at the external border",
        "persons", "irregular",
        "Found illegally present in the external border area (at or between border crossing points).",
        "migr_eipre: reason TOTAL, apprehen BRD_EXT", ("migr_eipre",),
        caveats=(APPREHENSION_NOTE,),
    ),
    Indicator(
        "illegally_present_inland", "Found illegally present inland", "persons", "irregular",
        "Found illegally present in the inland area.",
        "migr_eipre: reason TOTAL, apprehen INL", ("migr_eipre",),
        caveats=(APPREHENSION_NOTE,),
    ),
    Indicator(
        "refused_entry", "Refused entry at the external borders", "persons", "irregular",
        "Third-country nationals refused entry at the external borders (all borders and reasons).",
        "migr_eirfs: border TOTAL, reason TOTAL, citizen TOTAL", ("migr_eirfs",),
    ),
    Indicator(
        "frontex_detections", "Illegal border-crossings detected (Frontex)", "detections", "routes",
        "Detections of illegal border-crossing at the EU external borders, by route, all nationalities.",
        "frontex_ibc: sum over nationalities and border types for the route and month",
        ("frontex_ibc",), freq="M", geo_kind="route",
        caveats=("Frontex counts detections, not persons: one person may be detected several times.",),
    ),
    Indicator(
        "iom_dead_missing", "Dead and missing migrants (IOM)", "persons", "routes",
        "Migrants recorded dead or missing on the route, by month of the incident.",
        "iom_mmp: sum of dead and missing over incidents of the route and month",
        ("iom_mmp",), freq="M", geo_kind="route",
        caveats=("IOM records are a minimum estimate: many deaths are never recorded.",),
    ),
    _ordered,
    _returned,
    Indicator(
        "return_rate", "Return ratio (returned / ordered to leave)", "% ratio", "returns",
        "Third-country nationals returned as a share of those ordered to leave in the same year.",
        "returned / ordered_to_leave x 100", ("migr_eiord", "migr_eirtn"), variant="rate", base="returned",
        caveats=(
            "A ratio of two different cohorts: people returned in a year were often ordered to leave in "
            "an earlier year, so it is not the share of orders carried out and can exceed 100%.",
        ),
    ),
    Indicator(
        "dublin_requests_incoming", "Incoming Dublin requests", "requests", "dublin",
        "Requests received from other Dublin states to take charge of or take back an applicant.",
        "migr_dubri: request REQ, leg_prov TOTAL, partner TOTAL", ("migr_dubri",),
    ),
    Indicator(
        "dublin_transfers_in", "Incoming Dublin transfers", "transfers", "dublin",
        "Persons transferred to the member state from other Dublin states.",
        "migr_dubti: leg_prov TOTAL, duration TOTAL, partner TOTAL", ("migr_dubti",),
        caveats=("Transfers in this snapshot end in 2014.",),
    ),
    Indicator(
        "dublin_transfers_out", "Outgoing Dublin transfers", "transfers", "dublin",
        "Persons transferred by the member state to other Dublin states.",
        "migr_dubto: leg_prov TOTAL, duration TOTAL, partner TOTAL", ("migr_dubto",),
        caveats=("Transfers in this snapshot end in 2014.",),
    ),
    _permits,
    _per_1000(_permits),
    _immigration,
    _per_1000(_immigration),
    Indicator(
        "population", "Population on 1 January", "persons", "population",
        "Usually resident population on 1 January.",
        "demo_gind: indic_de JAN (demo_pjan for the legacy years)", ("demo_gind", "demo_pjan"),
    ),
    Indicator(
        "foreign_population", "Foreign citizens", "persons", "population",
        "Residents who are citizens of another country or stateless, on 1 January.",
        "migr_pop1ctz: citizen FOR_STLS, age TOTAL, sex T", ("migr_pop1ctz",),
    ),
    Indicator(
        "foreign_population_share", "Foreign citizens, share of population", "% of population", "population",
        "Foreign citizens and stateless persons as a share of the population on 1 January.",
        "foreign_population / population x 100", ("migr_pop1ctz", "demo_gind", "demo_pjan"),
        variant="rate", base="foreign_population",
    ),
    _refugees,
    _per_1000(_refugees),
    _asylum_seekers,
    _per_1000(_asylum_seekers),
)  # fmt: skip

BY_ID: dict[str, Indicator] = {ind.id: ind for ind in INDICATORS}


def variants_of(base_id: str) -> dict[str, str]:
    """{"absolute": id, "per_capita": id, "share_eu": id, ...} for one base indicator."""
    out = {"absolute": base_id}
    for ind in INDICATORS:
        if ind.base == base_id and ind.variant in ("per_capita", "share_eu"):
            out[ind.variant] = ind.id
    return out
