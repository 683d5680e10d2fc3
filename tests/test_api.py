import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import api
from analysis.contract import schema
from analysis.reference import tables as reference

ROOT = Path(__file__).resolve().parents[1]

MUNICIPALITIES = [
    ("aalborg", "Aalborg Kommune", "DK", "Region Nordjylland", "Kommune", "DKK", "da"),
    ("berlin-neukoelln", "Bezirk Berlin-Neukölln", "DE", "Berlin", "Bezirk", "EUR", "de"),
    ("magdeburg", "Landeshauptstadt Magdeburg", "DE", "Sachsen-Anhalt", "kreisfreie Stadt", "EUR", "de"),
    ("peine", "Landkreis Peine", "DE", "Niedersachsen", "Landkreis", "EUR", "de"),
    ("segeberg", "Kreis Segeberg", "DE", "Schleswig-Holstein", "Kreis", "EUR", "de"),
]


def _budget_row(mid, doc, year, phase, amount, currency, code, period=None, **kw):
    rec = {"municipality_id": mid, "document_id": doc, "fiscal_year": year, "period": period or str(year),
           "org_unit": "x", "item_code": code, "item_name": code, "item_name_en": None, "level": "product",
           "direction": "net", "economic_type": "all", "phase": phase, "amount": amount, "currency": currency,
           "category": "10.7", "source_ref": "f.txt:1"}
    rec.update(kw)
    return rec


def make_tables() -> dict[str, pd.DataFrame]:
    munis = pd.DataFrame(MUNICIPALITIES, columns=schema.COLUMNS["municipalities"])
    budget = pd.DataFrame([
        # Peine 3111 Hilfe zum Lebensunterhalt, line 286: plan -3.932.200, forecast -3.728.000 (net, sign flipped)
        _budget_row("peine", "peine-2024-143", 2024, "original_budget", 3_932_200, "EUR", "3111"),
        _budget_row("peine", "peine-2024-143", 2024, "forecast", 3_728_000, "EUR", "3111"),
        _budget_row("peine", "peine-2024-143", 2023, "actual", 1.0, "EUR", "D3", level="area"),
        _budget_row("peine", "peine-2024-143", 2022, "actual", 1.0, "EUR", "D3", level="area"),
        # Aalborg Sygedagpenge, line 459: Regnskab Udgift 395,5 mio. kr.
        _budget_row("aalborg", "aalborg-regnskab-2014", 2014, "actual", 395_500_000, "DKK", "VB.sygedagpenge",
                    direction="expenditure", category="10.1.1"),
    ])
    indicators = pd.DataFrame([{
        "municipality_id": "peine", "document_id": "peine-2024-143", "fiscal_year": 2024, "item_code": "3111",
        "indicator": "Fälle", "indicator_en": "cases", "unit": "cases", "phase": "forecast", "value": 387.0,
        "category": None, "source_ref": "peine_produktbericht_2024-06.txt:286"}])
    goals = pd.DataFrame([{
        "municipality_id": "berlin-neukoelln", "document_id": "berlin-neukoelln-1265-xxi", "goal_id": "g1",
        "item_code": None, "goal": "Ziel", "goal_en": "goal", "perspective": "x", "goal_type": "outcome",
        "metric": None, "unit": None, "direction": "none", "target": None, "result": None, "result_phase": None,
        "achievement_reported": None, "achievement": None, "status": "no_target", "quantified": False,
        "quote": "q", "source_ref": "n.txt:3", "target_year": 2025}, {
        "municipality_id": "segeberg", "document_id": "segeberg-drs-2011-054", "goal_id": "g2",
        "item_code": None, "goal": "Ziel", "goal_en": "goal", "perspective": "x", "goal_type": "outcome",
        "metric": None, "unit": None, "direction": "none", "target": None, "result": None, "result_phase": None,
        "achievement_reported": None, "achievement": None, "status": "no_target", "quantified": False,
        "quote": "q", "source_ref": "s.txt:3"}])
    tables = {"municipalities": munis, "budget": budget, "indicators": indicators, "goals": goals}
    return {name: schema.conform(df, name) for name, df in tables.items()}


@pytest.fixture(scope="module")
def ws():
    return api.Workspace(make_tables(), reference.load(ROOT))


def test_tables_are_attributes(ws):
    assert len(ws.budget) == 5 and len(ws.municipalities) == 5
    assert ws.quality.empty and list(ws.quality.columns[:3]) == ["check", "municipality_id", "document_id"]
    assert ws.countries["aalborg"] == "DK"


def test_select_filters(ws):
    df = ws.select("budget", municipalities="peine", years=2024, phases="forecast")
    assert list(df["amount"]) == [3_728_000]
    assert len(ws.select("budget", municipalities=["peine", "aalborg"], years=[2014, 2024])) == 3
    assert len(ws.select("goals", years=2025)) == 1


def test_select_unknown_values_list_the_valid_choices(ws):
    with pytest.raises(ValueError) as exc:
        ws.select("budget", municipalities="aalbrog")
    assert str(exc.value) == "unknown municipality 'aalbrog'; valid: aalborg, berlin-neukoelln, magdeburg, peine, segeberg"
    with pytest.raises(ValueError, match=r"unknown year 2014; valid: 2022, 2023, 2024"):
        ws.select("budget", municipalities="peine", years=2014)
    with pytest.raises(ValueError, match=r"unknown phase 'plan'; valid: original_budget, adjusted_budget"):
        ws.select("budget", phases="plan")
    with pytest.raises(ValueError, match="unknown table 'budgets'"):
        ws.select("budgets")
    with pytest.raises(ValueError, match="no year column"):
        ws.select("municipalities", years=2024)


def test_comparable_budget(ws):
    df = ws.comparable_budget("aalborg", per="inhabitant")
    # 395,500,000 DKK / 7.4548 (2014) = 53,053,066.5 EUR; / 205,809 inhabitants (1 Jan 2014) = 257.78
    assert df["amount_eur"].iloc[0] == pytest.approx(53_053_066.5, abs=0.1)
    assert df["value"].iloc[0] == pytest.approx(257.78, abs=0.005)
    real = ws.comparable_budget(["peine"], base_year=2024, price_basis="real", years=2024, phases="forecast")
    assert real["value"].iloc[0] == pytest.approx(3_728_000)


def test_coverage(ws):
    cov = ws.coverage()
    assert cov.loc["peine", "budget"] == "2022, 2023, 2024"
    assert cov.loc["aalborg", "budget"] == "2014"
    assert cov.loc["magdeburg", "budget"] == "no figures in source"
    assert cov.loc["peine", "indicators"] == "2024"
    assert cov.loc["berlin-neukoelln", "goals"] == "2025"
    assert cov.loc["segeberg", "goals"] == "1 row without a year"
    long = ws.coverage(long=True)
    assert long[(long["municipality_id"] == "peine") & (long["table"] == "budget")]["rows"].sum() == 4


def _writer(calls):
    def extractor(root):
        calls.append(root)
        out = Path(root) / "data" / "processed"
        out.mkdir(parents=True, exist_ok=True)
        for name, df in make_tables().items():
            df.to_csv(out / f"{name}.csv", index=False)
        for name in ("documents", "quality", "budget_changes"):
            schema.empty(name).to_parquet(out / f"{name}.parquet", index=False)
    return extractor


def test_load_extracts_when_processed_is_missing(tmp_path):
    shutil.copytree(ROOT / "data" / "reference", tmp_path / "data" / "reference")
    calls = []
    ws = api.load(tmp_path, extractor=_writer(calls))
    assert calls == [tmp_path]
    assert len(ws.budget) == 5 and ws.budget["fiscal_year"].dtype == "int64"
    assert ws.reference.population is not None
    ws2 = api.load(tmp_path, refresh=False, extractor=_writer(calls))
    assert len(calls) == 1 and len(ws2.indicators) == 1


def test_load_without_tables_and_without_refresh_says_what_to_do(tmp_path):
    shutil.copytree(ROOT / "data" / "reference", tmp_path / "data" / "reference")
    with pytest.raises(FileNotFoundError, match="analysis extract"):
        api.load(tmp_path, refresh=False)


def test_load_keeps_the_tables_for_the_next_load_until_processed_changes(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "data" / "reference", tmp_path / "data" / "reference")
    api.load(tmp_path, extractor=_writer([]))
    reads = []
    real = api.read_processed
    monkeypatch.setattr(api, "read_processed", lambda folder: reads.append(folder) or real(folder))
    first = api.load(tmp_path, refresh=False)
    second = api.load(tmp_path, refresh=False)
    assert reads == []                                       # neither load read a file: the tables of the first
    assert second.budget.equals(first.budget) and second.budget is not first.budget
    # one page's edits never reach the next: each load has its own frames (copy-on-write)
    second.budget.loc[0, "amount"] = -1.0
    second.tables["indicators"]["extra"] = 1
    third = api.load(tmp_path, refresh=False)
    assert third.budget.loc[0, "amount"] == 3_932_200 and "extra" not in third.indicators.columns
    assert reads == []
    # a changed data/processed/ is read again: one amount rewritten in place
    csv = tmp_path / "data" / "processed" / "budget.csv"
    df = pd.read_csv(csv)
    df.loc[0, "amount"] = 1_234_567
    df.to_csv(csv, index=False)
    fourth = api.load(tmp_path, refresh=False)
    assert len(reads) == 1 and fourth.budget.loc[0, "amount"] == 1_234_567
    # a new data/processed/ (extract replaces the folder) is read again too, even with the same files
    shutil.copytree(tmp_path / "data" / "processed", tmp_path / "data" / "new", copy_function=shutil.copy2)
    shutil.rmtree(tmp_path / "data" / "processed")
    (tmp_path / "data" / "new").rename(tmp_path / "data" / "processed")
    api.load(tmp_path, refresh=False)
    assert len(reads) == 2


def test_parquet_and_csv_of_the_processed_tables_load_the_same(tmp_path):
    pq_dir, csv_dir = tmp_path / "pq", tmp_path / "csv"
    pq_dir.mkdir()
    csv_dir.mkdir()
    tables = make_tables() | {name: schema.empty(name) for name in ("documents", "quality", "budget_changes")}
    for name, df in tables.items():
        df.to_parquet(pq_dir / f"{name}.parquet", index=False)
        df.to_csv(csv_dir / f"{name}.csv", index=False)
    from_parquet, from_csv = api.read_processed(pq_dir), api.read_processed(csv_dir)
    for name in api.TABLES:
        pd.testing.assert_frame_equal(from_parquet[name], from_csv[name], check_exact=True)
        pd.testing.assert_frame_equal(from_parquet[name], schema.conform(tables[name], name), check_exact=True)
