"""One municipality on one page: its documents, spending, indicators, goals and its standing.

Pure functions over contract tables:

    facts(municipalities, mid)              name, country, region, administrative type, currency
    documents(documents, mid)               the council documents behind the figures
    headline_total(cb, mid)                 the top-level net total of the latest year, most realised phase
    standing(cb_per_inhabitant, goals, indicators, ids)   key figures of every municipality, ranked
    standing_chart(standing, mid, ids)      the municipality highlighted among the others

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
    out = [spending.select_year_phase(part, fiscal_year, phase, PHASE_PREFERENCE)
           for _, part in t.groupby("municipality_id", sort=False)]
    out = [o for o in out if len(o)]
    return pd.concat(out).reset_index(drop=True) if out else t.iloc[0:0]


def headline_total(cb: pd.DataFrame, mid: str) -> dict | None:
    """The municipality's latest grand total (expenditure, revenue, net) as a dict (None without figures)."""
    t = latest(cb[cb["municipality_id"] == mid])
    return None if not len(t) else t.iloc[0].to_dict()


def standing(cb_per_inhabitant: pd.DataFrame, goals: pd.DataFrame, indicators: pd.DataFrame, ids: list[str],
             names: dict[str, str] | None = None, fiscal_year: int | None = None,
             phase: str | None = None) -> pd.DataFrame:
    """Key figures of every municipality in `ids`, for comparing one against the others.

    net_per_inhabitant: latest grand-total net per inhabitant (see `latest`; `cb_per_inhabitant`
    from comparable_budget(per='inhabitant')); rank_spending: 1 = highest among those with figures.
    goals, share_quantified (% with a quantified target), share_met (% met of goals with a
    measured result), indicators (distinct indicators). Missing stays missing.
    """
    lat = (latest(cb_per_inhabitant, fiscal_year, phase).set_index("municipality_id") if len(cb_per_inhabitant)
           else pd.DataFrame())
    missing_ref = {e["municipality_id"]: e["what"] for e in cb_per_inhabitant.attrs.get("left_out", [])}
    meas = goal_analysis.measurability(goals, ids).set_index("municipality_id")
    ach = goal_analysis.achievement(goals, ids).set_index("municipality_id")
    rows = []
    for m in ids:
        has = m in lat.index
        n_ind = indicators[indicators["municipality_id"] == m][["item_code", "indicator"]].drop_duplicates().shape[0]
        rows.append({
            "municipality_id": m, "municipality": (names or {}).get(m, m),
            "fiscal_year": int(lat.at[m, "fiscal_year"]) if has else None,
            "phase": lat.at[m, "phase"] if has else (f"no {missing_ref[m]} figure" if m in missing_ref else NO_FIGURES),
            "net_per_inhabitant": float(lat.at[m, "net"]) if has else float("nan"),
            "unit": lat.at[m, "unit"] if has else None,
            "scope": lat.at[m, "org_unit"] if has else None,
            "goals": int(meas.at[m, "goals"]),
            "share_quantified": meas.at[m, "share_target"],
            "share_met": ach.at[m, "share_met"],
            "indicators": n_ind if n_ind else float("nan"),
        })
    out = pd.DataFrame(rows)
    out["rank_spending"] = out["net_per_inhabitant"].rank(ascending=False, method="min").astype("Int64")
    out["fiscal_year"] = out["fiscal_year"].astype("Int64")
    out["indicators"] = out["indicators"].astype("Int64")
    return out
