"""Publishers' observation flags: kept exactly as published, explained in one place.

Before 2025 Eurostat used combined letters (`bep` = break, estimated, provisional; `c` =
confidential). Since 27 January 2025 the status is split into OBS_FLAG (letters) and CONF_STATUS
(C, N, P ...). We keep one `flag` column: OBS_FLAG as published, followed by the CONF_STATUS code in
upper case when there is one (`pC`), so no information is lost and old and new files read alike.
"""

from __future__ import annotations

import pandas as pd

# Letter -> meaning (Eurostat OBS_FLAG code list, ../shared/data/eurostat/codelists/obs_flag.tsv).
LETTERS: dict[str, str] = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs (see metadata)",
    "e": "estimated",
    "f": "forecast",
    "i": "value imputed",
    "m": "missing value; data cannot exist",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}
CONF_STATUS: dict[str, str] = {
    "C": "confidential",
    "N": "not for publication, restricted for internal use",
    "P": "primary confidential",
    "A": "free",
    "F": "free",
    "S": "secondary confidential",
    "D": "secondary confidential (set by the receiver)",
}
# Letters users must see on charts, with the words used in legends.
HIGHLIGHT = {
    "p": "provisional",
    "e": "estimated",
    "b": "break in series",
    "c": "confidential",
    "s": "estimated",
    "d": "definition differs",
    "u": "low reliability",
}


def combine(obs_flag: pd.Series, conf_status: pd.Series | None = None) -> pd.Series:
    """One flag column from OBS_FLAG and (optionally) CONF_STATUS; empty means no flag (null)."""
    flag = obs_flag.astype("string").fillna("").str.strip()
    if conf_status is not None:
        conf = conf_status.astype("string").fillna("").str.strip().str.upper()
        # "F"/"A" (free) is the absence of confidentiality, not worth a mark.
        conf = conf.mask(conf.isin(["F", "A"]), "")
        flag = flag + conf
    return flag.mask(flag == "")


def meanings(flag: str | None) -> list[str]:
    """Human words for a flag such as `bep` or `pC`; unknown letters are named, not dropped."""
    if not flag:
        return []
    words = []
    for ch in flag:
        if ch.isupper():
            words.append(CONF_STATUS.get(ch, f"confidentiality status {ch}"))
        else:
            words.append(LETTERS.get(ch, f"flag '{ch}'"))
    return words


def highlights(flag: str | None) -> list[str]:
    """The meanings charts mark specially (provisional, estimated, break, confidential, definition
    differs, low reliability)."""
    if not flag:
        return []
    out = [HIGHLIGHT[ch] for ch in flag if ch in HIGHLIGHT]
    if "C" in flag:
        out.append("confidential")
    return list(dict.fromkeys(out))
