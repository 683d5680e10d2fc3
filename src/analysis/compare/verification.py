"""Is each figure printed on the document line it cites? A check of the whole data against the raw text.

    figures(budget, indicators, goals)   one row per figure: table, column, value, source_ref, corrected
    verify(figs, lines)                  adds `status`: found | corrected | not found | no document line
    summary(checked)                     {'figures', 'found', 'corrected', 'not_found', 'no_line', 'share_found'}

`lines` maps a raw file name (data/raw/<file>) to its lines. A figure is *found* when one of the
numbers printed on the cited line(s) equals it, read German/Danish style (1.234,5) and taken as
printed, in thousands or in millions, within half a unit of the last printed digit, either sign (the
documents print net costs negative, the contract stores them positive). Corrected figures
(correction_id: the document settles a misprint on other lines) are counted apart, and a figure
citing a row of an analyst's table, not a document line, is 'no document line'.
"""
from __future__ import annotations

import re

import pandas as pd

FOUND, CORRECTED, NOT_FOUND, NO_LINE = "found", "corrected", "not found", "no document line"
SCALES = (1.0, 1e3, 1e6)
_NUMBER = re.compile(r"(?<![\w,.])[-\u2212\u2013]?\d[\d.]*(?:,\d+)?")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$")


def printed_numbers(line: str) -> list[tuple[float, int]]:
    """The numbers on a line as (absolute value, decimals printed), German/Danish notation."""
    out = []
    for m in _NUMBER.finditer(line):
        s = m.group().lstrip("-\u2212\u2013").rstrip(".")
        if not _GROUPED.match(s):
            continue
        value = float(s.replace(".", "").replace(",", "."))
        out.append((value, len(s.split(",")[1]) if "," in s else 0))
    return out


def cited_lines(ref) -> tuple[str, list[int]]:
    """('peine_produktbericht_2024-06.txt', [268, 269]) from 'peine_produktbericht_2024-06.txt:268-269'
    (also '<file>:12, 15' and '<file>:12; <file>:15'; the first file is taken)."""
    text = str(ref or "")
    file, numbers = "", []
    for part in re.split(r";\s*", text):
        f, _, rest = part.rpartition(":")
        if not f:
            continue
        if file and f.strip() != file:
            continue
        file = f.strip()
        for token in rest.split(","):
            m = re.fullmatch(r"\s*(\d+)(?:\s*-\s*(\d+))?\s*", token)
            if m:
                a, b = int(m.group(1)), int(m.group(2) or m.group(1))
                numbers += list(range(a, b + 1))
    return file, numbers


def matches(value: float, numbers: list[tuple[float, int]]) -> bool:
    v = abs(float(value))
    for n, dec in numbers:
        for scale in SCALES:
            if abs(n * scale - v) <= 0.5 * 10 ** -dec * scale + 1e-6:
                return True
    return False


def figures(budget: pd.DataFrame, indicators: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Every figure of the three tables (missing values are not figures)."""
    frames = []
    for table, df, cols in (("budget", budget, ["amount"]), ("indicators", indicators, ["value"]),
                            ("goals", goals, ["target", "result"])):
        if df is None or not len(df):
            continue
        for col in cols:
            if col not in df.columns:
                continue
            d = df[pd.to_numeric(df[col], errors="coerce").notna()]
            corrected = d["correction_id"].notna() if "correction_id" in d.columns else pd.Series(False, index=d.index)
            frames.append(pd.DataFrame({"table": table, "column": col, "municipality_id": d["municipality_id"],
                                        "document_id": d.get("document_id"), "value": pd.to_numeric(d[col]),
                                        "source_ref": d["source_ref"], "corrected": corrected.astype(bool)}))
    cols = ["table", "column", "municipality_id", "document_id", "value", "source_ref", "corrected"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def verify(figs: pd.DataFrame, lines: dict[str, list[str]]) -> pd.DataFrame:
    """`figs` plus `status` (found, corrected, not found, no document line)."""
    status = []
    for value, ref, corrected in zip(figs["value"], figs["source_ref"], figs["corrected"]):
        file, numbers = cited_lines(ref)
        text = lines.get(file)
        if text is None or not numbers:
            status.append(NO_LINE)
            continue
        if corrected:
            status.append(CORRECTED)
            continue
        printed = [n for i in numbers if 0 < i <= len(text) for n in printed_numbers(text[i - 1])]
        status.append(FOUND if matches(value, printed) else NOT_FOUND)
    return figs.assign(status=status)


def summary(checked: pd.DataFrame) -> dict:
    """Counts by status and the share found (in percent of all figures)."""
    counts = checked["status"].value_counts() if len(checked) else pd.Series(dtype=int)
    n = int(len(checked))
    out = {"figures": n, "found": int(counts.get(FOUND, 0)), "corrected": int(counts.get(CORRECTED, 0)),
           "not_found": int(counts.get(NOT_FOUND, 0)), "no_line": int(counts.get(NO_LINE, 0))}
    out["share_found"] = 100.0 * out["found"] / n if n else float("nan")
    return out
