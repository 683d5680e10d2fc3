from pathlib import Path

import pandas as pd
import pytest

from analysis.compare import harmonise
from analysis.contract import schema
from analysis.contract.errors import InputError
from analysis.reference import tables as reference

ROOT = Path(__file__).resolve().parents[2]
COUNTRIES = {"peine": "DE", "aalborg": "DK", "berlin-neukoelln": "DE"}


@pytest.fixture(scope="module")
def ref():
    return reference.load(ROOT)


def _row(mid, year, amount, currency, **kw):
    rec = {"municipality_id": mid, "document_id": "doc", "fiscal_year": year, "period": str(year),
           "org_unit": "x", "item_code": "c", "item_name": "n", "item_name_en": None, "level": "product",
           "direction": "net", "economic_type": "all", "phase": "actual", "amount": amount,
           "currency": currency, "category": "10.4", "source_ref": "f.txt:1"}
    rec.update(kw)
    return rec


def _budget(rows):
    return schema.conform(pd.DataFrame(rows), "budget")


def test_to_eur_uses_the_fiscal_years_rate(ref):
    df = harmonise.to_eur(_budget([_row("aalborg", 2014, 1_000_000, "DKK"),
                                   _row("peine", 2024, 16_983_000, "EUR")]), ref.exchange_rates)
    # exchange_rates.csv: DKK 2014 = 7.4548 per EUR
    # 1,000,000 / 7.4548 = 134,141.76 (check: 134,141.76 x 7.4548 = 999,999.99)
    assert df["amount_eur"].iloc[0] == pytest.approx(134_141.76, abs=0.01)
    assert (df["fx_rate"].iloc[0], df["fx_year"].iloc[0]) == (7.4548, 2014)
    assert "ECB" in df["fx_source"].iloc[0]
    assert df["amount_eur"].iloc[1] == 16_983_000 and df["fx_rate"].iloc[1] == 1.0


def test_to_eur_never_converts_silently_without_a_rate(ref):
    with pytest.raises(InputError) as exc:
        harmonise.to_eur(_budget([_row("aalborg", 2031, 1.0, "DKK"), _row("aalborg", 2031, 2.0, "DKK"),
                                  _row("x", 2014, 1.0, "SEK")]), ref.exchange_rates)
    msg = str(exc.value)
    assert "exchange_rates.csv" in msg
    assert "add a row currency=DKK, year=2031" in msg and "add a row currency=SEK, year=2014" in msg
    assert len(exc.value.problems) == 2


def test_to_real_deflates_with_the_countrys_hicp(ref):
    df = harmonise.to_real(_budget([_row("peine", 2022, 1_000_000, "EUR"),
                                    _row("aalborg", 2014, 1_000_000, "DKK")]), ref.price_index, 2024, COUNTRIES)
    # HICP DE: 2024 = 129.00, 2022 = 118.71 -> 1,000,000 x 129.00 / 118.71 = 1,086,681.83
    assert df["amount_real"].iloc[0] == pytest.approx(1_086_681.83, abs=0.01)
    # HICP DK: 2024 = 119.13, 2014 = 99.78 -> 1,000,000 x 119.13 / 99.78 = 1,193,926.64 (still DKK)
    assert df["amount_real"].iloc[1] == pytest.approx(1_193_926.64, abs=0.01)
    assert list(df["price_index_year"]) == [2022, 2014]
    assert df["deflator_note"].iloc[1] == "HICP DK: 119,13 (2024) / 99,78 (2014)"


def test_to_real_with_the_german_cpi_and_missing_years(ref):
    df = harmonise.to_real(_budget([_row("peine", 2022, 1000.0, "EUR")]), ref.price_index, 2024, COUNTRIES,
                           series="CPI-DE")
    assert df["amount_real"].iloc[0] == pytest.approx(1000 * 119.3 / 110.2)
    with pytest.raises(InputError, match="add a row country=DK, year=2010, series=HICP"):
        harmonise.to_real(_budget([_row("aalborg", 2010, 1.0, "DKK")]), ref.price_index, 2024, COUNTRIES)
    with pytest.raises(InputError, match="no country for municipality 'nowhere'"):
        harmonise.to_real(_budget([_row("nowhere", 2014, 1.0, "DKK")]), ref.price_index, 2024, COUNTRIES)


def test_per_inhabitant_uses_the_nearest_earlier_year_and_says_so(ref):
    # Budget "Soziales", forecast 2024: -16.983.000 in the report (line 317) -> net 16,983,000 EUR
    df = harmonise.per_inhabitant(_budget([_row("peine", 2024, 16_983_000, "EUR"),
                                           _row("aalborg", 2014, 1.0, "DKK")]), ref.population)
    # population.csv has no Peine 2024: 2023 (139,170) is used; 16,983,000 / 139,170 = 122.03
    assert df["population"].iloc[0] == 139170 and df["population_year"].iloc[0] == 2023
    assert df["population_date"].iloc[0] == "2023-12-31"
    assert df["amount_per_inhabitant"].iloc[0] == pytest.approx(122.03, abs=0.005)
    assert (df["population"].iloc[1], df["population_year"].iloc[1]) == (205809, 2014)


def test_per_inhabitant_without_an_earlier_year_raises(ref):
    with pytest.raises(InputError, match="available years: 2015, 2020"):
        harmonise.per_inhabitant(_budget([_row("berlin-neukoelln", 2012, 1.0, "EUR")]), ref.population)


def test_comparable_real_per_inhabitant(ref):
    b = _budget([_row("aalborg", 2014, 1_000_000, "DKK"), _row("peine", 2024, 1_000_000, "EUR")])
    df = harmonise.comparable(b, ref, base_year=2024, price_basis="real", per="inhabitant", countries=COUNTRIES)
    # Aalborg: 1,000,000 DKK x 119.13 / 99.78 = 1,193,926.64 DKK at 2024 prices
    #          / 7.4589 (DKK per EUR 2024) = 160,067.39 EUR / 205,809 inhabitants (1 Jan 2014) = 0.7777
    assert df["amount_real_eur"].iloc[0] == pytest.approx(160_067.39, abs=0.01)
    assert df["value"].iloc[0] == pytest.approx(0.77775, abs=0.00001)
    assert df["fx_year"].iloc[0] == 2024
    # Peine 2024: deflator 1, rate 1, 1,000,000 / 139,170 (2023) = 7.1855
    assert df["value"].iloc[1] == pytest.approx(7.1855, abs=0.0001)
    assert df["unit"].iloc[0] == "EUR at 2024 prices (HICP, 2024 exchange rate) per inhabitant"


def test_comparable_nominal_total_and_argument_errors(ref):
    b = _budget([_row("aalborg", 2014, 1_000_000, "DKK")])
    df = harmonise.comparable(b, ref)
    assert df["value"].iloc[0] == pytest.approx(134_141.76, abs=0.01) and df["unit"].iloc[0] == "EUR, current prices"
    with pytest.raises(ValueError, match="needs base_year"):
        harmonise.comparable(b, ref, price_basis="real", countries=COUNTRIES)
    with pytest.raises(ValueError, match="valid: nominal, real"):
        harmonise.comparable(b, ref, price_basis="constant")
    with pytest.raises(ValueError, match="valid: total, inhabitant"):
        harmonise.comparable(b, ref, per="capita")


def test_nan_amounts_stay_nan(ref):
    df = harmonise.comparable(_budget([_row("aalborg", 2014, None, "DKK")]), ref, per="inhabitant")
    assert pd.isna(df["value"].iloc[0])


def test_by_category_sums_annual_rows_only(ref):
    rows = [_row("peine", 2024, 100.0, "EUR", item_code="a"),
            _row("peine", 2024, 50.0, "EUR", item_code="b", category_judgement=True),
            _row("peine", 2024, 7.0, "EUR", item_code="a", period="2024-03"),          # monthly: not added
            _row("peine", 2024, 30.0, "EUR", item_code="a", economic_type="personnel"),  # breakdown: not added
            _row("peine", 2024, 5.0, "EUR", item_code="t", level="total", category=None),
            _row("peine", 2024, None, "EUR", item_code="c", category="10.7"),
            _row("aalborg", 2014, 1_000_000, "DKK", item_code="d")]
    df = harmonise.to_eur(_budget(rows), ref.exchange_rates)
    out = harmonise.by_category(df).set_index(["municipality_id", "category"])
    assert out.loc[("peine", "10.4"), "amount_eur"] == 150.0
    assert out.loc[("peine", "10.4"), "rows"] == 2 and out.loc[("peine", "10.4"), "judgement_rows"] == 1
    assert pd.isna(out.loc[("peine", "10.7"), "amount_eur"])
    assert out.loc[("aalborg", "10.4"), "amount_eur"] == pytest.approx(134_141.76, abs=0.01)
    assert len(out) == 3


def test_missing_population_leaves_the_municipality_out_and_names_the_row(ref):
    # Kiel has no population row: left out of the per-inhabitant figures, Peine is unchanged
    b = _budget([_row("peine", 2024, 16_983_000, "EUR"), _row("kiel", 2017, 17_813_000.0, "EUR")])
    with pytest.raises(InputError, match="no population figures for 'kiel'"):
        harmonise.per_inhabitant(b, ref.population)
    df = harmonise.per_inhabitant(b, ref.population, missing="leave_out")
    assert list(df["municipality_id"]) == ["peine"]
    assert df["amount_per_inhabitant"].iloc[0] == pytest.approx(122.03, abs=0.005)   # as without Kiel
    assert harmonise.left_out(df) == [{"municipality_id": "kiel", "fiscal_year": 2017, "what": "population",
                                       "file": "data/reference/population.csv",
                                       "add": "a row municipality_id=kiel, year=2017, reference_date=<YYYY-MM-DD>, "
                                              "population=<official figure>, source=<where from>"}]
    assert harmonise.left_out_ids(df) == ["kiel"]


def test_missing_exchange_rate_and_price_index_leave_out_too(ref):
    b = _budget([_row("aalborg", 2030, 1.0, "DKK"), _row("peine", 2024, 1.0, "EUR")])
    df = harmonise.comparable(b, ref, base_year=2024, price_basis="real", per="total", countries=COUNTRIES,
                              missing="leave_out")
    assert list(df["municipality_id"]) == ["peine"]
    whats = {(e["municipality_id"], e["what"]) for e in harmonise.left_out(df)}
    assert ("aalborg", "price index") in whats
    nominal = harmonise.comparable(b, ref, price_basis="nominal", missing="leave_out")
    assert [e["what"] for e in harmonise.left_out(nominal)] == ["exchange rate"]
    with pytest.raises(ValueError, match="unknown missing"):
        harmonise.to_eur(b, ref.exchange_rates, missing="ignore")


# --- the lookups per distinct key give what the per-row loops gave (issue 13m) -----------------

def _same_as_loops(new: pd.DataFrame, was: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, was, check_exact=True)
    assert new.attrs.get("left_out") == was.attrs.get("left_out")


def _mixed_budget():
    """Rows of several municipalities, currencies and years interleaved (so that the first
    appearance of a key is not its sorted position), with missing rates, indices and populations."""
    rows = []
    for i, (mid, cur, year) in enumerate([("peine", "EUR", 2023), ("aalborg", "DKK", 2014), ("peine", "EUR", 2022),
                                           ("berlin-neukoelln", "EUR", 2024), ("aalborg", "DKK", 1990),
                                           ("nowhere", "EUR", 2023), ("aalborg", "XXX", 2014),
                                           ("peine", "EUR", 2023), ("peine", "EUR", 1991)] * 3):
        rows.append(_row(mid, year, 1000.0 + i if i % 7 else float("nan"), cur, item_code=f"c{i}"))
    return _budget(rows)


@pytest.mark.parametrize("missing", ["leave_out", "raise"])
def test_distinct_key_lookups_equal_the_row_loops(ref, missing):
    import legacy_harmonise as old
    b = _mixed_budget()
    countries = dict(COUNTRIES, nowhere=None)
    cases = [("to_eur", lambda m: m.to_eur(b, ref.exchange_rates, missing=missing)),
             ("to_eur base year", lambda m: m.to_eur(b, ref.exchange_rates, year=2024, missing=missing)),
             ("to_real", lambda m: m.to_real(b, ref.price_index, 2024, countries, missing=missing)),
             ("per_inhabitant", lambda m: m.per_inhabitant(b, ref.population, missing=missing))]
    for name, call in cases:
        try:
            was = call(old)
        except InputError as e:
            with pytest.raises(InputError) as got:
                call(harmonise)
            assert str(got.value) == str(e), name
            continue
        _same_as_loops(call(harmonise), was)


def test_distinct_key_lookups_on_an_empty_table(ref):
    import legacy_harmonise as old
    b = _budget([_row("peine", 2023, 1.0, "EUR")]).iloc[0:0]
    _same_as_loops(harmonise.to_eur(b, ref.exchange_rates), old.to_eur(b, ref.exchange_rates))
    _same_as_loops(harmonise.to_real(b, ref.price_index, 2024, COUNTRIES),
                   old.to_real(b, ref.price_index, 2024, COUNTRIES))
    _same_as_loops(harmonise.per_inhabitant(b, ref.population), old.per_inhabitant(b, ref.population))


@pytest.mark.slow
def test_distinct_key_lookups_on_the_real_budget(tmp_path):
    """comparable() of the extracted real municipalities, every price basis and per, equal to the loops."""
    import legacy_harmonise as old
    from analysis import api
    ws = api.load(ROOT)
    b = ws.budget
    for fn_new, fn_old, args in [
            (harmonise.to_eur, old.to_eur, (b, ws.reference.exchange_rates)),
            (harmonise.to_real, old.to_real, (b, ws.reference.price_index, 2024, ws.countries)),
            (harmonise.per_inhabitant, old.per_inhabitant, (b, ws.reference.population))]:
        _same_as_loops(fn_new(*args, missing="leave_out"), fn_old(*args, missing="leave_out"))
