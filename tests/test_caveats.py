import pandas as pd

from analysis import caveats


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
    assert "DKK converted at 7.4548 DKK/EUR (2014 annual mean" in caveats.currency(cb, {"aalborg": "Aalborg"})[0]


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
