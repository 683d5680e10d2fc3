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


def _typed_budget():
    """Two conformed budget rows, as `analysis extract` writes them (every column of its contract dtype)."""
    return schema.conform(pd.DataFrame([_budget_row(), _budget_row(item_code="3112", amount=None,
                                                                   category_judgement="true", note="n")]), "budget")


def test_conform_of_a_conformed_table_is_the_same_table():
    typed = _typed_budget()
    again = schema.conform(typed, "budget")
    pd.testing.assert_frame_equal(again, typed, check_exact=True)
    assert again["item_name"].dtype == "str" and again["category_judgement"].dtype == "boolean"
    # the same table as CSV text (every cell a string or missing) conforms to the same frame
    text = typed.astype(object).where(typed.notna(), None).map(lambda v: None if v is None else str(v))
    pd.testing.assert_frame_equal(schema.conform(text, "budget"), typed, check_exact=True)


@pytest.mark.parametrize("column, wrong, expected", [
    ("fiscal_year", ["2024", "2023"], [2024, 2023]),                        # text from a CSV
    ("amount", ["3932200", "x"], [3932200.0, None]),                        # 'x' is no number: missing
    ("amount", pd.array([3932200, None], dtype="Int64"), [3932200.0, None]),
    ("item_name", ["Hilfe", 3111], ["Hilfe", "3111"]),                      # mixed objects
    ("item_name", pd.array(["Hilfe", None], dtype="string"), ["Hilfe", None]),  # <NA> for missing
    ("item_name", pd.array(["Hilfe", None], dtype=pd.StringDtype("python", na_value=float("nan"))), ["Hilfe", None]),
    ("category_judgement", ["true", None], [True, None]),
    ("category_judgement", [False, True], [False, True]),                  # numpy bool; the contract's is nullable
])
def test_conform_converts_a_column_of_another_dtype(column, wrong, expected):
    typed = _typed_budget()
    df = typed.copy()
    df[column] = wrong
    given = df[column].dtype
    out = schema.conform(df, "budget")
    assert out[column].dtype == typed[column].dtype  # the StringDtype's storage too
    assert [None if pd.isna(v) else v for v in out[column]] == expected
    assert df[column].dtype == given  # the caller's frame is left as it was
    pd.testing.assert_frame_equal(out.drop(columns=column), typed.drop(columns=column), check_exact=True)


def test_conform_makes_an_optional_year_with_gaps_a_nullable_integer():
    goals = schema.empty("goals").reindex(range(2))
    goals["baseline_year"] = [2020.0, None]
    out = schema.conform(goals, "goals")
    assert out["baseline_year"].dtype == "Int64" and out["baseline_year"].tolist() == [2020, pd.NA]


def test_conform_leaves_the_callers_frame_alone():
    typed = _typed_budget()
    out = schema.conform(typed, "budget")
    out.loc[0, "amount"] = -1.0
    out.loc[0, "item_name"] = "changed"
    assert typed.loc[0, "amount"] == 3932200.0 and typed.loc[0, "item_name"] == "Hilfe zum Lebensunterhalt"


def test_importing_the_schema_does_not_import_pandera():
    import subprocess
    import sys
    code = ("import sys; from analysis.contract import schema; import analysis.api; "
            "assert 'pandera' not in sys.modules; schema.problems(schema.empty('budget'), 'budget'); "
            "assert 'pandera' in sys.modules and set(schema.schemas()) == set(schema.TABLES)")
    subprocess.run([sys.executable, "-c", code], check=True)
