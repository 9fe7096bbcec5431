"""HTTP client, raw cache, publisher URLs and the UNHCR API reader, against a local server only.

Every wait is checked through the client's injectable sleep (recorded in `client.waits`), never by
the wall clock; timeouts are a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from loaders.errors import LoaderError
from loaders.fetch import FetchError, Validators, cached_for, save_raw
from loaders.formats import read_bytes, read_path
from loaders.registry import BY_ID, DATASETS
from loaders.sources import Endpoints, guess_ext
from loaders.sources import eurostat as es
from loaders.sources import eurostat_dsd as dsd
from loaders.sources import unhcr as unhcr_source
from tests.loaders.http_server import IOM, PublisherServer, dsd_message, fast_client, unhcr_api_page


@pytest.fixture
def server(shared_data: Path):
    srv = PublisherServer(shared_data)
    yield srv
    srv.close()


client = fast_client


# --- retries ---------------------------------------------------------------------------------


def test_500_then_success_is_retried_with_exponential_backoff(server: PublisherServer, shared_data: Path):
    server.faults["iom"] = ["500", "503"]
    c = client()
    resp = c.get(server.root + IOM)
    assert resp.status == 200 and resp.attempts == 3
    assert resp.body == (shared_data / "iom/missing_migrants_2014-2025.csv").read_bytes()
    assert [s.status for s in server.seen("iom")] == [500, 503, 200]
    assert c.waits == [0.005, 0.01]  # backoff 0.01 doubling, half of it fixed (jitter 0)


def test_jitter_spreads_the_backoff():
    c = client(backoff=2.0, jitter=lambda: 1.0)
    assert [c._backoff(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    c = client(backoff=2.0, jitter=lambda: 0.0, backoff_max=3.0)
    assert [c._backoff(n) for n in (1, 2, 3)] == [1.0, 1.5, 1.5]


def test_persistent_5xx_gives_up_clearly(server: PublisherServer):
    server.faults["iom"] = ["503"] * 5
    with pytest.raises(FetchError, match=r"gave up after 3 attempts; last: HTTP 503") as err:
        client().get(server.root + IOM)
    assert err.value.status is None
    assert len(server.seen("iom")) == 3


def test_429_retry_after_seconds_is_honoured(server: PublisherServer):
    server.faults["iom"] = ["429:7"]
    c = client()
    assert c.get(server.root + IOM).status == 200
    assert c.waits == [7.0]
    assert [s.status for s in server.seen("iom")] == [429, 200]


def test_429_retry_after_http_date_is_honoured(server: PublisherServer):
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    server.faults["iom"] = [f"429:{email.utils.format_datetime(when, usegmt=True)}"]
    c = client()
    assert c.get(server.root + IOM).status == 200
    assert len(c.waits) == 1 and 25 <= c.waits[0] <= 30


def test_retry_after_longer_than_we_wait_fails_at_once(server: PublisherServer):
    server.faults["iom"] = ["429:3600"]
    with pytest.raises(FetchError, match=r"retry after 3600 s, more than the 600 s we wait") as err:
        client().get(server.root + IOM)
    assert err.value.status == 429
    assert len(server.seen("iom")) == 1


def test_read_timeout_is_retried_then_fails_clearly(server: PublisherServer):
    server.faults["iom"] = ["sleep:1"] * 3
    c = client(read_timeout=0.2)
    with pytest.raises(
        FetchError, match=r"gave up after 3 attempts; last: no answer within the read timeout"
    ):
        c.get(server.root + IOM)
    assert len(server.seen("iom")) == 3
    assert len(c.waits) == 2


def test_read_timeout_then_success(server: PublisherServer):
    server.faults["iom"] = ["sleep:1"]
    c = client(read_timeout=0.2)
    assert c.get(server.root + IOM).status == 200
    assert len(server.seen("iom")) == 2


def test_connection_dropped_mid_body_is_retried(server: PublisherServer, shared_data: Path):
    server.faults["iom"] = ["drop"]
    resp = client().get(server.root + IOM)
    assert resp.body == (shared_data / "iom/missing_migrants_2014-2025.csv").read_bytes()
    assert len(server.seen("iom")) == 2


def test_connection_refused_is_retried_then_fails():
    c = client(connect_timeout=0.2)
    with pytest.raises(FetchError, match=r"gave up after 3 attempts; last: connection failed"):
        c.get("http://127.0.0.1:9/nothing")  # port 9 (discard): nothing listens there
    assert len(c.waits) == 2


def test_client_errors_are_not_retried_and_keep_the_servers_words(server: PublisherServer):
    with pytest.raises(FetchError, match=r"HTTP 404: NO_RESULTS_FOUND") as err:
        client().get(server.root + "/eurostat/api/dissemination/sdmx/2.1/data/nonexistent/..")
    assert err.value.status == 404
    assert len(server.seen("data:")) == 1


def test_conditional_request_gets_304(server: PublisherServer):
    c = client()
    first = c.get(server.root + IOM)
    assert first.etag
    again = c.get(server.root + IOM, validators=Validators(etag=first.etag))
    assert again.not_modified and again.body == b""
    assert server.seen("iom")[1].headers["if-none-match"] == first.etag
    assert server.seen("iom")[1].sent == 0


# --- raw cache -------------------------------------------------------------------------------


def test_raw_cache_keeps_bytes_checksum_and_validators(tmp_path: Path):
    body = gzip.compress(b"DATAFLOW,LAST UPDATE\n")
    path = save_raw(
        tmp_path,
        "eurostat",
        "tps00176",
        body,
        ext="csv.gz",
        url="http://x/a",
        stamp="20250101T110000Z",
        etag='"e1"',
    )
    assert path == tmp_path / "raw/eurostat/tps00176/20250101T110000Z.csv.gz"
    assert path.read_bytes() == body
    check = subprocess.run(["sha256sum", "-c", path.name + ".sha256"], cwd=path.parent, capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr
    meta = json.loads(path.with_name(path.name + ".meta.json").read_text())
    assert meta["sha256"] == hashlib.sha256(body).hexdigest() and meta["etag"] == '"e1"'
    # a second answer in the same second never overwrites the first
    second = save_raw(
        tmp_path, "eurostat", "tps00176", b"other", ext="csv.gz", url="http://x/a", stamp="20250101T110000Z"
    )
    assert second != path and path.read_bytes() == body

    found = cached_for(tmp_path, "eurostat", "tps00176", "http://x/a")
    assert found is not None and found.path == second  # the newest for that URL
    assert cached_for(tmp_path, "eurostat", "tps00176", "http://x/other") is None
    second.write_bytes(b"tampered")  # a damaged cache entry is never used
    assert cached_for(tmp_path, "eurostat", "tps00176", "http://x/a").path == path


def test_guess_ext_from_content():
    assert guess_ext(gzip.compress(b"x"), "csv.gz") == "csv.gz"
    assert guess_ext(gzip.compress(b"x"), "txt") == "txt.gz"
    assert guess_ext(b"x,y\n", "csv.gz") == "csv"
    assert guess_ext(b"PK\x03\x04....", "xlsx") == "xlsx"
    assert guess_ext(b"PK\x03\x04....", "csv") == "zip"


# --- publisher addresses ----------------------------------------------------------------------


def test_series_key_joins_values_with_plus_in_dsd_order():
    ds = BY_ID["migr_asyappctza"]  # freq, citizen, sex, unit, age, asyl_app, geo
    assert es.series_key(ds) == ".TOTAL+UA.T.PER.TOTAL.ASY_APP+NASY_APP."
    assert es.series_key(ds, {"geo": ("DE", "FR")}) == ".TOTAL+UA.T.PER.TOTAL.ASY_APP+NASY_APP.DE+FR"
    url = es.data_url("https://ec.europa.eu/eurostat/api/dissemination", ds, start="2008", end="2012")
    assert url == (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/migr_asyappctza/"
        ".TOTAL+UA.T.PER.TOTAL.ASY_APP+NASY_APP.?format=SDMX-CSV&compressed=true&startPeriod=2008&endPeriod=2012"
    )


@pytest.mark.parametrize("ds", [d for d in DATASETS if d.dimensions], ids=lambda d: d.id)
def test_every_eurostat_dataset_has_a_key_for_its_filters(ds):
    key = es.series_key(ds)
    positions = key.split(".")
    assert len(positions) == len(ds.dimensions)
    for dim, cell in zip(ds.dimensions, positions, strict=True):
        assert cell == "+".join(ds.filters.get(dim, ())), dim


def test_a_filter_outside_the_dimensions_is_refused():
    ds = BY_ID["tps00176"]
    bad = type(ds)(**{**ds.__dict__, "filters": {**ds.filters, "colour": ("RED",)}})
    with pytest.raises(LoaderError, match="colour, which is not among its dimensions"):
        es.series_key(bad)


# --- Eurostat data structure definitions --------------------------------------------------------

SDMX = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1"


def structure_message(*components: str, ids: tuple[str, ...] = ("TPS00176",)) -> bytes:
    """A structure message with the SDMX standard's own prefixes (message:, structure:), not Eurostat's."""
    structures = "".join(
        f'<structure:DataStructure agencyID="ESTAT" id="{i}" version="1.0">'
        "<structure:DataStructureComponents>"
        f'<structure:DimensionList id="DimensionDescriptor">{"".join(components)}</structure:DimensionList>'
        "</structure:DataStructureComponents></structure:DataStructure>"
        for i in ids
    )
    return (
        f'<?xml version="1.0"?><message:Structure xmlns:message="{SDMX}/message" '
        f'xmlns:structure="{SDMX}/structure"><message:Structures><structure:DataStructures>{structures}'
        "</structure:DataStructures></message:Structures></message:Structure>"
    ).encode()


def test_dsd_url_names_the_dataset_in_upper_case():
    base = "https://ec.europa.eu/eurostat/api/dissemination"
    assert dsd.dsd_url(base, "migr_asyappctza") == f"{base}/sdmx/2.1/datastructure/ESTAT/MIGR_ASYAPPCTZA"


def test_dsd_dimensions_follow_position_not_document_order_and_skip_time():
    body = structure_message(
        '<structure:TimeDimension id="TIME_PERIOD" position="4"/>',
        '<structure:Dimension id="geo" position="3"/>',
        '<structure:Dimension id="freq" position="1"/>',
        '<structure:Dimension id="unit" position="2"/>',
    )
    assert dsd.parse_dimensions(body, "dsd", "tps00176") == ("freq", "unit", "geo")


def test_dsd_of_the_requested_code_is_picked_among_several():
    body = structure_message('<structure:Dimension id="geo" position="1"/>', ids=("OTHER", "TPS00176"))
    assert dsd.parse_dimensions(body, "dsd", "tps00176") == ("geo",)
    with pytest.raises(LoaderError, match="holds 2 data structures, none with id MIGR_EIRFS"):
        dsd.parse_dimensions(body, "dsd", "migr_eirfs")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html><title>Maintenance</title></html>", "holds no DataStructure"),
        (b"NO_RESULTS_FOUND", "is not XML"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x/>', "declares a DOCTYPE"),
        (structure_message('<structure:TimeDimension id="TIME_PERIOD" position="1"/>'), "no key dimensions"),
        (structure_message('<structure:Dimension id="geo" position="x"/>'), "has position 'x'"),
    ],
    ids=["html", "text", "doctype", "time-only", "bad-position"],
)
def test_unreadable_dsd_is_refused(body: bytes, problem: str):
    with pytest.raises(LoaderError, match=problem):
        dsd.parse_dimensions(body, "dsd", "tps00176")


@pytest.mark.parametrize("ds", [d for d in DATASETS if d.dimensions], ids=lambda d: d.id)
def test_the_stand_in_dsd_reads_back_as_the_registry_order(ds):
    """The test server's DSD (Eurostat's layout) parses to the registry's order, giving the same key."""
    dims = dsd.parse_dimensions(dsd_message(ds.code, ds.dimensions), "dsd", ds.code)
    assert dims == ds.dimensions
    layout = dsd.dsd_layout(ds, dims)
    assert layout.origin == "dsd" and layout.key() == es.series_key(ds)
    assert not any("order" in n or n.startswith("warning:") for n in layout.notes), layout.notes


def test_dsd_layout_places_filters_by_dimension_whatever_the_case():
    ds = BY_ID["migr_asyappctza"]  # filters citizen, sex, unit, age, asyl_app
    layout = dsd.dsd_layout(ds, ("FREQ", "GEO", "ASYL_APP", "AGE", "UNIT", "SEX", "CITIZEN"))
    assert layout.key() == "..ASY_APP+NASY_APP.TOTAL.PER.T.TOTAL+UA"
    assert layout.key({"geo": ("DE", "FR")}) == ".DE+FR.ASY_APP+NASY_APP.TOTAL.PER.T.TOTAL+UA"
    assert len(layout.notes) == 1 and "the DSD's order was used" in layout.notes[0]


def test_dsd_layout_drops_unknown_filters_and_names_open_dimensions():
    ds = BY_ID["tps00170"]  # filters reason, citizen, duration, unit; keeps nothing
    layout = dsd.dsd_layout(ds, ("freq", "reason", "citizen", "sex", "unit", "geo"))
    assert layout.key() == ".TOTAL.TOTAL..PER."
    dropped, open_ = [n for n in layout.notes if "order" not in n]
    assert dropped.startswith("warning: registry filter duration=TOTAL dropped")
    assert "'sex' has no registry filter and is not kept: the download may carry several values" in open_


def test_structures_read_each_dsd_once_and_fall_back_on_error(server: PublisherServer):
    structures = dsd.Structures(server.endpoints()["eurostat"])
    c = client()
    ds, other = BY_ID["tps00176"], BY_ID["migr_eirfs"]
    server.faults["dsd:migr_eirfs"] = ["404"]
    assert structures.layout(c, ds) is structures.layout(c, ds)
    assert structures.layout(c, ds).origin == "dsd" and structures.notes(ds) == ()
    fallback = structures.layout(c, other)
    assert fallback.origin == "registry" and fallback.key() == es.series_key(other)
    assert structures.notes(other)[0].startswith("could not read Eurostat's DSD (HTTP 404")
    assert server.dsd_codes() == ["tps00176", "migr_eirfs"]


def test_unhcr_url_asks_for_eu_and_efta_asylum_countries_by_iso3():
    url = unhcr_source.population_url("https://api.unhcr.org/population/v1", year_from=2008, year_to=2025)
    assert url.startswith("https://api.unhcr.org/population/v1/population/?limit=10000&page=1&yearFrom=2008")
    assert "coa_all=true" in url and "cf_type=ISO" in url
    countries = unhcr_source.asylum_countries()
    assert len(countries) == 31 and {"DEU", "GRC", "NOR", "CHE"} <= set(countries)


def test_endpoints_options_beat_environment_beat_defaults(tmp_path: Path):
    env = {"EUROSTAT_API_BASE": "http://mirror/eurostat/", "FRONTEX_URL": "http://f/x.xlsx"}
    ep = Endpoints.from_env(env, eurostat=None, gisco="http://g", frontex_file=None)
    assert ep.eurostat == "http://mirror/eurostat"  # trailing slash dropped
    assert ep.gisco == "http://g"
    assert ep.unhcr == "https://api.unhcr.org/population/v1"
    assert ep.frontex_url == "http://f/x.xlsx"
    ep = Endpoints.from_env(env, eurostat="http://cli")
    assert ep.eurostat == "http://cli"
    assert Endpoints.from_env({}).eurostat == "https://ec.europa.eu/eurostat/api/dissemination"


# --- UNHCR API reader ------------------------------------------------------------------------


def test_unhcr_api_page_reads_like_the_csv_export(shared_data: Path):
    page = unhcr_api_page(shared_data)
    from_api = read_bytes(page, "api")
    from_csv = read_path(shared_data / "unhcr/population_eu_2008-2024.csv")
    assert from_api.format == "unhcr_api_json" and from_api.dataset == "unhcr_population"
    pd.testing.assert_frame_equal(from_api.frame, from_csv.frame)
    # spot check one published number: Germany hosted 2,667,191 refugees at the end of 2024
    f = from_api.frame
    de = f[(f.geo == "DE") & (f.period == "2024") & (f.population == "REFUGEES")]
    assert de["value"].tolist() == [2667191.0] and de["citizen"].tolist() == ["TOTAL"]


def test_unhcr_api_pages_concatenate_to_the_whole(shared_data: Path):
    first = json.loads(unhcr_api_page(shared_data, page=1, size=100))
    assert first["maxPages"] == 5
    frames = [read_bytes(unhcr_api_page(shared_data, page=p, size=100), f"p{p}").frame for p in range(1, 6)]
    whole = read_bytes(unhcr_api_page(shared_data), "all").frame
    assert sum(len(f) for f in frames) == len(whole)


def _page(items: list[dict]) -> bytes:
    return json.dumps({"page": 1, "maxPages": 1, "items": items}).encode()


def test_unhcr_api_oip_and_missing_numbers():
    item = {
        "year": 2024,
        "coa_iso": "GRC",
        "coo_iso": "SYR",
        "refugees": 10,
        "asylum_seekers": "-",
        "oip": None,
    }
    frame = read_bytes(_page([item]), "x").frame.set_index("population")
    assert frame.loc["REFUGEES", "value"] == 10.0
    assert pd.isna(frame.loc["ASYLUM_SEEKERS", "value"]) and pd.isna(frame.loc["OIP", "value"])
    assert frame.loc["REFUGEES", "geo"] == "EL" and frame.loc["REFUGEES", "citizen"] == "SY"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_page([]), "no items"),
        (
            _page([{"year": 2024, "coa_iso": "ZZZ", "coo_iso": "-", "refugees": 1}]),
            "unknown country of asylum",
        ),
        (
            _page([{"year": 2024, "coa_iso": "DEU", "coo_iso": "-", "refugees": "many"}]),
            r"refugees is 'many'",
        ),
        (_page([{"year": "n/a", "coa_iso": "DEU", "coo_iso": "-", "refugees": 1}]), "has year"),
        (
            _page([{"year": 2024, "coa_iso": "DEU", "coo_iso": "-", "refugees": 1}] * 2),
            "repeats year 2024",
        ),
        (b'{"page": 1, "maxPages": 1, "items": [', "not valid JSON"),
    ],
)
def test_unhcr_api_bad_pages_are_refused(body: bytes, message: str):
    with pytest.raises(LoaderError, match=message):
        read_bytes(body, "api")
