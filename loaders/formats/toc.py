"""Eurostat's catalogue (table of contents) TXT: when each dataset was last updated.

The manifest records the publisher's last update of every dataset we load, and the dashboard says
how fresh a series is; for files that do not carry it themselves (TSV, legacy CSV) it comes from here.

Layout (`catalogue/toc/txt?lang=en`): quoted, tab separated, header
`"title" "code" "type" "last update of data" "last table structure change" "data start" "data end"
"values"`; a title's 4-space indent is its depth in the folder tree; dates are DD.MM.YYYY and a
single space `" "` means blank (folders). A dataset filed in several folders appears once per folder,
so codes are deduplicated here (and the copies must agree).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pandas as pd

from loaders import tidy
from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import head_text

HEADER = [
    "title",
    "code",
    "type",
    "last update of data",
    "last table structure change",
    "data start",
    "data end",
]
OPTIONAL = ["values"]
COLUMNS = ["code", "title", "type", "last_update", "last_structure_change", "data_start", "data_end", "depth"]
_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")


def sniff(head: bytes) -> bool:
    """The TOC's quoted header, `"title"<TAB>"code"<TAB>"type"<TAB>"last update of data"`."""
    first = head_text(head).split("\n", 1)[0]
    return first.startswith('"title"\t"code"\t"type"\t"last update of data"')


def _date(text: str, source: str, line: int, column: str) -> str | None:
    """`02.06.2023` -> `2023-06-02`; blank -> None; anything else is an error.

    An update dated before 1900 or after next year (`0000`, `6016`) is a damaged cell, not a date.
    """
    text = text.strip()
    if not text:
        return None
    if _DATE.match(text):
        if problem := tidy.year_problem(int(text[-4:])):
            raise LoaderError(source, f"{column} {text!r} is impossible: {problem}", line=line)
        try:
            return datetime.strptime(text, "%d.%m.%Y").date().isoformat()
        except ValueError:
            pass
    raise LoaderError(source, f"{column} {text!r} is not a date", line=line, expected="DD.MM.YYYY or blank")


def read(data: bytes, source: str) -> ReadResult:
    """One row per catalogue code with its dates (ISO), type and depth in the folder tree."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(source, f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    try:
        header = next(reader, None)
        if header is None:
            raise LoaderError(source, "file is empty")
        if header[: len(HEADER)] != HEADER or header[len(HEADER) :] not in ([], OPTIONAL):
            raise LoaderError(
                source, f"header {header[:8]!r} is not the catalogue's", line=1, expected="\t".join(HEADER)
            )
        rows: list[dict] = []
        first_line: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise LoaderError(
                    source,
                    f"{len(row)} fields instead of {len(header)}",
                    line=line,
                    expected="tab-separated fields",
                )
            title, code = row[0], row[1].strip()
            indent = len(title) - len(title.lstrip(" "))
            if indent % 4 or not code:
                raise LoaderError(
                    source,
                    "title indent is not a multiple of 4 or code is blank",
                    line=line,
                    expected="4-space indent",
                )
            entry = {
                "code": code,
                "title": title.strip(),
                "type": row[2].strip(),
                "last_update": _date(row[3], source, line, "last update of data"),
                "last_structure_change": _date(row[4], source, line, "last table structure change"),
                "data_start": row[5].strip() or None,
                "data_end": row[6].strip() or None,
                "depth": indent // 4,
            }
            if code in first_line:
                _same(rows[first_line[code]], entry, source, line, code)
                continue
            first_line[code] = len(rows)
            entry["_line"] = line
            rows.append(entry)
    except csv.Error as exc:
        raise LoaderError(source, f"broken quoting ({exc})", line=reader.line_num) from None
    if not rows:
        raise LoaderError(source, "no entries after the header", line=1)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for col in COLUMNS[:-1]:
        frame[col] = frame[col].astype("string")
    frame["depth"] = frame["depth"].astype("int64")
    return ReadResult(frame=frame, format="eurostat_toc", kind="reference", extra={"codes": len(frame)})


def _same(kept: dict, again: dict, source: str, line: int, code: str) -> None:
    """A code filed in two folders must say the same thing in both (depth may differ)."""
    fields = [k for k in COLUMNS if k not in ("depth", "code")]
    differ = [k for k in fields if kept[k] != again[k]]
    if differ:
        raise LoaderError(
            source,
            f"{code} is listed again with a different {', '.join(differ)} than on line {kept['_line']}",
            line=line,
            expected="copies of a code in several folders to agree",
        )


def last_updates(frame: pd.DataFrame) -> dict[str, str]:
    """code -> last update (ISO date) for every dataset and table that has one (folders have none)."""
    dated = frame.dropna(subset=["last_update"])
    return dict(zip(dated["code"].astype(str), dated["last_update"].astype(str), strict=True))


FORMATS = [("eurostat_toc", sniff, read)]
