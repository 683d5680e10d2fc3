"""Summing the rows of a mapped file that share a key, with the rows summed as source_ref."""
import math

import pandas as pd

from analysis.sources import aggregate


def test_line_ranges():
    assert aggregate.line_ranges([2677, 2678, 2679]) == "2677-2679"
    assert aggregate.line_ranges([225, 223, 224, 230]) == "223-225,230"
    assert aggregate.line_ranges([7]) == "7"


def _rows():
    # Freiburg product 319002, Ergebnis 2015, three departments (lines 223-225), as imported
    return pd.DataFrame({
        "item_code": ["319002"] * 6,
        "item_name": ["BuT an Wohngeldempfänger/-innen", "BuT an Wohngeldempfänger/-innen",
                      "BuT WoGG: Mittagsverpflegung", "BuT WoGG: Mittagsverpflegung",
                      "BuT an Wohngeldempfänger/-innen", "BuT an Wohngeldempfänger/-innen"],
        "org_unit": ["500 Amt f. Soziales, Senioren"] * 2 + ["530 Amt f. Kinder, Jugend, Familie"] * 2
                    + ["640 Amt f. Liegenschaften, Wgwesen"] * 2,
        "direction": ["revenue", "expenditure"] * 3,
        "fiscal_year": [2015] * 6, "phase": ["actual"] * 6,
        "amount": [638.67, 431819.78, 2794.83, 238064.13, 1995.04, 989838.69],
        "_row": [223, 223, 224, 224, 225, 225]})


def test_departments_summed_into_one_product_per_direction():
    out, notes = aggregate.aggregate(_rows(), ["item_code"], "amount", "freiburg-ergebnishaushalt-2017-2018.csv")
    assert len(out) == 2
    exp = out[out["direction"] == "expenditure"].iloc[0]
    rev = out[out["direction"] == "revenue"].iloc[0]
    assert round(exp["amount"], 2) == 1_659_722.60 and round(rev["amount"], 2) == 5_428.54
    assert round(exp["amount"] - rev["amount"], 2) == 1_654_294.06
    assert exp["source_ref"] == "freiburg-ergebnishaushalt-2017-2018.csv:223-225" and exp["_row"] == 223
    assert exp["item_name"] == "BuT an Wohngeldempfänger/-innen"
    assert "BuT WoGG: Mittagsverpflegung" in exp["note"]
    assert exp["org_unit"].count(";") == 2
    assert any("more than one name" in n for n in notes) and any("org_unit" in n for n in notes)


def test_a_missing_amount_makes_the_sum_missing():
    rows = _rows()
    rows.loc[1, "amount"] = float("nan")
    out, _ = aggregate.aggregate(rows, ["item_code"], "amount", "f.csv")
    assert math.isnan(out[out["direction"] == "expenditure"].iloc[0]["amount"])


def test_item_names_joined_on_request():
    out, _ = aggregate.aggregate(_rows(), ["item_code"], "amount", "f.csv", item_name="join")
    assert out.iloc[0]["item_name"] == "BuT an Wohngeldempfänger/-innen; BuT WoGG: Mittagsverpflegung"
