"""One municipality on one page: its documents, spending, indicators, goals and its standing.

Pure functions over contract tables:

    facts(municipalities, mid)              name, country, region, administrative type, currency
    documents(documents, mid)               the council documents behind the figures
    headline_total(cb, mid)                 the top-level net total of the latest year, most realised phase
    standing(cb_per_inhabitant, goals, indicators, ids, coverage=)   key facts of every municipality, never ranked
    (spending levels per category, among complete coverage only: analysis.compare.scope.standing)

A municipality without figures shows "no figures in source" / "no goals coded", never 0.
"""
from __future__ import annotations

import pandas as pd

from analysis.compare import goal_analysis, spending
from analysis.contract.missing import NO_FIGURES

PHASE_PREFERENCE = ["actual", "forecast", "adjusted_budget", "original_budget"]


def facts(municipalities: pd.DataFrame, mid: str) -> pd.DataFrame:
    """The municipality's registry entry as a two-column table (field, value)."""
    rec = municipalities[municipalities["municipality_id"] == mid].iloc[0].to_dict()
    labels = {"name": "Name", "municipality_id": "Id", "country": "Country", "region": "Region",
              "admin_type": "Administrative type", "currency": "Currency", "language": "Language",
              "official_code": "Official code"}
    return pd.DataFrame([{"field": labels[k], "value": rec.get(k)} for k in labels if rec.get(k) not in (None, "nan")])


def documents(docs: pd.DataFrame, mid: str) -> pd.DataFrame:
    """The municipality's documents: id, title, council reference, date, publisher, file."""
    cols = ["document_id", "title", "reference", "date", "publisher", "language", "path"]
    return docs[docs["municipality_id"] == mid].reindex(columns=cols).reset_index(drop=True)


def latest(cb: pd.DataFrame, fiscal_year: int | None = None, phase: str | None = None) -> pd.DataFrame:
    """Per municipality the grand total (`spending.totals`) of its latest fiscal year, in its most
    realised phase (actual, forecast, adjusted budget, original budget), or of the `fiscal_year`
    and `phase` given (municipalities without figures for them are left out)."""
    t = spending.totals(cb)
    if not len(t):
        return t
    out = spending.select_year_phase_all(t, fiscal_year, phase, PHASE_PREFERENCE)
    return out.reset_index(drop=True) if len(out) else t.iloc[0:0]


def headline_total(cb: pd.DataFrame, mid: str) -> dict | None:
    """The municipality's latest grand total (expenditure, revenue, net) as a dict (None without figures)."""
    t = latest(cb[cb["municipality_id"] == mid])
    return None if not len(t) else t.iloc[0].to_dict()


def standing(cb_per_inhabitant: pd.DataFrame, goals: pd.DataFrame, indicators: pd.DataFrame, ids: list[str],
             names: dict[str, str] | None = None, coverage: pd.DataFrame | None = None,
             fiscal_year: int | None = None, phase: str | None = None) -> pd.DataFrame:
    """Key facts of every municipality in `ids`, side by side and never ranked: the year and phase
    of its budget figures (latest year and most realised phase, or the `fiscal_year` and `phase`
    given), what its document covers (`scope`, from coverage.csv), goals, share_quantified (% with
    a quantified target), share_met (% met of goals with a measured result), contradictions (goals
    whose printed degree contradicts their figures), pending (quantified goals without a result)
    and indicators (distinct indicators). Missing stays missing; a municipality left out for want
    of a reference figure says which.

    Spending levels are compared per category among municipalities whose documents cover the
    category completely: `scope.standing`. A grand total per inhabitant is not compared, since the
    documents' scopes differ (a department, a part of a Dezernat).
    """
    from analysis.compare import scope as scope_mod
    lat = (latest(cb_per_inhabitant, fiscal_year, phase).set_index("municipality_id") if len(cb_per_inhabitant)
           else pd.DataFrame())
    missing_ref = {e["municipality_id"]: e["what"] for e in cb_per_inhabitant.attrs.get("left_out", [])}
    meas = goal_analysis.measurability(goals, ids).set_index("municipality_id")
    ach = goal_analysis.achievement(goals, ids).set_index("municipality_id")
    pend = goal_analysis.pending(goals).groupby("municipality_id").size()
    scopes = scope_mod.with_scope(pd.DataFrame({"municipality_id": list(ids)}), coverage).set_index(
        "municipality_id")["scope"]
    distinct_ind = (indicators[["municipality_id", "item_code", "indicator"]].drop_duplicates()
                    .groupby("municipality_id").size())  # one pass, not one scan per municipality
    rows = []
    for m in ids:
        has = m in lat.index
        n_ind = int(distinct_ind.get(m, 0))
        n_goals = int(meas.at[m, "goals"])
        rows.append({
            "municipality_id": m, "municipality": (names or {}).get(m, m),
            "fiscal_year": int(lat.at[m, "fiscal_year"]) if has else None,
            "phase": lat.at[m, "phase"] if has else None,
            "missing": None if has else (f"no {missing_ref[m]} figure" if m in missing_ref else NO_FIGURES),
            "scope": scopes.get(m) if coverage is not None else (lat.at[m, "org_unit"] if has else None),
            "goals": n_goals,
            "share_quantified": meas.at[m, "share_target"],
            "share_met": ach.at[m, "share_met"],
            "contradictions": ach.at[m, "contradiction"] if n_goals else float("nan"),
            "pending": float(pend.get(m, 0)) if n_goals else float("nan"),
            "indicators": n_ind if n_ind else float("nan"),
        })
    out = pd.DataFrame(rows)
    out["fiscal_year"] = out["fiscal_year"].astype("Int64")
    for col in ("indicators", "contradictions", "pending"):
        out[col] = out[col].astype("Int64")
    return out
