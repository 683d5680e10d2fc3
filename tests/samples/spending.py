"""Sample rows for the tests of spending and its charts (spending.py (and the budget caveats of caveats.py) on hand-built contract budget rows)."""
import pandas as pd

from analysis.contract import schema

P = "peine_produktbericht_2024-06.txt"
A = "aalborg_regnskab_2014_fb.txt"


def _row(mid, year, level, code, name, direction, phase, amount, category=None, etype="all", period=None,
         currency="EUR", kind=None, line=1):
    return {"municipality_id": mid, "document_id": f"{mid}-doc", "fiscal_year": year,
            "period": period or str(year), "org_unit": "X", "item_code": code, "item_name": name,
            "item_name_en": name + " (en)", "level": level, "direction": direction, "economic_type": etype,
            "phase": phase, "amount": amount, "currency": currency, "category": category,
            "source_ref": f"{P if mid == 'peine' else A}:{line}", "revenue_kind": kind}


def budget():
    rows = []
    # Peine 2024, net per product (original budget and forecast), net = -printed
    for code, cat, plan, fc, line in [("3111", "10.7", 3_932_200, 3_728_000, 286),
                                      ("3121", "10.6", 9_605_800, 10_337_000, 320),
                                      ("3110", "10.7", -9_700_000, -8_400_000, 285),
                                      ("41201", "07.4", 868_700, 868_000, 333)]:
        rows.append(_row("peine", 2024, "product", code, f"P{code}", "net", "original_budget", plan, cat, line=line))
        rows.append(_row("peine", 2024, "product", code, f"P{code}", "net", "forecast", fc, cat, line=line))
    # Peine 2024 total: net plan (line 268), gross expenditure by type and revenue (lines 243-257)
    rows.append(_row("peine", 2024, "total", "3", "Dezernat III", "net", "original_budget", 90_820_300, line=268))
    rows.append(_row("peine", 2024, "total", "3", "Dezernat III", "expenditure", "original_budget", 261_232_400, line=252))
    rows.append(_row("peine", 2024, "total", "3", "Dezernat III", "revenue", "original_budget", 170_412_100, line=243))
    for etype, v, line in [("personnel", 34_221_500, 253), ("goods_services", 3_143_900, 254),
                           ("transfers", 218_551_200, 255), ("other", 3_289_500, 256),
                           ("depreciation", 2_026_300, 257)]:
        rows.append(_row("peine", 2024, "total", "3", "Dezernat III", "expenditure", "original_budget", v,
                         etype=etype, line=line))
    # a monthly figure that must never be added to the annual ones
    rows.append(_row("peine", 2024, "total", "3", "Dezernat III", "expenditure", "actual_to_date", 2_141_493,
                     etype="personnel", period="2024-01", line=253))
    # Aalborg 2014 (DKK): activities print expenditure and revenue but no net (lines 149-167)
    for code, cat, phase, exp, rev, line in [
            ("A1", "10.4", "original_budget", 1_213_900_000, 236_800_000, 156),
            ("A1", "10.4", "actual", 1_207_200_000, 237_700_000, 156),
            ("A1", "10.4", "adjusted_budget", 1_211_900_000, 230_900_000, 156),
            ("A2", "10.5", "actual", 544_400_000, 165_900_000, 457),
            ("A2", "10.5", "adjusted_budget", 503_800_000, 123_700_000, 457)]:
        rows.append(_row("aalborg", 2014, "product", code, f"L{code}", "expenditure", phase, exp, cat,
                         currency="DKK", line=line))
        rows.append(_row("aalborg", 2014, "product", code, f"L{code}", "revenue", phase, rev, cat,
                         currency="DKK", line=line))
    # a capital project (Anlæg) is not operating spending
    cap = _row("aalborg", 2014, "line", "C1", "Renovering", "expenditure", "actual", 5_000_000, "10.4",
               currency="DKK", line=246)
    cap["budget_type"] = "capital"
    rows.append(cap)
    # overview (lines 13 and 25): a subtotal per budget group next to the grand total 'I alt Drift'
    for group, name, exp, rev, net, line in [("serviceudgifter", "Serviceudgifter i alt", 2_833_000_000,
                                              442_000_000, 2_391_000_000, 13),
                                             (None, "I alt Drift", 6_633_300_000, 1_550_300_000, 5_083_000_000, 25)]:
        for direction, v in (("expenditure", exp), ("revenue", rev), ("net", net)):
            r = _row("aalborg", 2014, "total", "FB", name, direction, "actual", v, currency="DKK", line=line)
            r["budget_group"] = group
            rows.append(r)
    # the sector tables split revenue into income and reimbursement (lines 99-100, 104-105)
    for kind, v, group, line in [("income", 318_480_000, "serviceudgifter", 99),
                                 ("reimbursement", 1_388_000, "serviceudgifter", 100),
                                 ("income", 0, "budgetgaranterede", 104),
                                 ("reimbursement", 74_036_000, "budgetgaranterede", 105)]:
        r = _row("aalborg", 2014, "line", "BU", "Indtægter" if kind == "income" else "Refusion", "revenue",
                 "actual", v, currency="DKK", kind=kind, line=line)
        r["budget_group"] = group
        rows.append(r)
    df = schema.conform(pd.DataFrame(rows), "budget")
    schema.validate(df, "budget")
    df["unit"] = "source currency"
    return df
