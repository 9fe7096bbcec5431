"""Eurostat code lists, `code<TAB>label` per line (obs_flag.tsv, the bulk dictionary geo_en.dic).

They give the words behind codes: flag meanings and today's geo labels, which our reference tables
are checked against. The format is so plain that almost any two-column text could pass for it, so
it is sniffed last and strictly: every line exactly one tab, a code without spaces, then the label.

Older bulk dictionaries are Latin-1 / Windows-1252, not UTF-8. An entry with an empty label is kept
with label "": the code is still part of the list (dropping it would make a valid code look unknown),
and one unlabelled entry does not make the other thousands of labels wrong.
"""

from __future__ import annotations

import re

import pandas as pd

from loaders.errors import LoaderError
from loaders.formats import ReadResult
from loaders.formats._common import head_text

# Eurostat codes: letters, digits, `_ - . +` (EU27_2020, Y15-24, bep); never spaces, commas or quotes.
_CODE = re.compile(r"^[A-Za-z0-9_.+\-]+$")


def _problem(line: str) -> str | None:
    """Why a line is not `code<TAB>label`, or None when it is."""
    parts = line.split("\t")
    if len(parts) != 2:
        return f"{len(parts) - 1} tabs"
    if not _CODE.match(parts[0]):
        return f"code {parts[0]!r} is not a code (letters, digits, _ - . + only)"
    return None


def sniff(head: bytes) -> bool:
    """Every complete line in the head is `code<TAB>label` (the last one may be cut off), some labelled."""
    lines = head_text(head).splitlines()
    if lines and not head.endswith((b"\n", b"\r")):
        lines = lines[:-1] if len(lines) > 1 else lines
    lines = [ln for ln in lines if ln.strip()]
    return (
        bool(lines)
        and all(_problem(ln) is None for ln in lines)
        and any(ln.split("\t")[1].strip() for ln in lines)
    )


def _decode(data: bytes, source: str) -> str:
    """UTF-8 first; Windows-1252 (a superset of Latin-1's letters) only when the bytes are not UTF-8.

    UTF-8 is tried first because valid UTF-8 is almost never meant as cp1252, while cp1252 would
    decode nearly any bytes (as mojibake).
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise LoaderError(source, f"not UTF-8 or Windows-1252 text (byte {exc.start})") from None


def read(data: bytes, source: str) -> ReadResult:
    """Codes and labels in file order; a repeated code must repeat its label; empty labels kept as ""."""
    text = _decode(data, source)
    labels: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        problem = _problem(line)
        if problem is not None:
            raise LoaderError(source, problem, line=number, expected="code<TAB>label")
        code, label = line.split("\t")
        label = label.strip()
        if labels.setdefault(code, label) != label:
            raise LoaderError(source, f"code {code!r} listed again with another label {label!r}", line=number)
    if not labels:
        raise LoaderError(source, "file is empty")
    if not any(labels.values()):
        raise LoaderError(source, "no code has a label", expected="code<TAB>label")
    frame = pd.DataFrame({"code": list(labels), "label": list(labels.values())}, dtype="string")
    return ReadResult(frame=frame, format="eurostat_codelist", kind="reference")


FORMATS = [("eurostat_codelist", sniff, read)]
