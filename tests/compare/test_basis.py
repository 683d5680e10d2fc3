"""basis.py: downloads from which each value can be recomputed (amount, exchange rate, index, population)."""
import numpy as np
import pandas as pd
import pytest
from samples import spending as s

from analysis.compare import basis, harmonise, spending

RATES = pd.DataFrame({"currency": ["DKK", "DKK"], "year": [2014, 2024], "units_per_eur": [7.4548, 7.4589],
                      "source": ["ECB", "ECB"]})
INDEX = pd.DataFrame({"country": ["DK", "DK", "DE"], "series": ["HICP"] * 3, "year": [2014, 2024, 2024],
                      "index": [99.78, 119.13, 129.0]})
POP = pd.DataFrame({"municipality_id": ["aalborg", "peine"], "year": pd.array([2014, 2023], dtype="Int64"),
                    "reference_date": ["2014-01-01", "2023-12-31"], "population": [205_809, 139_170],
                    "source": ["DST", "LSN"]})


def _cb():
    b = s.budget()
    b = harmonise.to_real(b, INDEX, 2024, {"aalborg": "DK", "peine": "DE"})
    b = harmonise.to_eur(b, RATES, column="amount_real", out="amount_real_eur", year=2024)
    b = harmonise.per_inhabitant(b, POP, column="amount_real_eur", out="value")
    b["unit"] = "EUR at 2024 prices (HICP, 2024 exchange rate) per inhabitant"
    return b


def test_every_composition_value_is_recomputed_from_the_file_alone():
    cb = _cb()
    comp = spending.composition(cb)
    d = basis.composition_download(comp, cb)
    redone = d["value_amount"] * d["price_index_base_value"] / d["price_index_value"] / d["fx_rate"] / d["population"]
    assert np.allclose(redone, d["value"])
    a = d.set_index("municipality_id").loc["aalborg"]
    # Aalborg 2014 actual net, division 10: 969.500.000 + 378.500.000 DKK; HICP DK 119,13 / 99,78; 7,4589 DKK/EUR
    assert a["value_amount"] == 1_348_000_000 and a["fx_rate"] == 7.4589 and a["population"] == 205_809
    assert a["value"] == pytest.approx(1_348_000_000 * 119.13 / 99.78 / 7.4589 / 205_809)
    assert a["population_year"] == 2014 and a["population_date"] == "2014-01-01"
    assert a["formula"].startswith("value = amount x price_index_base_value / price_index_value / fx_rate / population")


def test_plan_download_has_each_plan_in_the_source_currency():
    cb = _cb()
    d = basis.plan_download(spending.plan_vs_outturn(cb, "item"), cb, "item")
    row = d[(d["municipality_id"] == "peine") & (d["item_code"] == "3121")].iloc[0]
    # Peine 3121 (line 320): plan 9.605.800, forecast 10.337.000 EUR; population 2023 (the nearest earlier year)
    assert (row["original_budget_amount"], row["outturn_amount"]) == (9_605_800, 10_337_000)
    assert row["population_year"] == 2023
    assert row["outturn"] == pytest.approx(10_337_000 / 139_170)    # EUR, 2024 = base year: deflator 1


def test_rows_without_figures_keep_empty_basis_columns():
    cb = _cb()
    t = spending.totals(cb, municipalities=["peine", "aalborg", "magdeburg"])
    d = basis.totals_download(t, cb)
    m = d[d["municipality_id"] == "magdeburg"].iloc[0]
    assert m["missing"] == "no figures in source" and pd.isna(m["phase"]) and pd.isna(m["fx_rate"])
