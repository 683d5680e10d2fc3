"""Sample rows for the tests of profile and its charts (profile.py: one municipality's facts, documents, headline total and standing among the others)."""
import pandas as pd

from analysis.contract import schema

MUNIS = pd.DataFrame({"municipality_id": ["aalborg", "magdeburg", "peine"],
                      "name": ["Aalborg Kommune", "Landeshauptstadt Magdeburg", "Landkreis Peine"],
                      "country": ["DK", "DE", "DE"], "region": ["Region Nordjylland", "Sachsen-Anhalt", "Niedersachsen"],
                      "admin_type": ["Kommune", "kreisfreie Stadt", "Landkreis"], "currency": ["DKK", "EUR", "EUR"],
                      "language": ["da", "de", "de"], "official_code": ["851", "15003", "03157"]})
IDS = list(MUNIS["municipality_id"])
NAMES = dict(zip(MUNIS["municipality_id"], MUNIS["name"]))


def _b(mid, year, phase, direction, value, level="total", group=None):
    return {"municipality_id": mid, "document_id": f"{mid}-doc", "fiscal_year": year, "period": str(year),
            "org_unit": "Dezernat III" if mid == "peine" else "FB", "item_code": "T", "item_name": "total",
            "item_name_en": None, "level": level, "direction": direction, "economic_type": "all", "phase": phase,
            "amount": value, "currency": "EUR" if mid == "peine" else "DKK", "category": None,
            "source_ref": "f.txt:1", "budget_group": group}


def cb():
    """Per-inhabitant values as comparable_budget(per='inhabitant') gives them (value, unit)."""
    rows = [
        # Peine: 2023 actual and 2024 plan and forecast; the latest year's most realised phase is the forecast
        _b("peine", 2023, "actual", "expenditure", 1900.0), _b("peine", 2023, "actual", "revenue", 1300.0),
        _b("peine", 2024, "original_budget", "expenditure", 1877.1), _b("peine", 2024, "original_budget", "revenue", 1224.5),
        _b("peine", 2024, "forecast", "expenditure", 2006.9), _b("peine", 2024, "forecast", "revenue", 1341.7),
        # Aalborg: actual with a printed net, plus a budget-group subtotal that must not be added
        _b("aalborg", 2014, "actual", "net", 3312.9), _b("aalborg", 2014, "actual", "net", 1558.4, group="service"),
    ]
    df = schema.conform(pd.DataFrame(rows), "budget")
    df["value"] = df["amount"]
    df["unit"] = "EUR at 2024 prices per inhabitant"
    return df


def goals():
    rows = [{"municipality_id": "peine", "document_id": "d", "goal_id": f"p{i}", "goal": "g", "goal_en": "g",
             "perspective": "client", "goal_type": "process", "direction": "higher_is_better", "target": t,
             "result": r, "status": s, "quantified": t is not None, "quote": "q", "source_ref": "f.txt:1"}
            for i, (t, r, s) in enumerate([(90, 76, "missed"), (95, 100, "met"), (93, 99, "met"), (None, None, "pending")])]
    rows.append({"municipality_id": "aalborg", "document_id": "d", "goal_id": "a1", "goal": "g", "goal_en": "g",
                 "perspective": "client", "goal_type": "outcome", "direction": "lower_is_better", "target": 4585,
                 "result": 4632, "status": "missed", "quantified": True, "quote": "q", "source_ref": "f.txt:497"})
    return schema.conform(pd.DataFrame(rows), "goals")
