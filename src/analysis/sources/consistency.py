"""Checks of an analyst's tables against themselves: items that sum to their totals, goals whose
status or reported achievement matches target and result.

Used by `municipality_tables.load` (extract records them in quality.csv) and by `validate`
(reports them as errors or warnings). A row whose `note` starts with "as printed" marks a figure
the document itself gets wrong: a warning and a `contradiction`, not an error.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.contract import checks, schema
from analysis.contract.achievement import stored
from analysis.contract.errors import Problem
from analysis.sources import stacking

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


def _rows(files, rows, file: str) -> str:
    """'row 4' or 'rows 4, 5, other.csv:7': the rows of `file` by number, others with their file."""
    parts = [str(r) for f, r in zip(files, rows) if f == file] + [f"{f}:{r}" for f, r in zip(files, rows)
                                                                   if f != file]
    return ("row " if len(parts) == 1 else "rows ") + ", ".join(parts)


SUM_KEYS = ["document_id", "fiscal_year", "period", "phase", "direction", "economic_type", "org_unit",
            "currency", "budget_group"]


def sum_checks(budget: pd.DataFrame | None) -> list[Finding]:
    """Total and area rows against the sum of the product rows with the same phase, period,
    direction, economic_type, org_unit (and document, year, currency, budget_group).

    Tolerance 0.5 x number of items x the file's unit (1 for whole units, 1000 for a wide file
    in thousands). The product rows are grouped once (sorted by key, each total looks up its
    slice): linear in rows, for one folder or many.
    """
    return [f for _, f in _sum_findings(budget)]


def _sum_findings(budget: pd.DataFrame | None, within: str | None = None) -> list[tuple[int, Finding]]:
    """(row of the total in `budget`, finding) of `sum_checks`; `within`: a column that tells the
    rows of several folders apart (product rows add up only within one)."""
    if budget is None or not len(budget):
        return []
    b = budget.reset_index(drop=True)
    key_cols = [c for c in SUM_KEYS if c in b.columns] + ([within] if within else [])
    # one text key per row, as aggregate.row_keys builds it (a missing value as ''), in plain lists
    cols = [["" if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else str(v)
             for v in b[c].astype(object).tolist()] for c in key_cols]
    k = np.array(["\x1f" + "\x1f".join(t) for t in zip(*cols)] if cols else [""] * len(b), dtype=object)
    level = b["level"].to_numpy()
    unclear = set(k[~b["level"].isin(schema.LEVELS).to_numpy()])  # a row with a wrong level: reported already
    prod = np.flatnonzero(level == "product")
    order = prod[np.argsort(k[prod], kind="stable")]  # product rows by key, in file order within a key
    keys_sorted = k[order]
    bounds = {}
    if len(order):
        starts = np.flatnonzero(np.r_[True, keys_sorted[1:] != keys_sorted[:-1]])
        ends = np.r_[starts[1:], len(order)]
        bounds = dict(zip(keys_sorted[starts], zip(starts, ends)))
    amount = b["amount"].to_numpy(dtype=float)
    p_amount = amount[order]
    p_unit = b["_unit"].to_numpy()[order]
    p_file = b["_file"].to_numpy()[order]
    p_row = b["_row"].to_numpy()[order]
    out = []
    cols = ["level", "item_name", "phase", "period", "direction", "org_unit", "_file", "_row", "_unit",
            "municipality_id", "document_id", "source_ref", "amount"] + (["note"] if "note" in b.columns else [])
    totals = np.flatnonzero(np.isin(level, ["total", "area"]))
    for i, t in zip(totals, b.loc[totals, cols].to_dict("records")):
        span = bounds.get(k[i])
        if span is None or t["amount"] != t["amount"] or k[i] in unclear:
            continue
        lo, hi = span
        if np.isnan(p_amount[lo:hi]).any():
            where = (f"{t['level']} '{t['item_name']}' ({t['phase']} {t['period']}, {t['direction']}, "
                     f"org_unit '{t['org_unit']}')")
            out.append((i, Finding("warning", Problem(t["_file"], f"{where}: not checked against its product rows "
                                                  "because some of them have no amount", int(t["_row"]), "amount",
                                                  None, None))))
            continue
        where = (f"{t['level']} '{t['item_name']}' ({t['phase']} {t['period']}, {t['direction']}, "
                 f"org_unit '{t['org_unit']}')")
        n, total = hi - lo, float(p_amount[lo:hi].sum())
        units = p_unit[lo:hi].astype(float)
        units = units[~np.isnan(units)]  # as pandas' max: missing units are skipped
        unit = float(max(units.max() if len(units) else float("nan"), float(t["_unit"] or 1)))
        tol = 0.5 * n * unit
        ok = abs(total - t["amount"]) <= tol
        ack = _acknowledged(t)
        rows = _rows(p_file[lo:hi], p_row[lo:hi], t["_file"])
        detail = (f"{n} product rows ({rows}); tolerance 0.5 x {n} items"
                  + (f" x unit {int(unit)}" if unit != 1 else ""))
        quality = checks.compare("items_sum_to_total", t["municipality_id"], t["document_id"], t["source_ref"],
                                 total, t["amount"], tolerance=tol, detail=detail,
                                 on_fail="contradiction" if ack else "fail")
        if ok:
            out.append((i, Finding("pass", None, quality)))
            continue
        problem = Problem(t["_file"], f"{where} does not equal the sum of its {n} product rows "
                                      f"({rows})" + (" (note: as printed)" if ack else ""),
                          int(t["_row"]), "amount", f"{_fmt(total)} (+-{_fmt(tol)})", _fmt(t["amount"]))
        out.append((i, Finding("warning" if ack else "error", problem, quality)))
    return out


def goal_checks(goals: pd.DataFrame | None) -> list[Finding]:
    """Status against target and result, and the reported achievement against the computed one."""
    return [f for _, f in _goal_findings(goals)]


def _goal_findings(goals: pd.DataFrame | None) -> list[tuple[int, Finding]]:
    """(position of the goal in `goals`, finding) of `goal_checks`."""
    if goals is None or not len(goals):
        return []
    out = []
    for pos, g in enumerate(goals.to_dict("records")):
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
            out.append((pos, Finding(sev if bad else "pass", problem, quality)))
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
                out.append((pos, Finding("error", problem, quality)))
            elif abs(computed - rep) <= GOAL_TOLERANCE:
                out.append((pos, Finding("pass", None, quality)))
            else:
                problem = Problem(g["_file"], f"goal {g['goal_id']}: reported achievement does not match target "
                                              f"{_fmt(t)} and result {_fmt(r)} ({formula})", int(g["_row"]),
                                  "achievement_reported", f"{computed:.1f} (+-{GOAL_TOLERANCE})", _fmt(rep))
                out.append((pos, Finding(sev, problem, quality)))
    return out


def sign_checks(budget: pd.DataFrame | None) -> list[Finding]:
    """Expenditure and revenue are entered positive (net = expenditure - revenue): a negative one is
    a warning, unless its note starts with 'as printed' (the document prints it so)."""
    return [f for _, f in _sign_findings(budget)]


def _sign_findings(budget: pd.DataFrame | None) -> list[tuple[int, Finding]]:
    """(position of the row in `budget`, finding) of `sign_checks`."""
    if budget is None or not len(budget):
        return []
    amount = budget["amount"].to_numpy(dtype=float)
    direction = budget["direction"].to_numpy(dtype=object)
    at = np.flatnonzero((amount < 0) & ((direction == "expenditure") | (direction == "revenue")))
    if not len(at):
        return []
    out = []
    for pos, rec in zip(at.tolist(), budget.iloc[at].to_dict("records")):
        if _acknowledged(rec):
            continue
        out.append((pos, Finding("warning", Problem(rec["_file"], f"{rec['direction']} is negative", int(rec["_row"]),
                                                    "amount", f"a positive amount (net = expenditure - revenue; a "
                                                    f"note '{AS_PRINTED}' keeps a negative figure the document "
                                                    "prints)", _fmt(rec["amount"])))))
    return out


def consistency(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """The checks of the tables against themselves (as read by `municipality_tables.read`)."""
    return sum_checks(tables.get("budget")) + goal_checks(tables.get("goals")) + sign_checks(tables.get("budget"))


_BUDGET_COLUMNS = SUM_KEYS + ["level", "item_name", "_file", "_row", "_unit", "municipality_id", "source_ref",
                              "amount", "note"]
_GOAL_COLUMNS = ["goal_id", "direction", "target", "result", "status", "achievement_reported", "municipality_id",
                 "document_id", "source_ref", "_file", "_row", "note"]


def consistency_many(tables: list[dict[str, pd.DataFrame]]) -> list[list[Finding]]:
    """`consistency` of several folders' tables, each check run once over the rows of all of them
    (a total adds up only the product rows of its own folder); each folder's findings are those
    `consistency` gives it alone, in the same order."""
    if len(tables) < 2:
        return [consistency(t) for t in tables]
    budget, b_folder = _stack([t.get("budget") for t in tables], _BUDGET_COLUMNS)
    goals, g_folder = _stack([t.get("goals") for t in tables], _GOAL_COLUMNS)
    parts = [[[], [], []] for _ in tables]
    for k, (found, folder) in enumerate(((_sum_findings(budget, within="_folder"), b_folder),
                                        (_goal_findings(goals), g_folder), (_sign_findings(budget), b_folder))):
        for pos, f in found:
            parts[folder[pos]][k].append(f)
    return [s + g + n for s, g, n in parts]


def _stack(frames: list[pd.DataFrame | None], columns: list[str]) -> tuple[pd.DataFrame | None, list[int]]:
    """The rows of `frames` (their `columns`) in one frame with `_folder`, the frame's position."""
    given = [(i, f) for i, f in enumerate(frames) if f is not None and len(f)]
    if not given:
        return None, []
    whole = stacking.stack([f for _, f in given], columns)
    folder = np.repeat([i for i, _ in given], [len(f) for _, f in given]).tolist()
    whole["_folder"] = folder
    return whole, folder
