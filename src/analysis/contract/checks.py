"""Quality checks as data: each check is one row of ``data/processed/quality.csv``.

Statuses: ``pass``; ``contradiction`` (the document disagrees with itself);
``fail`` (data breaks a rule that should hold, e.g. a filled-in table whose items
do not sum to the total it gives); ``warning`` (suspicious, e.g. a row that repeats
another year's figures); ``info`` (not comparable, recorded for the reader).
"""
from __future__ import annotations


def _fmt(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        if v != v:
            return None
        return f"{v:,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v):,}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def row(check: str, municipality_id: str, document_id: str, source_ref: str | None, expected, found,
        status: str, detail: str | None = None, tolerance: float | None = None) -> dict:
    """A quality row with values formatted for reading (1,234,567)."""
    return {"check": check, "municipality_id": municipality_id, "document_id": document_id,
            "source_ref": source_ref, "expected": _fmt(expected), "found": _fmt(found),
            "status": status, "detail": detail,
            "tolerance": None if tolerance is None else _fmt(float(tolerance))}


def compare(check: str, municipality_id: str, document_id: str, source_ref: str | None,
            expected: float | None, found: float | None, *, tolerance: float = 0.5,
            detail: str | None = None, on_fail: str = "contradiction") -> dict:
    """Compare two figures; `pass` within `tolerance`, else `on_fail`.

    A missing side gives status ``info`` (nothing to compare), never a pass.
    """
    if expected is None or found is None or expected != expected or found != found:
        status = "info"
        detail = (detail + "; " if detail else "") + "one side is missing"
    else:
        status = "pass" if abs(float(expected) - float(found)) <= tolerance else on_fail
        if status != "pass":
            diff = float(found) - float(expected)
            detail = (detail + "; " if detail else "") + f"difference {_fmt(diff)}"
    return row(check, municipality_id, document_id, source_ref, expected, found, status, detail, tolerance)
