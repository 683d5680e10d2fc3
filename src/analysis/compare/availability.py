"""Which data exist: one grid of municipality x fiscal year x data type, for the overview page.

    grid(budget, indicators, goals, documents, municipalities)

One row per municipality, data type and year with figures:

    municipality_id, municipality   who
    data_type                       'budget: original budget', ..., 'budget: actual', 'indicators', 'goals'
    fiscal_year                     the fiscal year (goals: the target year, else the document's year;
                                    missing when neither is given)
    status                          what exists (STATUSES): 'figures', 'planned and realised', 'planned only',
                                    'realised only', 'targets and results', 'targets, no results yet',
                                    'qualitative goals only'
    rows                            how many rows of the table
    documents                       the documents behind the cell: 'Informationsvorlage 2024/143 (2024-10-28)'

A municipality without any figure of a data type has no row for it: the grid shows the cell empty.
"""
from __future__ import annotations

import pandas as pd

from analysis.contract.missing import flag

BUDGET_PHASES = {"original_budget": "original budget", "adjusted_budget": "adjusted budget",
                 "forecast": "forecast", "actual_to_date": "actual to date", "actual": "actual"}
PLANNED = {"original_budget", "adjusted_budget"}
REALISED = {"actual", "forecast", "actual_to_date"}
STATUSES = ["figures", "planned and realised", "planned only", "realised only", "targets and results",
            "targets, no results yet", "qualitative goals only"]
COLUMNS = ["municipality_id", "municipality", "data_type", "fiscal_year", "status", "rows", "documents"]


def document_labels(documents: pd.DataFrame | None) -> dict[str, str]:
    """document_id -> 'reference (date)' ('no date' where the document carries none); a document
    without a council reference (a budget file as published) is named by its title, else its id."""
    if documents is None or not len(documents):
        return {}
    out = {}
    for rec in documents.to_dict("records"):
        date = rec.get("date")
        date = str(date) if isinstance(date, str) and date.strip() else "no date"
        name = next((str(v).strip() for v in (rec.get("reference"), rec.get("title"))
                     if isinstance(v, str) and v.strip()), rec["document_id"])
        out[rec["document_id"]] = f"{name} ({date})"
    return out


def data_types(budget: pd.DataFrame | None) -> list[str]:
    """The data types of the grid in order: the budget phases present, indicators, goals."""
    present = set(budget["phase"]) if budget is not None and len(budget) else set()
    return [f"budget: {w}" for p, w in BUDGET_PHASES.items() if p in present] + ["indicators", "goals"]


def _docs(part: pd.DataFrame, labels: dict[str, str]) -> str:
    ids = part["document_id"].dropna().unique() if "document_id" in part.columns else []
    return "; ".join(labels.get(d, d) for d in ids)


def grid(budget: pd.DataFrame | None, indicators: pd.DataFrame | None, goals: pd.DataFrame | None,
         documents: pd.DataFrame | None, municipalities: pd.DataFrame | None = None) -> pd.DataFrame:
    """The coverage grid (see the module docstring)."""
    labels = document_labels(documents)
    names = dict(zip(municipalities["municipality_id"], municipalities["name"])) if municipalities is not None else {}
    rows = []
    if budget is not None and len(budget):
        b = budget.dropna(subset=["amount"]) if "amount" in budget.columns else budget
        for (mid, phase, year), part in b.groupby(["municipality_id", "phase", "fiscal_year"], sort=True):
            rows.append({"municipality_id": mid, "data_type": f"budget: {BUDGET_PHASES.get(phase, phase)}",
                         "fiscal_year": int(year), "status": "figures", "rows": len(part),
                         "documents": _docs(part, labels)})
    if indicators is not None and len(indicators):
        ind = indicators.dropna(subset=["value"])
        for (mid, year), part in ind.groupby(["municipality_id", "fiscal_year"], sort=True):
            phases = set(part["phase"])
            status = ("planned and realised" if phases & PLANNED and phases & REALISED else
                      "planned only" if phases & PLANNED else "realised only")
            rows.append({"municipality_id": mid, "data_type": "indicators", "fiscal_year": int(year),
                         "status": status, "rows": len(part), "documents": _docs(part, labels)})
    if goals is not None and len(goals):
        doc_year = {}
        if documents is not None and len(documents):
            doc_year = {d: int(str(v)[:4]) for d, v in zip(documents["document_id"], documents["date"])
                        if isinstance(v, str) and v[:4].isdigit()}
        g = goals.copy()
        target = pd.to_numeric(g["target_year"], errors="coerce") if "target_year" in g.columns else \
            pd.Series(float("nan"), index=g.index)
        target = target.astype("float64")
        g["_year"] = [int(t) if pd.notna(t) else doc_year.get(d) for t, d in zip(target, g["document_id"])]
        g["_year"] = g["_year"].astype("Int64")
        for (mid, year), part in g.groupby(["municipality_id", "_year"], sort=True, dropna=False):
            quantified = flag(part["quantified"]) if "quantified" in part.columns else part["target"].notna()
            if pd.to_numeric(part["result"], errors="coerce").notna().any():
                status = "targets and results"
            elif quantified.any():
                status = "targets, no results yet"
            else:
                status = "qualitative goals only"
            rows.append({"municipality_id": mid, "data_type": "goals",
                         "fiscal_year": None if pd.isna(year) else int(year), "status": status,
                         "rows": len(part), "documents": _docs(part, labels)})
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "municipality"])
    out.insert(1, "municipality", out["municipality_id"].map(lambda m: names.get(m, m)))
    out["fiscal_year"] = out["fiscal_year"].astype("Int64")
    return out.reset_index(drop=True)


SUMMARY_COLUMNS = ["data_type", "fiscal_year", "status", "municipalities", "rows"]


def summary(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid for many municipalities (the overview above `distribution.THRESHOLD`): per data
    type, fiscal year and status how many municipalities have it and their rows; one row each,
    in the order of `data_type` (budget phases, indicators, goals), year and STATUSES."""
    if not len(grid):
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    g = grid.assign(_year=grid["fiscal_year"].astype("Int64"))
    out = (g.groupby(["data_type", "_year", "status"], dropna=False, sort=False)
           .agg(municipalities=("municipality_id", "nunique"), rows=("rows", "sum")).reset_index()
           .rename(columns={"_year": "fiscal_year"}))
    types = [f"budget: {w}" for w in BUDGET_PHASES.values()] + ["indicators", "goals"]
    rank = {t: i for i, t in enumerate(types)}
    out["_t"] = out["data_type"].map(lambda t: rank.get(t, len(types)))
    out["_s"] = out["status"].map(lambda s: STATUSES.index(s) if s in STATUSES else len(STATUSES))
    out = out.sort_values(["_t", "fiscal_year", "_s"], na_position="last", kind="stable")
    return out[SUMMARY_COLUMNS].reset_index(drop=True)
