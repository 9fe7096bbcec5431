"""Eurostat code lists, `code<TAB>label` per line (obs_flag.tsv, the bulk dictionary geo_en.dic).

They give the words behind codes: flag meanings and today's geo labels, which our reference tables
are checked against. The format is so plain that almost any two-column text could pass for it, so
it is sniffed last and strictly: every line exactly one tab, a code without spaces, a label.
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
    code, label = parts
    if not _CODE.match(code):
        return f"code {code!r} is not a code (letters, digits, _ - . + only)"
    if not label.strip():
        return f"code {code!r} has no label"
    return None


def sniff(head: bytes) -> bool:
    """Every complete line in the head is `code<TAB>label` (the last one may be cut off)."""
    lines = head_text(head).splitlines()
    if lines and not head.endswith((b"\n", b"\r")):
        lines = lines[:-1] if len(lines) > 1 else lines
    lines = [ln for ln in lines if ln.strip()]
    return bool(lines) and all(_problem(ln) is None for ln in lines)


def read(data: bytes, source: str) -> ReadResult:
    """Codes and labels in file order; a repeated code must repeat its label."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(source, f"not UTF-8 text (byte {exc.start})") from None
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
    frame = pd.DataFrame({"code": list(labels), "label": list(labels.values())}, dtype="string")
    return ReadResult(frame=frame, format="eurostat_codelist", kind="reference")


FORMATS = [("eurostat_codelist", sniff, read)]
