"""findings.py: the sentences that open each page, computed from the pages' tables."""
import pandas as pd
import pytest
from samples import goals as goal_samples
from samples import spending as s

from analysis.compare import findings, goal_analysis as ga, spending

NAMES = {"peine": "Landkreis Peine", "aalborg": "Aalborg Kommune", "magdeburg": "Landeshauptstadt Magdeburg",
         "berlin-neukoelln": "Bezirk Berlin-Neukölln", "segeberg": "Kreis Segeberg"}


def test_spending_names_the_largest_deviation_from_plan_and_who_has_no_figures():
    b = s.budget()
    plan = spending.plan_vs_outturn(b, "category", value="amount")
    # Peine 2024, division 10 and 07: plan 3.932.200 - 9.700.000 + 9.605.800 + 868.700 = 4.706.700,
    # forecast 3.728.000 - 8.400.000 + 10.337.000 + 868.000 = 6.533.000: +1.826.300 = +38,8 %
    dev = findings.plan_deviation(plan).set_index("municipality_id")
    assert dev.at["peine", "plan"] == 4_706_700 and dev.at["peine", "outturn"] == 6_533_000
    assert dev.at["peine", "deviation_pct"] == pytest.approx(38.802, abs=1e-3)
    # Aalborg 2014 net (expenditure - revenue), actual 1.348.000.000 against adjusted 1.361.100.000: -0,96 %
    assert dev.at["aalborg", "deviation_pct"] == pytest.approx(-0.9625, abs=1e-4)
    f = findings.spending(spending.coverage(b, ["peine", "aalborg", "magdeburg"], NAMES), plan,
                          spending.composition(b, value="amount"), None, NAMES)
    texts = findings.texts(f)
    assert texts[0].startswith("Largest deviation from plan: Landkreis Peine, whose forecast 2024 is +38,8 % "
                               "against the original budget (+1.826.300 source currency")
    assert "Aalborg Kommune 2014: actual outturn -1,0 % against the adjusted budget" in texts[1]
    assert texts[-1] == ("Budget figures: Aalborg Kommune 2014; Landkreis Peine 2024. The documents of "
                         "Landeshauptstadt Magdeburg give none.")


def test_largest_category_says_partial_only_where_coverage_csv_says_partial():
    """Kiel and Freiburg have no row in coverage.csv: their coverage is not recorded, which the
    sentence says, rather than claiming the document covers the category only partly."""
    from analysis.compare import scope

    b = s.budget()
    coverage = pd.DataFrame({"municipality_id": ["peine"], "document_id": ["peine-2024-143"], "category": ["10"],
                             "coverage": ["partial"], "share": [float("nan")], "share_basis": [""], "scope": [""],
                             "evidence": ["peine_produktbericht_2024-06.txt:27"], "note": ["youth office elsewhere"]})
    comp = scope.with_coverage(spending.composition(b, value="amount"), coverage)
    assert set(comp.loc[comp["municipality_id"] == "aalborg", "coverage"]) == {scope.NOT_RECORDED}
    sentence = next(t for t in findings.texts(findings.spending(None, None, comp, None, NAMES))
                    if t.startswith("Largest category"))
    parts = sentence.removeprefix("Largest category of categorised net spending: ").rstrip(".").split("; ")
    peine = next(x for x in parts if x.startswith("Landkreis Peine"))
    aalborg = next(x for x in parts if x.startswith("Aalborg Kommune"))
    assert peine.endswith("(the document covers it only partly)")
    assert "only partly" not in aalborg and "(what the document covers of it is not recorded)" in aalborg


def test_spending_findings_name_who_is_left_out_for_want_of_a_reference_figure():
    # as harmonise.comparable(..., missing="leave_out") records Kiel and Freiburg without population
    cb = pd.DataFrame({"municipality_id": ["peine"], "fiscal_year": [2024]})
    cb.attrs["left_out"] = [
        {"municipality_id": "kiel", "fiscal_year": 2017, "what": "population", "file": "p.csv", "add": "a row"},
        {"municipality_id": "freiburg", "fiscal_year": 2015, "what": "population", "file": "p.csv", "add": "a row"},
        {"municipality_id": "freiburg", "fiscal_year": 2016, "what": "population", "file": "p.csv", "add": "a row"}]
    texts = findings.texts(findings.spending(None, None, None, cb, {**NAMES, "kiel": "Landeshauptstadt Kiel",
                                                                     "freiburg": "Stadt Freiburg im Breisgau"}))
    assert texts == ["Left out of the per-inhabitant figures (no population figure in the reference data): "
                     "Stadt Freiburg im Breisgau and Landeshauptstadt Kiel; see the notes below the tables."]


def test_goals_share_met_warns_under_five_measured_goals():
    g = goal_samples.goals()
    ach = ga.achievement(g, goal_samples.IDS)
    texts = findings.texts(findings.goals(ach, g, ga.missed(g, NAMES), NAMES))
    share = next(t for t in texts if t.startswith("Share of measured goals met"))
    # Peine: 1 met of 2 measured
    assert "Landkreis Peine 50\u00a0% (1 of 2; fewer than 5 measured goals: too few to compare)" in share
    assert any(t.startswith("No goal of ") and "Bezirk Berlin-Neukölln" in t for t in texts)
    assert any(t.startswith("Of ") and "no target" in t and "not measured yet" in t for t in texts)


def test_indicator_labels_carry_the_item_name():
    rec = {"item_code": "3126", "item_name": "Leistungen für Bildung und Teilhabe", "indicator": "Fälle",
           "indicator_en": "cases"}
    assert findings.indicator_label(rec) == "3126 Leistungen für Bildung und Teilhabe: cases"
    assert findings.indicator_label({"item_code": "BU", "indicator": "Antal børn 0-2 år",
                                     "indicator_en": "Children aged 0-2"}) == "Children aged 0-2"


def test_indicators_keep_flagged_figures_apart():
    v = pd.DataFrame({"municipality_id": ["peine", "peine"], "fiscal_year": [2024, 2024],
                      "item_code": ["3118", "41403"], "item_name": ["Hilfe zur Pflege", "Psychosoziale Hilfen"],
                      "indicator": ["Fälle", "Kontakte"], "indicator_en": ["cases", "contacts"],
                      "planned": [417.0, 3160.0], "realised": [452.0, 40097.0], "realised_phase": ["forecast"] * 2,
                      "deviation_pct": [100 * 35 / 417, 100 * (40097 - 3160) / 3160],
                      "flag_note": [None, "flagged (peine-41403-contacts-forecast)"]})
    texts = findings.texts(findings.indicators(v, names=NAMES))
    assert texts[0] == ("Largest deviation of a realised volume from plan: Landkreis Peine 2024, 3118 Hilfe zur "
                        "Pflege: cases: forecast 452 against 417 planned (+8,4 %).")
    assert texts[1].startswith("The largest flagged figure, kept as printed and drawn off scale: Landkreis Peine "
                               "41403 Psychosoziale Hilfen: contacts, forecast 40.097 against 3.160 planned")


def test_methods_counts_checks_and_the_figures_found_on_their_line():
    q = pd.DataFrame({"status": ["pass"] * 3 + ["contradiction"], "document_id": ["d"] * 4,
                      "check": ["c"] * 4})
    v = {"figures": 2079, "found": 2070, "corrected": 7, "not_found": 2, "no_line": 0, "share_found": 99.567}
    texts = findings.texts(findings.methods(q, None, None, v))
    assert texts[0] == ("2.070 of 2.079 figures (99,6\u00a0%) are found as printed on the document line they cite; "
                        "7 are corrected (settled by other lines); 2 are not found there.")
    assert texts[1] == "4 checks of the documents against themselves: 3 pass and 1 contradiction (75\u00a0% pass)."


def test_profile_findings_of_a_budget_file_without_reference_or_goals():
    # Kiel: a budget file as published (no council reference, no date), no goals coded
    totals = pd.DataFrame({"fiscal_year": [2017], "phase": ["original_budget"], "net_amount": [242_535_300.0],
                           "currency": ["EUR"], "item_name": ["sum of the items (the document prints no total)"],
                           "source_ref": ["Haushalt-Kiel-2017.csv:2579-2587, 2588-2590, 2657-2672, 2673-2676 (+66 more), "
                                          "2591-2613, 2614-2633"]})
    docs = pd.DataFrame({"document_id": ["kiel-haushalt-2017"], "municipality_id": ["kiel"],
                         "title": ["Haushalt 2017, Ergebnisplan nach Produkten und Sachkonten (Open-Data-Datei)"],
                         "reference": [float("nan")], "date": [float("nan")]})
    texts = findings.texts(findings.profile("kiel", totals, None, None, None, {"kiel": "Landeshauptstadt Kiel"}, docs,
                                            goals_none=True))
    assert texts == [
        "Latest grand total: sum of the items (the document prints no total) 2017 (original budget): net 242.535.300 "
        "EUR as printed (Haushalt-Kiel-2017.csv:2579-2587, 2588-2590, 2657-2672, 2673-2676, ...).",
        "No goals coded for Landeshauptstadt Kiel.",
        "1 document: Haushalt 2017, Ergebnisplan nach Produkten und Sachkonten (Open-Data-Datei) (no date)."]


def test_spending_findings_of_500_municipalities_stay_a_few_sentences():
    """Peine's and Aalborg's plan rows cloned to 500 municipalities (their ids m000..m499): one
    sentence on the spread instead of one per municipality, five names in each list."""
    b = s.budget()
    plan = spending.plan_vs_outturn(b, "category", value="amount")
    comp = spending.composition(b, value="amount")
    cov = spending.coverage(b, ["peine", "aalborg"], NAMES)
    names = {f"m{i:03d}": f"Gemeinde {i:03d}" for i in range(500)}

    def clone(df):
        src = {0: "peine", 1: "aalborg"}
        return pd.concat([df[df["municipality_id"] == src[i % 2]].assign(municipality_id=m)
                          for i, m in enumerate(names)], ignore_index=True)

    f = findings.spending(clone(cov), clone(plan), clone(comp), None, names)
    texts = findings.texts(f)
    assert len(texts) == 4                                # largest deviation, spread, composition, coverage
    assert texts[1].startswith("Deviation from plan across 500 municipalities: median ")
    assert "the middle half from -1,0 % to +38,8 %" in texts[1]      # Aalborg's and Peine's deviations
    assert "Gemeinde 004" in texts[2] and "Gemeinde 005" not in texts[2] and "and 495 more municipalities" in texts[2]
    assert max(len(t) for t in texts) < 1000
