import pandas as pd
import pytest

from analysis.contract import schema
from analysis.contract.errors import InputError


def _budget_row(**kw):
    row = dict(municipality_id="peine", document_id="peine-2024-143", fiscal_year=2024, period="2024",
               org_unit="FD 32 Soziales", item_code="3111", item_name="Hilfe zum Lebensunterhalt",
               item_name_en="Assistance with living costs", level="product", direction="net",
               economic_type="all", phase="original_budget", amount=3932200.0, currency="EUR",
               category="10.7", source_ref="peine_produktbericht_2024-06.txt:286")
    row.update(kw)
    return row


def test_valid_row_has_no_problems():
    df = schema.conform(pd.DataFrame([_budget_row()]), "budget")
    assert schema.problems(df, "budget") == []


def test_empty_tables_have_the_contract_columns():
    for name in schema.TABLES:
        df = schema.empty(name)
        assert list(df.columns[: len(schema.COLUMNS[name])]) == schema.COLUMNS[name]
        assert schema.problems(df, name) == []


def test_every_problem_is_reported_with_row_and_column():
    df = schema.conform(pd.DataFrame([_budget_row(), _budget_row(level="prod", period="2024-13", item_code="3112"),
                                      _budget_row(phase="plan", item_code="3113")]), "budget")
    found = schema.problems(df, "budget", "budget.csv")
    where = {(p.line, p.column) for p in found}
    assert (3, "level") in where and (3, "period") in where and (4, "phase") in where
    with pytest.raises(InputError) as exc:
        schema.validate(df, "budget", "budget.csv")
    assert "budget.csv:4, column 'phase'" in str(exc.value)
    assert "one of original_budget, adjusted_budget, forecast, actual, actual_to_date" in str(exc.value)


def test_duplicate_keys_are_reported():
    df = schema.conform(pd.DataFrame([_budget_row(), _budget_row()]), "budget")
    found = schema.problems(df, "budget", "budget.csv")
    assert any("duplicate row" in p.message and p.line == 3 for p in found)


def test_missing_required_column():
    df = pd.DataFrame([_budget_row()]).drop(columns=["source_ref"])
    found = schema.problems(df, "budget", "budget.csv")
    assert [p.column for p in found] == ["source_ref"]


def test_amounts_may_be_missing_but_not_text():
    df = schema.conform(pd.DataFrame([_budget_row(amount=None)]), "budget")
    assert schema.problems(df, "budget") == []
    assert pd.isna(df.loc[0, "amount"])


def test_goal_vocabularies():
    g = dict(municipality_id="segeberg", document_id="segeberg-drs-2011-054", goal_id="x", item_code=None,
             goal="g", goal_en="g", perspective="client", goal_type="outcome", metric=None, unit=None,
             direction="sideways", target=None, result=None, result_phase=None, achievement_reported=None,
             achievement=None, status="done", quantified=False, quote="q", source_ref="f.txt:1")
    found = schema.problems(schema.conform(pd.DataFrame([g]), "goals"), "goals", "goals.csv")
    assert {p.column for p in found} == {"direction", "status"}
