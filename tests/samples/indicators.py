"""Sample rows for the tests of indicator_analysis and its charts (indicator_analysis.py on hand-built indicator and goal rows from the Peine and Aalborg documents)."""
import pandas as pd

from analysis.contract import schema

P, A = "peine_produktbericht_2024-06.txt", "aalborg_regnskab_2014_fb.txt"


def _ind(mid, year, code, indicator, unit, phase, value, line, group=None, category=None, en=None):
    return {"municipality_id": mid, "document_id": f"{mid}-doc", "fiscal_year": year, "item_code": code,
            "indicator": indicator, "indicator_en": en or indicator + " (en)", "unit": unit, "phase": phase,
            "value": value, "category": category, "indicator_group": group,
            "source_ref": f"{P if mid == 'peine' else A}:{line}"}


def indicators():
    rows = [
        # Peine product table: cases plan / forecast (lines 286, 293, 320)
        _ind("peine", 2024, "3111", "Fälle", "cases", "original_budget", 425, 286),
        _ind("peine", 2024, "3111", "Fälle", "cases", "forecast", 387, 286),
        _ind("peine", 2024, "3118", "Fälle", "cases", "original_budget", 417, 293),
        _ind("peine", 2024, "3118", "Fälle", "cases", "forecast", 452, 293),
        _ind("peine", 2024, "3121", "Bedarfsgemeinschaften", "communities of need", "original_budget", 4800, 320),
        _ind("peine", 2024, "3121", "Bedarfsgemeinschaften", "communities of need", "forecast", 4600, 320),
        _ind("peine", 2024, "3122", "Stunden", "hours", "original_budget", 2808, 321),
        _ind("peine", 2024, "3122", "Stunden", "hours", "forecast", 2812, 321),
        # Peine product 3210 names an indicator without figures: stays missing
        _ind("peine", 2024, "3110", "Fälle", "cases", "original_budget", float("nan"), 285),
        _ind("peine", 2024, "3110", "Fälle", "cases", "forecast", float("nan"), 285),
        # Aalborg day care (lines 193, 195): places and the coverage rate, actual and original budget
        _ind("aalborg", 2014, "BU", "Antal pladser 0-2 år: I alt", "places", "actual", 4549, 193, "daycare_places_0_2"),
        _ind("aalborg", 2014, "BU", "Antal pladser 0-2 år: I alt", "places", "original_budget", 4604, 193,
             "daycare_places_0_2"),
        _ind("aalborg", 2014, "BU", "Dækningsgrad 0-2 år", "percent", "actual", 72.6, 195, "daycare_coverage",
             en="Coverage rate, children aged 0-2"),
        _ind("aalborg", 2014, "BU", "Dækningsgrad 0-2 år", "percent", "original_budget", 71.9, 195,
             "daycare_coverage", en="Coverage rate, children aged 0-2"),
    ]
    df = schema.conform(pd.DataFrame(rows), "indicators")
    schema.validate(df, "indicators")
    return df


def budget():
    rows = []
    for code, cat in [("3111", "10.7"), ("3118", "10.2"), ("3121", "10.6"), ("3122", "10.5")]:
        rows.append({"municipality_id": "peine", "document_id": "peine-doc", "fiscal_year": 2024, "period": "2024",
                     "org_unit": "FD", "item_code": code, "item_name": code, "item_name_en": None, "level": "product",
                     "direction": "net", "economic_type": "all", "phase": "original_budget", "amount": 1.0,
                     "currency": "EUR", "category": cat, "source_ref": f"{P}:1"})
    return schema.conform(pd.DataFrame(rows), "budget")


POP = pd.DataFrame({"municipality_id": ["peine", "aalborg"], "year": pd.array([2023, 2014], dtype="Int64"),
                    "reference_date": ["2023-12-31", "2014-12-31"], "population": pd.array([139_170, 205_809], dtype="Int64"),
                    "source": ["s", "s"]})
