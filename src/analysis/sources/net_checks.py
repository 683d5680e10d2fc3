"""Check a printed Saldo (net) column against revenue and expenditure of the same row.

A wide file that prints ``Erträge``, ``Aufwendungen`` and ``Saldo`` per year imports the first two
and checks the third (``check: revenue - expenditure`` on the Saldo column in municipality.yml):
importing it as well would count the same money twice. Each printed Saldo is compared, row by
row, with revenue - expenditure as imported (after sign and unit); the result is quality rows
(one summary per column, one ``contradiction`` per row that disagrees) and, for validate, a
warning per disagreeing row: the published file contradicts itself, which is reported, never
corrected.
"""
from __future__ import annotations

import pandas as pd

from analysis.contract import checks
from analysis.contract.errors import Problem
from analysis.sources.aggregate import line_ranges
from analysis.sources.mapping import CHECKS

CHECK = "saldo_equals_{}"
TOLERANCE = 0.01  # one cent, times the file's unit


def run(column: str, rule: str, printed: pd.Series, revenue: pd.Series, expenditure: pd.Series, rows: pd.Series,
        *, unit: int, file_name: str, shown: str, municipality_id: str, document_id: str
        ) -> tuple[list[dict], list[Problem]]:
    """(quality rows, warnings) for one Saldo column; the Series share the file's row index."""
    r_sign, e_sign = CHECKS[rule]
    name = CHECK.format(rule.replace(" - ", "_minus_"))
    have = printed.notna() & revenue.notna() & expenditure.notna()
    if not have.any():
        return [], []
    expected = r_sign * revenue[have] + e_sign * expenditure[have]
    found = printed[have] * unit
    tol = TOLERANCE * unit
    bad = (expected - found).abs() > tol
    quality, warnings = [], []
    n, k = int(have.sum()), int(bad.sum())
    quality.append(checks.row(name, municipality_id, document_id, f"{file_name}:{line_ranges(rows[have])}",
                              f"{n} rows", f"{n - k} rows agree", "pass" if not k else "info",
                              f"column '{column}' printed as {rule} for each row"
                              + (f"; {k} rows disagree (listed as contradictions)" if k else ""), tol))
    for i in bad[bad].index:
        row = int(rows[i])
        quality.append(checks.compare(name, municipality_id, document_id, f"{file_name}:{row}",
                                      round(float(expected[i]), 2), round(float(found[i]), 2), tolerance=tol,
                                      detail=f"column '{column}'", on_fail="contradiction"))
        warnings.append(Problem(shown, f"the printed value is not {rule} of the same row (the file contradicts "
                                       "itself; recorded in quality.csv, the Saldo is not imported)", row, column,
                                f"{checks._fmt(float(expected[i]))}", checks._fmt(float(found[i]))))
    return quality, warnings
