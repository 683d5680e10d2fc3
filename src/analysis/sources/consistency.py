"""Checks of an analyst's tables against themselves: items that sum to their totals, goals whose
status or reported achievement matches target and result.

Used by `municipality_tables.load` (extract records them in quality.csv) and by `validate`
(reports them as errors or warnings). A row whose `note` starts with "as printed" marks a figure
the document itself gets wrong: a warning and a `contradiction`, not an error.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.contract import checks, schema
from analysis.contract.achievement import stored
from analysis.contract.errors import Problem
from analysis.sources.aggregate import row_keys

AS_PRINTED = "as printed"  # a `note` starting like this marks a figure the document itself gets wrong
GOAL_TOLERANCE = 0.5       # percentage points: reported achievements are printed as whole percent


@dataclass
class Finding:
    """One consistency check: severity error/warning/pass, the problem, and its quality row."""

    severity: str
    problem: Problem | None
    quality: dict | None = None


# --- checks of the tables against themselves ---------------------------------------------------

def _fmt(v) -> str:
    return checks._fmt(float(v)) if v is not None and v == v else "empty"


def _acknowledged(rec: dict) -> bool:
    return str(rec.get("note") or "").strip().lower().startswith(AS_PRINTED)


def _rows(df: pd.DataFrame, file: str) -> str:
    same = df["_file"] == file
    parts = [str(r) for r in df.loc[same, "_row"]] + [f"{f}:{r}" for f, r in zip(df.loc[~same, "_file"],
                                                                              df.loc[~same, "_row"])]
    return ("row " if len(parts) == 1 else "rows ") + ", ".join(parts)


def sum_checks(budget: pd.DataFrame | None) -> list[Finding]:
    """Total and area rows against the sum of the product rows with the same phase, period,
    direction, economic_type, org_unit (and document, year, currency, budget_group).

    Tolerance 0.5 x number of items x the file's unit (1 for whole units, 1000 for a wide file
    in thousands).
    """
    if budget is None or not len(budget):
        return []
    keys = ["document_id", "fiscal_year", "period", "phase", "direction", "economic_type", "org_unit",
            "currency", "budget_group"]
    b = budget.reset_index(drop=True)
    k = row_keys(b.astype(object).where(b.notna(), ""), [c for c in keys if c in b.columns])
    out = []
    unclear = set(k[~b["level"].isin(schema.LEVELS)])  # a row with a wrong level: reported already
    for i in b.index[b["level"].isin(["total", "area"])]:
        t = b.loc[i].to_dict()
        items = b[(k == k[i]) & (b["level"] == "product")]
        if not len(items) or t["amount"] != t["amount"] or k[i] in unclear:
            continue
        where = (f"{t['level']} '{t['item_name']}' ({t['phase']} {t['period']}, {t['direction']}, "
                 f"org_unit '{t['org_unit']}')")
        if items["amount"].isna().any():
            out.append(Finding("warning", Problem(t["_file"], f"{where}: not checked against its product rows "
                                                  "because some of them have no amount", int(t["_row"]), "amount",
                                                  None, None)))
            continue
        n, total = len(items), float(items["amount"].sum())
        unit = float(max(items["_unit"].astype(float).max(), float(t["_unit"] or 1)))
        tol = 0.5 * n * unit
        ok = abs(total - t["amount"]) <= tol
        ack = _acknowledged(t)
        detail = (f"{n} product rows ({_rows(items, t['_file'])}); tolerance 0.5 x {n} items"
                  + (f" x unit {int(unit)}" if unit != 1 else ""))
        quality = checks.compare("items_sum_to_total", t["municipality_id"], t["document_id"], t["source_ref"],
                                 total, t["amount"], tolerance=tol, detail=detail,
                                 on_fail="contradiction" if ack else "fail")
        if ok:
            out.append(Finding("pass", None, quality))
            continue
        problem = Problem(t["_file"], f"{where} does not equal the sum of its {n} product rows "
                                      f"({_rows(items, t['_file'])})" + (" (note: as printed)" if ack else ""),
                          int(t["_row"]), "amount", f"{_fmt(total)} (+-{_fmt(tol)})", _fmt(t["amount"]))
        out.append(Finding("warning" if ack else "error", problem, quality))
    return out


def goal_checks(goals: pd.DataFrame | None) -> list[Finding]:
    """Status against target and result, and the reported achievement against the computed one."""
    if goals is None or not len(goals):
        return []
    out = []
    for g in goals.to_dict("records"):
        d, t, r, status = g["direction"], g["target"], g["result"], g["status"]
        if d not in ("higher_is_better", "lower_is_better") or t != t or r != r or t is None or r is None:
            continue
        ack = _acknowledged(g) or status == "contradiction"  # the status says the document disagrees
        sev = "warning" if ack else "error"
        worse = r < t if d == "higher_is_better" else r > t
        if status in ("met", "missed"):
            bad = (status == "met" and worse) or (status == "missed" and not worse)
            what = (f"result {_fmt(r)} is {'worse than' if worse else 'at or better than'} target {_fmt(t)} "
                    f"({d})")
            quality = checks.row("goal_status_matches_result", g["municipality_id"], g["document_id"],
                                 g["source_ref"], "missed" if worse else "met", status,
                                 ("contradiction" if ack else "fail") if bad else "pass", what)
            problem = None
            if bad:
                problem = Problem(g["_file"], f"goal {g['goal_id']}: status '{status}' but {what}",
                                  int(g["_row"]), "status", "missed" if worse else "met", status)
            out.append(Finding(sev if bad else "pass", problem, quality))
        rep = g["achievement_reported"]
        computed = stored(t, r, d)
        if rep == rep and rep is not None and computed is not None:
            formula = "result / target x 100" if d == "higher_is_better" else "target / result x 100"
            quality = checks.compare("goal_achievement_matches", g["municipality_id"], g["document_id"],
                                     g["source_ref"], round(computed, 2), rep, tolerance=GOAL_TOLERANCE,
                                     detail=f"{formula} ({d}); tolerance 0.5 percentage points",
                                     on_fail="contradiction" if ack else "fail")
            if abs(computed - rep) <= GOAL_TOLERANCE and status == "contradiction":
                problem = Problem(g["_file"], f"goal {g['goal_id']}: status 'contradiction' but the reported "
                                              f"achievement matches target {_fmt(t)} and result {_fmt(r)}",
                                  int(g["_row"]), "status", "met" if not worse else "missed", status)
                out.append(Finding("error", problem, quality))
            elif abs(computed - rep) <= GOAL_TOLERANCE:
                out.append(Finding("pass", None, quality))
            else:
                problem = Problem(g["_file"], f"goal {g['goal_id']}: reported achievement does not match target "
                                              f"{_fmt(t)} and result {_fmt(r)} ({formula})", int(g["_row"]),
                                  "achievement_reported", f"{computed:.1f} (+-{GOAL_TOLERANCE})", _fmt(rep))
                out.append(Finding(sev, problem, quality))
    return out


def consistency(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """The checks of the tables against themselves (as read by `municipality_tables.read`)."""
    return sum_checks(tables.get("budget")) + goal_checks(tables.get("goals"))
