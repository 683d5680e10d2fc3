"""Parse numbers as German and Danish documents and spreadsheets print them, and format them so.

German and Danish use `.` for thousands and `,` for decimals (1.956,8). Documents add
`ca.`, `Mio.`, `%`, `€`, `kr.`, a trailing `,-` and sometimes a Unicode minus. English
spreadsheets use the opposite separators; pass ``locale="en"`` for those.
"""
from __future__ import annotations

import math
import re

import pandas as pd

from analysis.contract.errors import InputError
from analysis.contract.missing import NO_FIGURES

_MINUS = "\u2212\u2013"  # minus sign, en dash
_PREFIXES = re.compile(r"^(ca\.|rund|knapp|etwa|cirka|ungefähr|über|unter)\s*", re.I)
_SCALES = {
    "mio.": 1_000_000, "mio": 1_000_000, "millionen": 1_000_000, "million": 1_000_000,
    "mill.": 1_000_000, "mrd.": 1_000_000_000, "mia.": 1_000_000_000, "tsd.": 1_000,
    "t€": 1_000,
}
_CURRENCY = re.compile(r"(€|eur|euro|dkk|kr\.?|,-)", re.I)
_GROUPED = {
    "de": re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$"),
    "da": re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$"),
    "en": re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$"),
}
MISSING = {"", "-", "--", "---", "–", "n.a.", "n/a", "k.a.", "..", "...", "x"}


def parse_number(text, locale: str = "de", *, path=None, line=None, column=None,
                 allow_missing: bool = True) -> float | None:
    """Return the number written in `text`, or None where the cell is empty or a dash.

    `locale` is "de" or "da" (1.234,5) or "en" (1,234.5). Percent signs are dropped
    (``72,6%`` gives 72.6; see `parse_percent`). Scale words multiply
    (``1,8 Mio. €`` gives 1800000.0). Anything else raises `InputError` naming
    path, line and column.
    """
    if text is None:
        if allow_missing:
            return None
        raise InputError("missing number", path=path, line=line, column=column,
                         expected="a number", found="")
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text)
    s = raw.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if s.lower() in MISSING:
        if allow_missing:
            return None
        raise InputError("missing number", path=path, line=line, column=column,
                         expected="a number", found=raw)
    s = _PREFIXES.sub("", s)
    scale = 1.0
    low = s.lower()
    for word, factor in _SCALES.items():
        idx = low.find(word)
        if idx > 0:
            scale = factor
            s = s[:idx] + s[idx + len(word):]
            break
    s = _CURRENCY.sub("", s).replace("%", "").strip()
    negative = False
    if s and s[0] in "-+" + _MINUS:
        negative = s[0] != "+"
        s = s[1:].strip()
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = s.replace(" ", "")
    if locale not in _GROUPED:
        raise ValueError(f"unknown number locale {locale!r}; choose de, da or en")
    if not _GROUPED[locale].match(s):
        expected = ("a number like 1.234.567 or 1.956,8" if locale in ("de", "da")
                    else "a number like 1,234,567 or 1956.8")
        raise InputError("not a number", path=path, line=line, column=column,
                         expected=expected, found=raw)
    if locale == "en":
        value = float(s.replace(",", ""))
    else:
        value = float(s.replace(".", "").replace(",", "."))
    value *= scale
    return -value if negative else value


def parse_percent(text, locale: str = "de", **where) -> float | None:
    """Return a percentage as printed (``105%`` gives 105.0, not 1.05)."""
    return parse_number(text, locale, **where)


def is_number(text, locale: str = "de") -> bool:
    """True where `text` parses as a number (empty cells are not numbers)."""
    try:
        return parse_number(text, locale, allow_missing=False) is not None
    except InputError:
        return False


# --- formatting ------------------------------------------------------------------------------

def fmt(value, decimals: int | None = 0, lang: str = "de", missing: str = NO_FIGURES, suffix: str = "") -> str:
    """A number as text in the format of `lang` ('de'/'da': 1.234,5; 'en': 1,234.5).

    decimals=None: as many as the value needs, at most 2 (4585 -> '4.585', 99.6 -> '99,6').
    NaN/None become `missing`: a missing figure is never shown as 0.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return missing
    try:
        if pd.isna(value):
            return missing
    except (TypeError, ValueError):
        pass
    value = float(value)
    if decimals is None:
        decimals = next((d for d in (0, 1) if round(value, d) == round(value, 2)), 2)
    if round(value, decimals) == 0:
        value = 0.0  # no "-0"
    text = f"{value:,.{decimals}f}"
    if lang in ("de", "da"):
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text + suffix


def fmt_exact(value, max_decimals: int = 4, lang: str = "de", missing: str = NO_FIGURES) -> str:
    """A reference figure with the decimals it has, up to `max_decimals` (7.4589 -> '7,4589',
    119.13 -> '119,13', 100.0 -> '100'), in the format of `lang`."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return fmt(value, 0, lang, missing)
    if v != v:
        return missing
    decimals = next((d for d in range(max_decimals + 1) if round(v, d) == round(v, max_decimals)), max_decimals)
    return fmt(v, decimals, lang, missing)


def fmt_percent(value, decimals: int = 1, lang: str = "de", missing: str = NO_FIGURES) -> str:
    """A percentage given in percent points (12.5 -> '12,5 %')."""
    text = fmt(value, decimals, lang, missing)
    return text if text == missing else text + "\u00a0%"
