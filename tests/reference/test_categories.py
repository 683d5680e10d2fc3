import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.contract import schema
from analysis.reference import categories
from analysis.reference import tables as reference

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
COUNTRIES = {"peine": "DE", "magdeburg": "DE", "berlin-neukoelln": "DE", "segeberg": "DE", "aalborg": "DK"}

# Aalborg 'Driftsaktiviteter' tables: (first line, last line, sector code)
AALBORG_TABLES = [(152, 165, "BU"), (452, 468, "VB"), (640, 658, "VF"), (765, 773, "ADM")]


@pytest.fixture(scope="module")
def cmap():
    return reference.load_category_map(ROOT)


def _row(mid, code, name, level="product", **kw):
    rec = {"municipality_id": mid, "document_id": "doc", "fiscal_year": 2024, "period": "2024",
           "org_unit": "x", "item_code": code, "item_name": name, "item_name_en": None, "level": level,
           "direction": "net", "economic_type": "all", "phase": "forecast", "amount": 1.0,
           "currency": "EUR", "category": None, "source_ref": "f.txt:1"}
    rec.update(kw)
    return rec


def peine_products():
    """(line, product number, name) of every product in the product table, lines 281-338."""
    lines = (RAW / "peine_produktbericht_2024-06.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for no, text in enumerate(lines[280:], start=281):
        parts = text.split("\t")
        if re.fullmatch(r"\d{3,5}", parts[0]):
            out.append((no, parts[0], parts[1]))
    return out


def aalborg_activities():
    """(line, sector code, activity name) as printed in the four 'Driftsaktiviteter' tables."""
    lines = (RAW / "aalborg_regnskab_2014_fb.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for first, last, sector in AALBORG_TABLES:
        for no in range(first, last + 1):
            text = lines[no - 1]
            name = text.split("\t")[0].strip()
            if not name or name.startswith(("I alt", "...")) or not re.search(r"\t-?[\d.]+,\d", text):
                continue
            if name == "Budgetgaranterede udg.":
                continue  # a header printed with zeros (line 649)
            out.append((no, sector, name))
    return out


def _budget(rows):
    return schema.conform(pd.DataFrame(rows), "budget")


def test_every_peine_product_in_the_table_gets_a_category(cmap):
    products = peine_products()
    assert len(products) == 43 and products[0] == (281, "11115", "Dezernatsleitung III")
    assert products[-1] == (338, "41405", "Hebammenzentrale")
    df, unassigned = categories.assign(_budget([_row("peine", c, n) for _, c, n in products]), cmap, COUNTRIES)
    assert unassigned.empty, unassigned
    got = dict(zip(df["item_code"], df["category"]))
    assert got["3111"] == "10.7"        # Hilfe zum Lebensunterhalt
    assert got["3130"] == "10.7"        # AsylbLG: refugees
    assert got["314"] == "10.1.2"       # Eingliederungshilfe SGB IX
    assert got["3460"] == "10.6"        # Wohngeld
    assert got["3121"] == "10.5"        # SGB II housing costs, with the scheme
    assert got["41402"] == "07.4"       # Infektionsschutz
    assert got["27104"] == "09"         # Bildungsbüro: education
    judged = dict(zip(df["item_code"], df["category_judgement"]))
    assert judged["11115"] and judged["3125"] and judged["3129"]
    assert not judged["3111"] and not judged["3460"]
    assert df.loc[df["item_code"] == "3460", "category_name_en"].iloc[0] == "Housing"
    assert df["category_rule"].str.startswith("category_map.csv:").all()


def test_every_aalborg_activity_gets_a_category(cmap):
    acts = aalborg_activities()
    assert (156, "BU", "Dagpleje og daginstitutioner") in acts and (770, "ADM", "Jobcentre") in acts
    assert len(acts) == 46  # Aktivering/revalidering twice (lines 454, 462)
    rows = [_row("aalborg", f"{s}.{re.sub(r'[^a-z0-9]+', '-', n.lower())}", n, level="line", currency="DKK",
                 fiscal_year=2014, period="2014") for _, s, n in acts]
    df, unassigned = categories.assign(_budget(rows), cmap, COUNTRIES)
    assert unassigned.empty, unassigned
    cat = {(c.split(".")[0], n): (k, j) for c, n, k, j in
           df[["item_code", "item_name", "category", "category_judgement"]].itertuples(index=False)}
    assert cat[("BU", "Dagpleje og daginstitutioner")] == ("10.4", True)
    assert cat[("BU", "Kommunal tandpleje")] == ("07.2", False)
    assert cat[("VB", "Sygedagpenge")] == ("10.1.1", False)
    assert cat[("VB", "Passiv forsørgelse")] == ("10.5", True)
    assert cat[("VB", "Aktivering/revalidering")] == ("10.5", True)
    assert cat[("VB", "Seniorjob")] == ("10.5", True)
    assert cat[("VB", "Integration")] == ("10.7", False)
    assert cat[("VF", "Førtidspension")] == ("10.1.2", False)
    assert cat[("VF", "Boligsikring")] == ("10.6", False)
    assert cat[("VF", "Bolig ydelse")] == ("10.6", False)
    assert cat[("VF", "Misbrugsbehandling og forebyggelse")] == ("10.7", False)
    # the same name in two sectors: decided by the sector prefix
    assert cat[("BU", "Øvrige sociale formål")][0] == "10.4"
    assert cat[("VF", "Øvrige sociale formål")][0] == "10.7"
    # administration: its scheme's group where there is one, else 10.9 with judgement
    assert cat[("ADM", "Jobcentre")] == ("10.5", True)
    assert cat[("ADM", "Myndighedsudøvelse")] == ("10.9", True)


def test_names_match_without_the_expected_codes_but_ambiguous_names_are_listed(cmap):
    rows = [_row("aalborg", "A1", "Sygedagpenge", level="line"),
            _row("aalborg", "A2", "  dagpleje og  daginstitutioner ", level="line"),
            _row("aalborg", "A3", "Sociale formål", level="line")]
    df, unassigned = categories.assign(_budget(rows), cmap, COUNTRIES)
    assert list(df["category"].iloc[:2]) == ["10.1.1", "10.4"]
    assert pd.isna(df["category"].iloc[2])
    assert unassigned[["municipality_id", "item_code", "item_name"]].values.tolist() == [
        ["aalborg", "A3", "Sociale formål"]]


def test_totals_and_areas_get_no_category_and_unmatched_rows_are_kept(cmap):
    rows = [_row("peine", "B-SOZ", 'Budget "Soziales"', level="total"),
            _row("peine", "3111", "Hilfe zum Lebensunterhalt", level="area"),
            _row("peine", "9999", "Unbekannt"), _row("peine", "9999", "Unbekannt", phase="original_budget")]
    df, unassigned = categories.assign(_budget(rows), cmap, COUNTRIES)
    assert len(df) == 4
    assert df["category"].isna().all() and not df["category_judgement"].any()
    assert len(unassigned) == 1
    rec = unassigned.iloc[0]
    assert (rec["item_code"], rec["rows"], rec["reason"]) == ("9999", 2, "no matching row in category_map.csv")


def test_german_product_groups_give_defaults_for_other_municipalities(cmap):
    df, unassigned = categories.assign(_budget([_row("magdeburg", "31101", "Hilfe zum Lebensunterhalt"),
                                                _row("magdeburg", "3650", "Kindertagesstätten")]), cmap, COUNTRIES)
    assert list(df["category"]) == ["10.7", "10.4"] and df["category_judgement"].all()


def test_unknown_country_is_listed_with_the_reason(cmap):
    df, unassigned = categories.assign(_budget([_row("malmo", "1", "x")]), cmap, {"malmo": "SE"})
    assert "schemes.csv" in unassigned.iloc[0]["reason"]


def test_matching_order_exact_before_prefix_before_name():
    cmap = pd.DataFrame([
        {"scheme": "s", "municipality_id": "", "item_code": "", "item_name": "Foo", "match_on": "name",
         "category": "10.7", "judgement": False},
        {"scheme": "s", "municipality_id": "", "item_code": "31*", "item_name": "", "match_on": "code",
         "category": "10.9", "judgement": True},
        {"scheme": "s", "municipality_id": "", "item_code": "311*", "item_name": "", "match_on": "code",
         "category": "10.2", "judgement": True},
        {"scheme": "s", "municipality_id": "", "item_code": "3111", "item_name": "", "match_on": "code",
         "category": "10.5", "judgement": False},
        {"scheme": "s", "municipality_id": "m", "item_code": "3111", "item_name": "", "match_on": "code",
         "category": "10.4", "judgement": False},
    ])
    countries, schemes = {"m": "XX", "n": "XX"}, {"XX": "s"}
    rows = [_row("m", "3111", "Foo"), _row("n", "3111", "Foo"), _row("n", "3112", "Foo"),
            _row("n", "3120", "Foo"), _row("n", "4000", "Foo")]
    df, _ = categories.assign(_budget(rows), cmap, countries, schemes=schemes)
    assert list(df["category"]) == ["10.4", "10.5", "10.2", "10.9", "10.7"]


def test_a_category_given_in_the_input_is_kept_when_the_map_has_none(cmap):
    df, unassigned = categories.assign(_budget([_row("peine", "9999", "x", category="10.4")]), cmap, COUNTRIES)
    assert df["category"].iloc[0] == "10.4" and df["category_rule"].iloc[0] == "given in input"
    assert unassigned.empty


def test_lines_that_break_down_an_area_get_no_category_and_are_not_listed(cmap):
    # Peine budget 33 'Arbeit' (line 327) and its economic-type lines (lines 171-186): aggregates
    rows = [_row("peine", "33", 'Budget "Arbeit"', level="area"),
            _row("peine", "33", "Personal", level="line", economic_type="personnel"),
            _row("peine", "3111", "Hilfe zum Lebensunterhalt"),
            _row("peine", "35", "Personal", level="line", economic_type="personnel")]
    df, unassigned = categories.assign(_budget(rows), cmap, COUNTRIES)
    assert pd.isna(df["category"].iloc[1]) and df["category_rule"].iloc[1] == "breakdown of total/area 33: no category"
    assert df["category"].iloc[2] == "10.7"
    # without its area row in the table, line 35 is not recognised as a breakdown: listed
    assert unassigned["item_code"].tolist() == ["35"]


def test_indicators_get_categories_from_the_indicator_map_then_the_budget_item():
    from analysis.reference.categories import assign_indicators
    ind = pd.DataFrame({"municipality_id": ["aalborg", "peine", "peine", "x"],
                        "item_code": ["BU", "3111", "9999", "1"],
                        "indicator_group": ["daycare_coverage", None, None, None],
                        "category": [None, None, None, "10.5"]})
    budget = pd.DataFrame({"municipality_id": ["peine"], "item_code": ["3111"], "level": ["product"],
                           "category": ["10.7"]})
    imap = pd.DataFrame({"municipality_id": ["aalborg"], "indicator_group": ["daycare_coverage"],
                         "category": ["10.4"], "judgement": [True], "note": ["n"], "source": ["s"]})
    out = assign_indicators(ind, budget, imap)
    assert out["category"].tolist() == ["10.4", "10.7", None, "10.5"]
    assert out["category_rule"].tolist()[:2] == ["indicator_category_map.csv: daycare_coverage", "budget item 3111"]


def test_an_nrw_product_is_categorised_by_the_nkf_rows(cmap):
    # NKF 05 Soziale Leistungen, 06 Kinder-, Jugend- und Familienhilfe, 07 Gesundheitsdienste;
    # Kreis Wesel prints its groups without the leading zero (501 Leistungen nach SGB II)
    rows = [_row("musterkreis", "05.01.01", "Leistungen nach SGB II"), _row("musterkreis", "501", "Leistungen nach SGB II"),
            _row("musterkreis", "06.01", "Förderung von Kindern"), _row("musterkreis", "070101", "Gesundheitsamt")]
    df, unassigned = categories.assign(_budget(rows), cmap, {"musterkreis": "DE"},
                                       regions={"musterkreis": "Nordrhein-Westfalen"})
    nkf = {r["item_code"]: f"category_map.csv:{i + 2}" for i, r in cmap.iterrows() if r["scheme"] == "de_nkf"}
    assert list(df["category"]) == ["10.9", "10.9", "10.4", "07"]
    assert list(df["category_rule"]) == [nkf["05*"], nkf["05*"], nkf["06*"], nkf["07*"]]
    assert unassigned.empty
    # the same numbers under the Produktrahmen of Niedersachsen mean nothing social: no category
    df, unassigned = categories.assign(_budget(rows), cmap, {"musterkreis": "DE"},
                                       regions={"musterkreis": "Niedersachsen"})
    assert df["category"].isna().all() and len(unassigned) == 4
    assert set(unassigned["scheme"]) == {"de_produkt"}


def test_the_land_picks_the_scheme_and_municipality_yml_can_override_it(cmap):
    # 315001 is BVG in Baden-Württemberg (3150) but a social facility in the Produktrahmen (315)
    rows = [_row("freiburg", "315001", "Kriegsopferfürsorge"), _row("stadt", "315001", "x")]
    df, _ = categories.assign(_budget(rows), cmap, {"freiburg": "DE", "stadt": "DE"},
                              regions={"freiburg": "baden-wuerttemberg", "stadt": "Hessen"})
    assert list(df["category"]) == ["10.1.2", "10.9"]     # 3150* (BW) and 315* (Produktrahmen)
    df, _ = categories.assign(_budget(rows[1:]), cmap, {"stadt": "DE"}, regions={"stadt": "Hessen"},
                              overrides={"stadt": "de_produkt_bw"})
    assert list(df["category"]) == ["10.1.2"]
    assert categories.scheme_for("DE", "Nordrhein-Westfalen", None, cmap.attrs["schemes"],
                                 cmap.attrs["region_schemes"]) == ("de_nkf", "schemes.csv row for DE, Nordrhein-Westfalen")
    assert categories.scheme_for("DE", "Bayern", None, cmap.attrs["schemes"], cmap.attrs["region_schemes"])[0] \
        == "de_produkt"
