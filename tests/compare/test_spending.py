"""spending.py (and the budget caveats of caveats.py) on hand-built contract budget rows.

Figures follow Peine's product report 2024 (lines 252-268, 286, 320) and Aalborg's accounts 2014
(line 25) so that the expected values can be checked by hand against the documents.
"""
import math

import pandas as pd
import pytest
from samples import spending as samples
from samples.spending import A, P, _row  # noqa: F401

from analysis.compare import caveats, harmonise, spending

budget = pytest.fixture(samples.budget)


def test_category_code_cuts_to_division_or_group():
    assert spending.category_code("10.4.1", "division") == "10"
    assert spending.category_code("10.4.1", "group") == "10.4"
    assert spending.category_code("07", "group") == "07"
    assert spending.category_code(float("nan")) is None


def test_composition_by_division_uses_forecast_and_shares(budget):
    comp = spending.composition(budget, "division", value="amount")
    p = comp[comp["municipality_id"] == "peine"].set_index("category")
    assert set(p["phase"]) == {"forecast"}                    # most realised phase of 2024
    assert p.at["10", "value"] == 3_728_000 + 10_337_000 - 8_400_000   # 5,665,000
    assert p.at["07", "value"] == 868_000
    assert p.at["10", "share"] == pytest.approx(100 * 5_665_000 / 6_533_000)  # 86.71 %
    assert p["share"].sum() == pytest.approx(100.0)
    a = comp[comp["municipality_id"] == "aalborg"].set_index("category")
    assert set(a["phase"]) == {"actual"}
    # net derived from expenditure - revenue; the capital project is left out
    assert a.at["10", "value"] == (1_207_200_000 - 237_700_000) + (544_400_000 - 165_900_000)


def test_composition_by_group_keeps_net_income_negative(budget):
    comp = spending.composition(budget, "group", value="amount")
    p = comp[comp["municipality_id"] == "peine"].set_index("category")
    assert p.at["10.7", "value"] == 3_728_000 - 8_400_000      # 3110 is a state reimbursement
    assert p.at["10.7", "share"] == pytest.approx(100 * -4_672_000 / 6_533_000)
    assert p.at["10.7", "items"] == 2


def test_plan_vs_outturn_by_category(budget):
    pvo = spending.plan_vs_outturn(budget, "category", "division", value="amount")
    p = pvo[(pvo["municipality_id"] == "peine") & (pvo["category"] == "10")].iloc[0]
    assert p["original_budget"] == 3_932_200 + 9_605_800 - 9_700_000   # 3,838,000
    assert p["outturn"] == 5_665_000 and p["outturn_phase"] == "forecast"
    assert p["compared_with"] == "original_budget"
    assert p["deviation"] == 1_827_000
    assert p["deviation_pct"] == pytest.approx(47.6029, abs=1e-4)
    a = pvo[(pvo["municipality_id"] == "aalborg") & (pvo["category"] == "10")].iloc[0]
    assert a["compared_with"] == "adjusted_budget"               # as the Danish accounts do
    adjusted = (1_211_900_000 - 230_900_000) + (503_800_000 - 123_700_000)   # 1,361,100,000
    actual = (1_207_200_000 - 237_700_000) + (544_400_000 - 165_900_000)     # 1,348,000,000
    assert a["adjusted_budget"] == adjusted and a["outturn"] == actual
    assert a["deviation"] == actual - adjusted == -13_100_000
    assert a["deviation_pct"] == pytest.approx(100 * -13_100_000 / 1_361_100_000)
    assert a["original_budget"] == 1_213_900_000 - 236_800_000   # A2 has no original budget: A1 only


def test_plan_vs_outturn_by_item_matches_the_documents_deviation(budget):
    pvo = spending.plan_vs_outturn(budget, "item", value="amount")
    row = pvo[pvo["item_code"] == "3121"].iloc[0]
    assert row["deviation"] == 731_200                            # printed as -731.200 (line 320)
    assert row["deviation_pct"] == pytest.approx(100 * 731_200 / 9_605_800)
    assert row["item_name_en"] == "P3121 (en)" and row["category"] == "10.6"
    neg = pvo[pvo["item_code"] == "3110"].iloc[0]                 # revenue product: plan -9.7 m
    assert neg["deviation"] == 1_300_000
    assert neg["deviation_pct"] == pytest.approx(100 * 1_300_000 / 9_700_000)


def test_plan_vs_outturn_keeps_missing_outturn_missing(budget):
    b = budget[~((budget["item_code"] == "3111") & (budget["phase"] == "forecast"))]
    pvo = spending.plan_vs_outturn(b, "item", value="amount")
    row = pvo[pvo["item_code"] == "3111"].iloc[0]
    assert math.isnan(row["outturn"]) and math.isnan(row["deviation"]) and pd.isna(row["outturn_phase"])


def test_economic_composition_and_missing_breakdown(budget):
    econ = spending.economic_composition(budget, ["peine", "aalborg"], value="amount")
    p = econ[econ["municipality_id"] == "peine"].set_index("economic_type")
    assert p.at["personnel", "value"] == 34_221_500               # the January figure is not added
    assert p.at["personnel", "share"] == pytest.approx(100 * 34_221_500 / 261_232_400)
    assert p["share"].sum() == pytest.approx(100.0)
    a = econ[econ["municipality_id"] == "aalborg"]
    assert list(a["missing"]) == ["no figures in source"] and a["economic_type"].isna().all() and a["value"].isna().all()


def test_with_net_derives_only_where_no_net_is_printed(budget):
    out = spending.with_net(budget, "amount")
    derived = out[out["derived_net"]]
    assert set(derived["item_code"]) == {"A1", "A2"} and len(derived) == 5
    a1 = derived[(derived["item_code"] == "A1") & (derived["phase"] == "actual")].iloc[0]
    assert a1["amount"] == 1_207_200_000 - 237_700_000
    assert a1["source_ref"] == "aalborg_regnskab_2014_fb.txt:156"
    assert not ((out["item_code"] == "3111") & out["derived_net"]).any()   # Peine prints net


def test_revenue_vs_gross(budget):
    rev = spending.revenue_vs_gross(budget, ["peine", "aalborg", "magdeburg"], value="amount")
    p = rev[(rev["municipality_id"] == "peine")].iloc[0]
    assert p["revenue_share"] == pytest.approx(100 * 170_412_100 / 261_232_400)
    assert p["net"] == 90_820_300 and math.isnan(p["income"])     # Peine does not split revenue
    a = rev[rev["municipality_id"] == "aalborg"].iloc[0]
    assert a["expenditure"] == 6_633_300_000                      # the grand total, not + subtotals
    assert a["revenue_share"] == pytest.approx(100 * 1_550.3 / 6_633.3)
    assert a["income"] == 318_480_000 and a["reimbursement"] == 1_388_000 + 74_036_000
    assert a["split_level"] == "line"
    m = rev[rev["municipality_id"] == "magdeburg"].iloc[0]
    assert m["missing"] == "no figures in source" and pd.isna(m["phase"]) and math.isnan(m["expenditure"])


def test_totals_are_grand_totals(budget):
    t = spending.totals(budget, value="amount", municipalities=["peine", "aalborg", "segeberg"])
    p = t[(t["municipality_id"] == "peine") & (t["phase"] == "original_budget")].iloc[0]
    assert p["net_amount"] == 90_820_300 and p["net"] == 90_820_300 and not p["net_derived"]
    a = t[t["municipality_id"] == "aalborg"]
    assert list(a["phase"]) == ["actual"]                         # no total printed for the budgets
    a = a.iloc[0]
    assert a["net_amount"] == 5_083_000_000 and a["currency"] == "DKK" and a["item_name"] == "I alt Drift"
    assert a["expenditure_amount"] == 6_633_300_000
    s = t[t["municipality_id"] == "segeberg"].iloc[0]
    assert s["missing"] == "no figures in source" and pd.isna(s["phase"]) and math.isnan(s["net"])


def test_totals_derive_net_when_only_expenditure_and_revenue_are_printed(budget):
    b = budget[~((budget["level"] == "total") & (budget["direction"] == "net") & (budget["municipality_id"] == "peine"))]
    p = spending.totals(b, value="amount")
    p = p[p["municipality_id"] == "peine"].iloc[0]
    assert p["net"] == 261_232_400 - 170_412_100 == 90_820_300 and p["net_derived"]


def test_coverage_says_no_figures_never_zero(budget):
    cov = spending.coverage(budget, ["peine", "magdeburg", "aalborg"], {"peine": "Landkreis Peine"})
    m = cov[cov["municipality_id"] == "magdeburg"].iloc[0]
    assert m["missing"] == "no figures in source" and m["phases"] == "" and pd.isna(m["rows"])
    p = cov[cov["municipality_id"] == "peine"].iloc[0]
    assert p["municipality"] == "Landkreis Peine"
    assert p["phases"] == "original budget, forecast, actual to date"
    assert p["monthly"] == "yes" and p["economic_breakdown"] == "yes" and p["categorised_items"] == 4
    a = cov[cov["municipality_id"] == "aalborg"].iloc[0]
    assert a["revenue_kinds"] == "income, reimbursement" and a["economic_breakdown"] == "no"
    assert a["phases"] == "original budget, adjusted budget, actual" and a["categorised_items"] == 3


# --- caveats built from the rows actually used ---------------------------------------------------

MUNIS = pd.DataFrame({"municipality_id": ["aalborg", "peine"], "name": ["Aalborg Kommune", "Landkreis Peine"],
                      "admin_type": ["Kommune", "Landkreis"], "country": ["DK", "DE"]})


def _rates():
    df = pd.DataFrame({"currency": ["DKK", "DKK"], "year": [2014, 2024], "units_per_eur": [7.4548, 7.4589],
                       "source": ["mean of ECB daily euro reference rates", "mean of ECB daily euro reference rates"]})
    df["year"] = df["year"].astype("Int64")
    return df


def test_caveats_state_the_rate_read_from_the_harmonised_rows(budget):
    cb = harmonise.to_eur(budget, _rates())
    texts = caveats.budget(cb, MUNIS)
    assert "Aalborg Kommune: DKK converted at 7,4548 DKK/EUR (2014 annual mean, ECB)." in texts
    assert any(t.startswith("Different fiscal years are compared: Aalborg Kommune 2014; Landkreis Peine 2024") for t in texts)
    assert any("Nominal terms" in t for t in texts)
    assert any(t.startswith("Different task split:") and "Landkreis" in t and "Kommune" in t for t in texts)
    # a different rate in the reference table gives a different text: nothing is hard-coded
    r = _rates()
    r.loc[0, "units_per_eur"] = 7.5
    assert "Aalborg Kommune: DKK converted at 7,5000 DKK/EUR (2014 annual mean, ECB)." in caveats.budget(
        harmonise.to_eur(budget, r), MUNIS)


def test_caveats_name_the_population_year_used(budget):
    pop = pd.DataFrame({"municipality_id": ["peine", "aalborg"], "year": [2023, 2014],
                        "reference_date": ["2023-12-31", "2014-12-31"], "population": [139_170, 205_809],
                        "source": ["s", "s"]})
    pop["year"] = pop["year"].astype("Int64")
    cb = harmonise.per_inhabitant(harmonise.to_eur(budget, _rates()), pop, column="amount_eur")
    text = [t for t in caveats.budget(cb, MUNIS, what="money") if t.startswith("Per inhabitant")][0]
    assert "Landkreis Peine 2024: 139.170 inhabitants (2023-12-31) — the nearest earlier year" in text
    assert "Aalborg Kommune 2014: 205.809 inhabitants (2014-12-31)" in text
    md = caveats.markdown(caveats.budget(cb, MUNIS))
    assert md.startswith("**Caveats**\n\n- ")


def test_caveats_follow_the_rows_a_table_shows(budget):
    comp = spending.composition(budget, value="amount")
    used = caveats.subset(budget, comp)
    assert set(zip(used["municipality_id"], used["phase"])) == {("peine", "forecast"), ("aalborg", "actual")}
    q = pd.DataFrame({"municipality_id": ["aalborg", "aalborg", "peine"], "status": ["contradiction", "pass", "fail"]})
    assert caveats.quality(q, MUNIS, ["aalborg"]) == [
        "The documents contradict themselves or fail a check in places (Aalborg Kommune 1 quality checks): figures are shown as "
        "printed, except where the document itself settles the figure (corrected, see below); the methods page lists "
        "each case."]
    q = pd.DataFrame({"municipality_id": ["aalborg"], "status": ["corrected"], "check": ["correction: x"],
                      "source_ref": ["aalborg_regnskab_2014_fb.txt:658"], "found": ["149,0 (extracted as -149,000,000)"],
                      "expected": ["-149,0 (stored as 149,000,000)"]})
    assert caveats.corrections(q, MUNIS, ["aalborg"]) == [
        "Corrected where the document settles the figure itself (data/curated/corrections.yml; printed figure kept in "
        "*_as_printed): Aalborg Kommune aalborg_regnskab_2014_fb.txt:658: printed 149,0 (extracted as -149,000,000), "
        "settled -149,0 (stored as 149,000,000)."]


def _kiel(rows):
    """Kiel-like product rows (one document, no totals): expenditure and revenue per product."""
    out = []
    for code, cat, direction, amount, ref in rows:
        r = _row("kiel", 2017, "product", code, f"K{code}", direction, "original_budget", amount, cat)
        r["document_id"], r["source_ref"], r["budget_type"] = "kiel-haushalt-2017", ref, "operating"
        out.append(r)
    from analysis.contract import schema
    df = schema.conform(pd.DataFrame(out), "budget")
    df["unit"] = "EUR"
    return df


def test_an_item_without_revenue_rows_gets_net_equal_to_expenditure_with_a_note():
    # Haushalt-Kiel-2017.csv: 311210 has both sides (lines 2673-2695); a product with Aufwand rows only
    b = _kiel([("311210", "10.2", "expenditure", 17_813_000.0, "Haushalt-Kiel-2017.csv:2677-2695"),
               ("311210", "10.2", "revenue", 250_600.0, "Haushalt-Kiel-2017.csv:2673-2676"),
               ("315410", "10.7", "expenditure", 1_000.0, "Haushalt-Kiel-2017.csv:3108-3110")])
    net = spending.with_net(b, "amount")
    net = net[net["derived_net"]].set_index("item_code")
    assert net.at["311210", "amount"] == 17_562_400.0 and pd.isna(net.at["311210", "net_note"])
    assert net.at["315410", "amount"] == 1_000.0
    assert net.at["315410", "net_note"].startswith("no revenue rows for this item in its document, which lists revenue")
    comp = spending.composition(b, "division", value="amount")
    assert comp["value"].sum() == 17_562_400.0 + 1_000.0 and comp["one_sided_items"].sum() == 1
    assert caveats.one_sided(comp)[0].endswith("(kiel 1 items).")


def test_net_is_unknown_when_the_document_gives_only_one_side():
    b = _kiel([("315410", "10.7", "expenditure", 1_000.0, "k.csv:2"), ("311210", "10.2", "expenditure", 5.0, "k.csv:3")])
    net = spending.with_net(b, "amount")
    derived = net[net["derived_net"]]
    assert len(derived) == 2 and derived["amount"].isna().all()       # never dropped, never guessed
    assert set(derived["net_note"].str.endswith("net unknown")) == {True}
    assert spending.composition(b, "division", value="amount")["unknown_net_items"].sum() == 2


def test_a_file_without_totals_gets_the_sum_of_its_items_as_total():
    b = _kiel([("311210", "10.2", "expenditure", 17_813_000.0, "Haushalt-Kiel-2017.csv:2677-2695"),
               ("311210", "10.2", "revenue", 250_600.0, "Haushalt-Kiel-2017.csv:2673-2676")])
    t = spending.totals(b, value="amount").iloc[0]
    assert (t["expenditure"], t["revenue"], t["net"]) == (17_813_000.0, 250_600.0, 17_562_400.0)
    assert t["item_name"] == spending.SUM_OF_ITEMS and t["net_derived"]


def test_composition_for_a_chosen_year_and_phase(budget):
    # by default Aalborg's actual 2014; asked for the original budget, its plan figures
    default = spending.composition(budget, "group", value="amount")
    assert set(default.loc[default.municipality_id == "aalborg", "phase"]) == {"actual"}
    plan = spending.composition(budget, "group", value="amount", fiscal_year=2014, phase="original_budget")
    assert list(plan["municipality_id"].unique()) == ["aalborg"]     # Peine has no 2014 figures: left out
    assert plan.loc[plan.category == "10.4", "value"].iloc[0] == 1_213_900_000 - 236_800_000
    assert spending.composition(budget, value="amount", fiscal_year=2030).empty
    left = caveats.category_left_out(budget, plan, pd.DataFrame({"municipality_id": ["peine", "aalborg"],
                                                                 "name": ["Landkreis Peine", "Aalborg Kommune"]}),
                                     2014, "original_budget")
    assert left == ["Landkreis Peine is not in this category comparison: it has no categorised figures for 2014 "
                    "original budget."]


def test_composition_and_amounts_is_the_two_compositions_in_one_pass(budget):
    names = {"peine": "Landkreis Peine", "aalborg": "Aalborg Kommune"}
    kiel = _kiel([("311210", "10.2", "expenditure", 17_813_000.0, "k.csv:2677-2695"),
                  ("311210", "10.2", "revenue", 250_600.0, "k.csv:2673-2676"),
                  ("315410", "10.7", "expenditure", 1_000.0, "k.csv:3108-3110"),
                  ("315420", "10.7", "revenue", 7.0, "k.csv:3111")])
    for rows in (budget, kiel, pd.concat([budget, kiel], ignore_index=True)):
        cb = rows.assign(value=rows["amount"] / 139.17 + 1.0, unit="EUR per inhabitant")  # value is not amount
        for fy, phase in ((None, None), (2014, "original_budget"), (None, "actual")):
            comp, amounts = spending.composition_and_amounts(cb, "division", None, names=names, fiscal_year=fy,
                                                             phase=phase)
            pd.testing.assert_frame_equal(comp, spending.composition(cb, "division", names=names, fiscal_year=fy,
                                                                     phase=phase))
            pd.testing.assert_frame_equal(amounts, spending.composition(cb, "division", value="amount"))
    comp, amounts = spending.composition_and_amounts(cb, "division")
    assert len(comp) and not comp["value"].equals(amounts["value"])   # the two differ where value is not amount
    comp, amounts = spending.composition_and_amounts(cb.iloc[0:0], "division")
    assert comp.empty and amounts.empty
