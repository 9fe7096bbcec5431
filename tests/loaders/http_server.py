"""A stand-in for the publishers on 127.0.0.1: the real files from ../shared/data under their URL paths.

Paths mirror the live services (see loaders/sources), each under a prefix that becomes the base
address given to `update`:

    /eurostat/api/dissemination/catalogue/toc/txt          the TOC file (dates can be moved on)
    /eurostat/api/dissemination/sdmx/2.1/datastructure/ESTAT/CODE   the dataset's DSD, an SDMX-ML 2.1
        structure message in Eurostat's layout, generated from the registry's `dimensions` (or from
        `dsd_dimensions[code]`, to play a DSD that has moved on)
    /eurostat/api/dissemination/sdmx/2.1/data/CODE/KEY      the dataset's newest registry file,
        filtered by startPeriod/endPeriod and by the geo in KEY (SDMX-CSV with codes only),
        gzipped when compressed=true; a KEY whose length is not the DSD's is refused (400)
    /eurostat/api/dissemination/1.0/async/status|data/ID    Eurostat's asynchronous delivery
    /gisco/nuts/geojson/NAME                                GISCO GeoJSON
    /unhcr/population/v1/population/                        UNHCR API pages, built from the real CSV
    /iom/missing_migrants.csv, /frontex/ibc.csv             IOM (derived) and Frontex files
    IOM's real all-data path                                 IOM's own download layout

Faults are queued per route ("data:CODE", "dsd:CODE", "toc", "gisco", "unhcr", "iom", "async") and
used up in order, one per request: "404", "500", "503", "429:SECONDS", "sleep:SECONDS", "truncate"
(a cut gzip with a matching Content-Length), "drop" (connection closed mid-body), "html" (an error
page with status 200), "async:N" (queued, then N times PROCESSING), "async_zip:N", "expired" (async
ends EXPIRED).
`max_rows[CODE] = N` answers 413 EXTRACTION_TOO_BIG whenever a request would return more than N rows.
Every request is logged, so tests assert what was (and was not) asked.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
import threading
import time
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from loaders import registry
from loaders.fetch import HttpClient
from loaders.registry import BY_ID

EUROSTAT = "/eurostat/api/dissemination"
GISCO = "/gisco"
UNHCR = "/unhcr/population/v1"
IOM = "/iom/missing_migrants.csv"
IOM_ALL_DATA = urlsplit(registry.IOM_ALL_DATA).path  # IOM's own download, at its real path
FRONTEX = "/frontex/ibc.csv"
UNHCR_FIELDS = {
    "Refugees": "refugees",
    "Returned Refugees": "returned_refugees",
    "Asylum Seekers": "asylum_seekers",
    "IDPs": "idps",
    "Returned IDPs": "returned_idps",
    "Stateless": "stateless",
    "HST": "hst",
    "OOC": "ooc",
}
NO_RESULTS = (
    b'<S:Fault xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>404</faultcode>'
    b"<faultstring>NO_RESULTS_FOUND: No results found for the query</faultstring></S:Fault>"
)
SDMX_NS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1"
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Service temporarily unavailable</title></head>"
    b"<body><h1>We are doing maintenance</h1></body></html>"
)


@dataclass
class Seen:
    """One request as the server saw it."""

    route: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    sent: int = 0  # body bytes sent


@dataclass
class PublisherServer:
    shared: Path
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    max_rows: dict[str, int] = field(default_factory=dict)
    toc_dates: dict[str, str] = field(default_factory=dict)  # code -> DD.MM.YYYY served in the TOC
    unhcr_page_size: int | None = None  # force paging: at most this many items per page
    log: list[Seen] = field(default_factory=list)
    asyncs: dict[str, dict] = field(default_factory=dict)
    dsd_dimensions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> DSD key order
    iom_all_data: bytes | None = None  # served at IOM's real path instead of the shared 2026 file

    def __post_init__(self) -> None:
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.lock = threading.Lock()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def endpoints(self) -> dict[str, str]:
        """Keyword arguments for loaders.sources.Endpoints."""
        return {
            "eurostat": self.root + EUROSTAT,
            "gisco": self.root + GISCO,
            "unhcr": self.root + UNHCR,
            "iom_url": self.root + IOM_ALL_DATA,
        }

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def seen(self, route_prefix: str = "") -> list[Seen]:
        return [s for s in self.log if s.route.startswith(route_prefix)]

    def dsd_codes(self) -> list[str]:
        """Eurostat datasets whose structure was requested, in order."""
        return [s.route.split(":", 1)[1] for s in self.seen("dsd:")]

    def data_codes(self) -> list[str]:
        """Eurostat datasets whose data was requested, in order."""
        return [s.route.split(":", 1)[1] for s in self.seen("data:")]

    # --- content -------------------------------------------------------------------------------

    def file_for(self, code: str) -> Path:
        ds = BY_ID[code]
        return self.shared / ds.files[-1].path

    def toc(self) -> bytes:
        text = (self.shared / "eurostat/toc/table_of_contents_en.txt").read_text("utf-8")
        if not self.toc_dates:
            return text.encode("utf-8")
        out = []
        for line in text.splitlines(keepends=True):
            cells = line.split("\t")
            code = cells[1].strip('"') if len(cells) > 3 else ""
            if code in self.toc_dates:
                cells[3] = f'"{self.toc_dates[code]}"'
            out.append("\t".join(cells))
        return "".join(out).encode("utf-8")

    def key_dimensions(self, code: str) -> tuple[str, ...]:
        """The key order this server's DSD for `code` announces."""
        return self.dsd_dimensions.get(code) or BY_ID[code].dimensions

    def structure(self, code: str) -> bytes:
        """The DSD as Eurostat serves it: SDMX-ML 2.1, m/s/c prefixes, Dimension@position."""
        return dsd_message(code, self.key_dimensions(code))

    def eurostat_data(self, code: str, key: str, query: dict[str, str]) -> tuple[bytes, int]:
        """The file's bytes, filtered like the API would (SDMX-CSV with codes); and its row count."""
        dims = self.key_dimensions(code)
        parts = key.split(".")
        if key and len(parts) != len(dims):
            problem = f"Invalid key {key!r}: the DSD has {len(dims)} dimensions"
            raise Refused(f"data:{code}", 400, _fault_xml(400, problem))
        raw = self.file_for(code).read_bytes()
        if not raw.startswith(b"DATAFLOW,") or b"TIME_PERIOD" not in raw[:500]:
            return raw, max(1, raw.count(b"\n"))  # other layouts are served whole (JSON is one line)
        text = raw.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        head, body = rows[0], [r for r in rows[1:] if r]
        t, g = head.index("TIME_PERIOD"), head.index("geo")
        start, end = query.get("startPeriod"), query.get("endPeriod")
        geo_pos = dims.index("geo")
        geos = set(parts[geo_pos].split("+")) if len(parts) > geo_pos and parts[geo_pos] else None
        kept = [
            r
            for r in body
            if (not start or r[t][:4] >= start[:4])
            and (not end or r[t][:4] <= end[:4])
            and (geos is None or r[g] in geos)
        ]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([head, *kept])
        return buffer.getvalue().encode("utf-8"), len(kept)

    def unhcr_page(self, query: dict[str, str]) -> bytes:
        size = min(int(query.get("limit", "100")), self.unhcr_page_size or 10**9)
        return unhcr_api_page(self.shared, page=int(query.get("page", "1")), size=size)

    def take_fault(self, route: str) -> str | None:
        with self.lock:
            queue = self.faults.get(route)
            return queue.pop(0) if queue else None


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that hung up (timeouts, retries leaving a body unread) is expected here, not news."""
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_state: PublisherServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        state = self.server_state
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            route, body, ctype = self._route(path, query)
        except Refused as refusal:
            seen = Seen(refusal.route, parts.path, query, headers)
            state.log.append(seen)
            return self._send(seen, refusal.status, refusal.body, "text/xml")
        seen = Seen(route, parts.path, query, headers)
        state.log.append(seen)
        if body is None or (isinstance(body, tuple) and body[1] == 0):
            return self._send(seen, 404, NO_RESULTS, "text/xml")
        fault = state.take_fault(route)
        if route.startswith("data:") and fault is None:
            code = route.split(":", 1)[1]
            if code in state.max_rows and body[1] > state.max_rows[code]:
                fault = "413"
        if isinstance(body, tuple):
            body = body[0]
        if fault and self._fault(fault, seen, body, query, ctype):
            return
        if query.get("compressed") == "true":
            body = gzip.compress(body, mtime=0)
            ctype = "application/octet-stream"
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(seen, 304, b"", ctype, {"ETag": etag})
        self._send(seen, 200, body, ctype, {"ETag": etag})

    def _route(self, path: str, query: dict[str, str]):
        """(route name, body or None, content type)."""
        state = self.server_state
        if path == f"{EUROSTAT}/catalogue/toc/txt":
            return "toc", state.toc(), "text/plain"
        if path.startswith(f"{EUROSTAT}/sdmx/2.1/datastructure/ESTAT/"):
            name = path.removeprefix(f"{EUROSTAT}/sdmx/2.1/datastructure/ESTAT/").split("/")[0]
            code = {c.upper(): c for c in _codes()}.get(name)
            return f"dsd:{code or name}", state.structure(code) if code else None, "application/xml"
        if path.startswith(f"{EUROSTAT}/sdmx/2.1/data/"):
            code, _, key = path.removeprefix(f"{EUROSTAT}/sdmx/2.1/data/").partition("/")
            if code not in {d for d in _codes()}:
                return f"data:{code}", None, ""
            return f"data:{code}", state.eurostat_data(code, key, query), "text/csv"
        if path.startswith(f"{EUROSTAT}/1.0/async/"):
            kind, _, key = path.removeprefix(f"{EUROSTAT}/1.0/async/").partition("/")
            job = state.asyncs.get(key)
            if job is None:
                return "async", None, ""
            if kind == "status":
                return "async:status", _async_status(job, key), "text/xml"
            return "async:data", job["body"], "application/octet-stream"
        if path.startswith(f"{GISCO}/nuts/geojson/"):
            name = path.rsplit("/", 1)[1]
            file = state.shared / "gisco" / name
            return "gisco", file.read_bytes() if file.is_file() else None, "application/geo+json"
        if path.rstrip("/") == f"{UNHCR}/population":
            return "unhcr", state.unhcr_page(query), "application/json"
        if path == IOM_ALL_DATA:
            body = (
                state.iom_all_data
                or (state.shared / "iom/MissingMigrants-Global-2026-05-06.csv").read_bytes()
            )
            return "iom", body, "text/csv"
        if path == IOM:
            return "iom", (state.shared / "iom/missing_migrants_2014-2025.csv").read_bytes(), "text/csv"
        if path == FRONTEX:
            return "frontex", (state.shared / "frontex/ibc_monthly_2009-2025.csv").read_bytes(), "text/csv"
        return "unknown", None, ""

    def _fault(self, fault: str, seen: Seen, body: bytes, query: dict[str, str], ctype: str) -> bool:
        """Act out one fault; True when the answer has been sent."""
        name, _, arg = fault.partition(":")
        if name == "404":
            self._send(seen, 404, _fault_xml(404, "No structure or data found"), "text/xml")
            return True
        if name in ("500", "502", "503"):
            self._send(seen, int(name), b"<html><title>Internal error</title></html>", "text/html")
            return True
        if name == "429":
            self._send(seen, 429, b"slow down", "text/plain", {"Retry-After": arg})
            return True
        if name == "413":
            fault_xml = (
                b'<S:Fault xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>413</faultcode>'
                b"<faultstring>EXTRACTION_TOO_BIG: The requested extraction is too big, estimated 420709314"
                b" rows, max authorised is 5000000, please change your filters</faultstring></S:Fault>"
            )
            self._send(seen, 413, fault_xml, "text/xml")
            return True
        if name == "sleep":
            time.sleep(float(arg))
            return False  # then answer normally (the client may have gone)
        if name == "html":
            self._send(seen, 200, HTML_PAGE, "text/html")
            return True
        if name == "truncate":
            packed = gzip.compress(body, mtime=0)
            self._send(seen, 200, packed[: len(packed) // 2], "application/octet-stream")
            return True
        if name == "drop":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.close_connection = True
            seen.status, seen.sent = 200, len(body) // 3
            return True
        if name in ("async", "async_zip", "expired"):
            key = str(uuid.uuid4())
            payload = gzip.compress(body, mtime=0) if query.get("compressed") == "true" else body
            if name == "async_zip":
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w") as archive:
                    archive.writestr("data.csv", body)
                payload = buffer.getvalue()
            self.server_state.asyncs[key] = {
                "waits": int(arg or 0),
                "body": payload,
                "final": "EXPIRED" if name == "expired" else "AVAILABLE",
            }
            envelope = (
                '<?xml version="1.0" encoding="UTF-8" ?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/'
                'soap/envelope/"><env:Header/><env:Body><ns0:syncResponse xmlns:ns0="http://estat.ec.europa.'
                f'eu/disschain/soap/extraction"><processingTime>92</processingTime><queued><id>{key}</id>'
                "<status>SUBMITTED</status></queued></ns0:syncResponse></env:Body></env:Envelope>"
            ).encode()
            self._send(seen, 200, envelope, "text/xml")
            return True
        raise AssertionError(f"unknown fault {fault!r}")

    def _send(self, seen: Seen, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        seen.status, seen.sent = status, len(body)
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left


def unhcr_api_page(shared: Path, *, page: int = 1, size: int = 10**9) -> bytes:
    """The real Refugee Data Finder CSV as a UNHCR API page (the same numbers), as the API pages it."""
    path = shared / "unhcr/population_eu_2008-2024.csv"
    items = []
    for r in csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))):
        item = {
            "year": int(r["Year"]),
            "coa_name": r["Country of Asylum"],
            "coa": r["Country of Asylum ISO"],
            "coa_iso": r["Country of Asylum ISO"],
            "coo_name": r["Country of Origin"],
            "coo": r["Country of Origin ISO"],
            "coo_iso": r["Country of Origin ISO"],
        }
        for column, name in UNHCR_FIELDS.items():
            cell = r[column].strip()
            item[name] = int(cell) if cell.isdigit() else "-"
        items.append(item)
    pages = max(1, -(-len(items) // size))
    chunk = items[(page - 1) * size : page * size]
    return json.dumps({"page": page, "maxPages": pages, "total": len(items), "items": chunk}).encode()


class Refused(Exception):
    """A request the real API would refuse outright (e.g. a key of the wrong length)."""

    def __init__(self, route: str, status: int, body: bytes):
        super().__init__(route)
        self.route, self.status, self.body = route, status, body


def _fault_xml(code: int, text: str) -> bytes:
    return (
        f'<S:Fault xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>{code}</faultcode>'
        f"<faultstring>{text}</faultstring></S:Fault>"
    ).encode()


def dsd_message(code: str, dimensions: tuple[str, ...]) -> bytes:
    """An SDMX-ML 2.1 structure message with one DataStructure, laid out like Eurostat's answer to
    `datastructure/ESTAT/CODE`: key dimensions with their position, then TIME_PERIOD, OBS_FLAG, OBS_VALUE."""
    dsd = code.upper()
    urn = "urn:sdmx:org.sdmx.infomodel.datastructure"

    def concept(cid: str) -> str:
        return (
            f'<s:ConceptIdentity><Ref agencyID="ESTAT" class="Concept" id="{cid}" '
            f'maintainableParentID="{dsd}" maintainableParentVersion="1.0" package="conceptscheme"/>'
            "</s:ConceptIdentity>"
        )

    def codelist(cid: str) -> str:
        return (
            '<s:LocalRepresentation><s:Enumeration><Ref agencyID="ESTAT" class="Codelist" '
            f'id="{cid.upper()}" package="codelist" version="1.0"/></s:Enumeration></s:LocalRepresentation>'
        )

    dims = "".join(
        f'<s:Dimension id="{d}" position="{i}" urn="{urn}.Dimension=ESTAT:{dsd}(1.0).{d}">'
        f"{concept(d)}{codelist(d)}</s:Dimension>"
        for i, d in enumerate(dimensions, start=1)
    )
    time = (
        f'<s:TimeDimension id="TIME_PERIOD" position="{len(dimensions) + 1}" '
        f'urn="{urn}.TimeDimension=ESTAT:{dsd}(1.0).TIME_PERIOD">{concept("TIME_PERIOD")}'
        '<s:LocalRepresentation><s:TextFormat textType="ObservationalTimePeriod"/></s:LocalRepresentation>'
        "</s:TimeDimension>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<m:Structure xmlns:m="{SDMX_NS}/message" xmlns:s="{SDMX_NS}/structure" xmlns:c="{SDMX_NS}/common">'
        f"<m:Header><m:ID>DSD_{dsd}</m:ID><m:Test>false</m:Test>"
        '<m:Prepared>2025-01-01T00:00:00Z</m:Prepared><m:Sender id="ESTAT"/></m:Header>'
        "<m:Structures><s:DataStructures>"
        f'<s:DataStructure id="{dsd}" urn="{urn}.DataStructure=ESTAT:{dsd}(1.0)" agencyID="ESTAT" '
        f'version="1.0" isFinal="true"><c:Name xml:lang="en">{dsd} data structure</c:Name>'
        "<s:DataStructureComponents>"
        f'<s:DimensionList id="DimensionDescriptor">{dims}{time}</s:DimensionList>'
        '<s:AttributeList id="AttributeDescriptor"><s:Attribute assignmentStatus="Conditional" id="OBS_FLAG">'
        f"{concept('OBS_FLAG')}{codelist('OBS_FLAG')}<s:AttributeRelationship><s:PrimaryMeasure>"
        '<Ref id="OBS_VALUE"/></s:PrimaryMeasure></s:AttributeRelationship></s:Attribute></s:AttributeList>'
        f'<s:MeasureList id="MeasureDescriptor"><s:PrimaryMeasure id="OBS_VALUE">{concept("OBS_VALUE")}'
        "</s:PrimaryMeasure></s:MeasureList>"
        "</s:DataStructureComponents></s:DataStructure></s:DataStructures></m:Structures></m:Structure>"
    ).encode()


def _codes() -> set[str]:
    return {d.id for d in BY_ID.values() if d.dimensions}


def _async_status(job: dict, key: str) -> bytes:
    if job["waits"] > 0:
        job["waits"] -= 1
        status = "PROCESSING"
    else:
        status = job["final"]
    return (
        '<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/'
        'envelope/"><env:Header/><env:Body><ns0:asyncResponse xmlns:ns0="http://estat.ec.europa.eu/disschain/'
        'soap/asynchronous"><ns1:status xmlns:ns1="http://estat.ec.europa.eu/disschain/asynchronous">'
        f"<ns1:key>{key}</ns1:key><ns1:status>{status}</ns1:status></ns1:status></ns0:asyncResponse>"
        "</env:Body></env:Envelope>"
    ).encode()


def fast_client(**kw) -> HttpClient:
    """A client for tests: tiny backoff, no jitter, no real sleeping (waits are recorded)."""
    settings = dict(
        connect_timeout=2.0,
        read_timeout=2.0,
        max_attempts=3,
        backoff=0.01,
        progress=False,
        sleep=lambda s: None,
        jitter=lambda: 0.0,
    )
    settings.update(kw)
    return HttpClient(**settings)
