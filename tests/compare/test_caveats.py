import pandas as pd

from analysis.compare import caveats


def _rows(**cols):
    return pd.DataFrame(cols)


def test_fiscal_years_only_when_they_differ():
    same = _rows(municipality_id=["peine", "aalborg"], fiscal_year=[2024, 2024])
    assert caveats.fiscal_years(same) == []
    diff = _rows(municipality_id=["peine", "aalborg"], fiscal_year=[2024, 2014])
    text = caveats.fiscal_years(diff, {"peine": "Landkreis Peine", "aalborg": "Aalborg Kommune"})[0]
    assert "Aalborg Kommune 2014" in text and "Landkreis Peine 2024" in text


def test_currency_states_the_rate_used():
    cb = _rows(municipality_id=["aalborg"], currency=["DKK"], fx_rate=[7.4548], fx_year=[2014],
               fx_source=["mean of ECB daily euro reference rates"])
    assert "DKK converted at 7,4548 DKK/EUR (2014 annual mean" in caveats.currency(cb, {"aalborg": "Aalborg"})[0]


def test_population_year_fallback_is_said():
    cb = _rows(municipality_id=["peine"], fiscal_year=[2024], population_year=[2023], population=[139170],
               population_date=["2023-12-31"])
    text = caveats.population(cb, {"peine": "Landkreis Peine"})[0]
    assert "Landkreis Peine 2024: 139.170 inhabitants (2023-12-31)" in text
    assert "nearest earlier year" in text


def test_breakdown_lines_are_not_counted_as_items_without_category():
    cb = _rows(municipality_id=["peine"] * 3, level=["line", "product", "product"],
               item_code=["32", "3111", "9999"], item_name=["Personal", "Hilfe zum Lebensunterhalt", "Neu"],
               category=[None, "10.7", None], category_judgement=[None, False, None],
               category_rule=["breakdown of total/area 32: no category", "de_produkt 311*", None])
    text = " ".join(caveats.categories(cb))
    assert "1 items have no category" in text


def test_nominal_is_said():
    cb = _rows(municipality_id=["peine"], amount=[1.0])
    assert caveats.prices(cb)[0].startswith("Nominal terms")


def test_scope_states_the_share_of_the_total_that_is_itemised():
    base = dict(municipality_id="peine", document_id="d", fiscal_year=2024, period="2024", org_unit="X",
                economic_type="all", phase="forecast", currency="EUR", unit="EUR, current prices",
                budget_type="operating", source_ref="f.txt:1", category_name_en=None, category_judgement=False)
    rows = [
        dict(base, level="total", direction="net", item_code="3", item_name="Dezernat", amount=200e6, value=200e6,
             category=None),
        dict(base, level="product", direction="net", item_code="3111", item_name="HLU", amount=30e6, value=30e6,
             category="10.7", category_name_en="Social exclusion n.e.c."),
        dict(base, level="product", direction="net", item_code="41201", item_name="SpDi", amount=20e6,
             value=20e6, category="07.4", category_name_en="Public health services"),
    ]
    text = caveats.scope(pd.DataFrame(rows), "division", None, {"peine": "Landkreis Peine"})[0]
    assert "Landkreis Peine 2024 (forecast): categorised items 50,0 Mio. EUR net = 25 % of" in text
    assert "total net 200,0 Mio. EUR (Dezernat)" in text


# --- issue 12: names and labels from the data are shown as text ---------------------------------------

EVIL = "Test <script>document.title='x'</script><img src=x onerror=\"document.title='y'\"> [click](javascript:alert(1))"


def test_caveat_markdown_escapes_the_names_and_sources_it_carries():
    munis = pd.DataFrame({"municipality_id": ["t"], "name": [EVIL], "country": ["DE"], "admin_type": ["Stadt"]})
    cb = _rows(municipality_id=["t"], currency=["DKK"], fx_rate=[7.4548], fx_year=[2014],
               fx_source=["<img src=x onerror=alert(1)>"], fiscal_year=[2014])
    md = caveats.markdown(caveats.currency(cb, {"t": EVIL}) + caveats.task_split(munis, ["t"]))
    import re
    assert "<script>" not in md and "<img" not in md and not re.search(r"(?<!\\)\]\(javascript:", md)
    assert "Test &lt;script&gt;document.title='x'&lt;/script&gt;&lt;img src=x onerror=" in md
    assert "\\[click\\](javascript:alert(1))" in md
    assert md.startswith("**Caveats**\n\n- ")
    # the items themselves stay plain text (for tables and tests)
    assert caveats.currency(cb, {"t": EVIL})[0].startswith(EVIL + ": DKK converted at 7,4548")


def test_scope_caveat_escapes_the_total_row_name():
    base = dict(municipality_id="t", document_id="d", fiscal_year=2024, period="2024", org_unit="X",
                economic_type="all", phase="forecast", currency="EUR", unit="EUR, current prices",
                budget_type="operating", source_ref="f.txt:1", category_name_en=None, category_judgement=False)
    rows = [dict(base, level="total", direction="net", item_code="3", item_name="<i>total</i>", amount=200e6,
                 value=200e6, category=None),
            dict(base, level="product", direction="net", item_code="3111", item_name="HLU", amount=30e6, value=30e6,
                 category="10.7", category_name_en="Social exclusion n.e.c.")]
    md = caveats.markdown(caveats.scope(pd.DataFrame(rows), "division", None, {"t": "Town"}))
    assert "(&lt;i&gt;total&lt;/i&gt;)" in md and "<i>" not in md


def test_left_out_names_the_municipality_and_the_row_to_add():
    cb = _rows(municipality_id=["peine"], fiscal_year=[2024])
    cb.attrs["left_out"] = [{"municipality_id": "freiburg", "fiscal_year": y, "what": "population",
                             "file": "data/reference/population.csv",
                             "add": f"a row municipality_id=freiburg, year={y}, population=<official figure>"}
                            for y in (2015, 2016)]
    munis = _rows(municipality_id=["freiburg"], name=["Stadt Freiburg im Breisgau"], official_code=["08311000"])
    assert caveats.left_out(cb, munis) == [
        "Stadt Freiburg im Breisgau is left out of the per-inhabitant figures (2015, 2016): "
        "data/reference/population.csv has no population for it. To add it: `a row municipality_id=freiburg, "
        "official_code=08311000, year=<year>, population=<official figure>` for each of 2015, 2016."]
    assert caveats.left_out(caveats.subset(cb, cb), munis) == caveats.left_out(cb, munis)  # kept by subset
    assert caveats.left_out(_rows(municipality_id=["peine"]), munis) == []


def test_a_municipality_without_categorised_items_is_named_with_its_scheme():
    cb = _rows(municipality_id=["nrwstadt", "peine"], level=["product", "product"], category=[None, "10.7"],
               item_code=["05.01.01", "3111"], item_name=["SGB II", "HLU"])
    munis = _rows(municipality_id=["nrwstadt", "peine"], name=["NRW-Stadt", "Landkreis Peine"],
                  scheme=["de_produkt", "de_produkt"])
    comp = _rows(municipality_id=["peine"])
    assert caveats.category_left_out(cb, comp, munis) == [
        "NRW-Stadt is not in this category comparison: none of its 1 items has a category in de_produkt "
        "(data/processed/unassigned_items.csv lists them; add category_map.csv rows)."]


def test_texts_about_500_municipalities_name_five_and_count_the_rest():
    from analysis.compare import brief
    names = {f"m{i:03d}": f"Gemeinde {i:03d}" for i in range(500)}
    cb = pd.DataFrame({"municipality_id": list(names), "fiscal_year": [2022 + i % 2 for i in range(500)],
                       "phase": ["actual"] * 500})
    years = caveats.fiscal_years(cb, names)[0]
    assert years.startswith("Different fiscal years are compared: Gemeinde 000 2022; Gemeinde 001 2023; ")
    assert "Gemeinde 004 2022 and 495 more municipalities (the tables and downloads" in years
    assert "Gemeinde 005" not in years and len(years) < 300
    cb.attrs["left_out"] = [{"municipality_id": m, "fiscal_year": 2022, "what": "population",
                             "file": "data/reference/population.csv",
                             "add": f"municipality_id={m}, year=2022, population=<inhabitants>"} for m in names]
    text = caveats.left_out(cb, pd.DataFrame({"municipality_id": list(names), "name": list(names.values())}))
    assert len(text) == 1 and text[0].startswith("500 municipalities are left out of the per-inhabitant figures "
                                                 "(2022): data/reference/population.csv has no population for them "
                                                 "(Gemeinde 000, Gemeinde 001, Gemeinde 002, Gemeinde 003, "
                                                 "Gemeinde 004 and 495 more).")
    # up to brief.LIMIT, each one as before
    few = dict(list(names.items())[:brief.LIMIT])
    assert caveats.fiscal_years(cb[cb["municipality_id"].isin(few)], few)[0].count("Gemeinde") == brief.LIMIT
