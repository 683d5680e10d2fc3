"""Mappings of published budget files (long and wide): derived fields, signs, placeholder columns,
the financial plan, commitment appropriations and Saldo checks. The rows are made up in the
layout of Kiel's and Freiburg's files; the real files are tested in test_real_budgets.py."""
from conftest import fixture_workspace

from analysis.sources import municipality_tables as mt

META = """municipality_id: teststadt
name: Teststadt (test fixture)
country: DE
admin_type: Stadt
currency: EUR
language: de
"""
DOCS = ("document_id,municipality_id,title,reference,date,publisher,language,path,sha256\n"
        "teststadt-doc,teststadt,Test document (fictitious),,2017-01-01,,de,https://example.org/x.csv,\n")


def _read(tmp_path, yml: str, files: dict):
    root = fixture_workspace(tmp_path)
    folder = root / "data/municipalities/teststadt"
    folder.mkdir()
    (folder / "municipality.yml").write_text(META + yml, encoding="utf-8")
    (folder / "documents.csv").write_text(DOCS, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_bytes(text.encode("cp1252"))
    return mt.read(folder, root)


ACCOUNTS = """Produkt;Produkt-Bez;Sachkonto;Betrag
311210;Hilfe zur Pflege;41410000;100,00
311210;Hilfe zur Pflege;44810000;250200,00
311210;Hilfe zur Pflege;53310000;-17808000,00
311210;Hilfe zur Pflege;54290000;-5000,00
611001;Steuern;40110000;900,00
"""
LONG = """input:
  files: {{konten.csv: {{delimiter: ";", decimal: ",", encoding: windows-1252}}}}
  long:
    - file: konten.csv
      value: Betrag
      filters: {{keep: [{{column: Produkt, prefix: "31"}}]}}
      item_code: Produkt
      item_name: Produkt-Bez
      direction: {direction}
      sign: {sign}
      constants: {{fiscal_year: 2017, phase: original_budget, level: product, org_unit: Soziales}}
      aggregate: {{by: [item_code]}}
"""


def test_long_file_with_direction_from_the_account_prefix(tmp_path):
    yml = LONG.format(direction='{column: Sachkonto, prefix: {"4": revenue, "5": expenditure}}',
                      sign="expenditure_negative")
    loaded = _read(tmp_path, yml, {"konten.csv": ACCOUNTS})
    assert loaded.problems == []
    b = loaded.tables["budget"].set_index("direction")
    assert b.at["expenditure", "amount"] == 17_813_000.0 and b.at["expenditure", "source_ref"] == "konten.csv:4-5"
    assert b.at["revenue", "amount"] == 250_300.0 and b.at["revenue", "source_ref"] == "konten.csv:2-3"
    assert set(b["fiscal_year"]) == {2017} and set(b["period"]) == {"2017"} and set(b["phase"]) == {"original_budget"}
    assert any("kept 4 of 5 rows" in n for n in loaded.notes)
    assert any("4 rows summed into 2 by item_code" in n for n in loaded.notes)


def test_direction_from_the_sign_of_the_amount(tmp_path):
    yml = LONG.format(direction="{sign: {negative: expenditure, positive: revenue}}", sign="as_is")
    loaded = _read(tmp_path, yml, {"konten.csv": ACCOUNTS})
    assert loaded.problems == []
    b = loaded.tables["budget"].set_index("direction")
    assert b.at["expenditure", "amount"] == 17_813_000.0 and b.at["revenue", "amount"] == 250_300.0
    # a sign rule next to a direction from the sign would negate twice: refused
    yml = LONG.format(direction="{sign: {negative: expenditure, positive: revenue}}", sign="expenditure_negative")
    problems = [str(p) for p in _read(tmp_path / "2", yml, {"konten.csv": ACCOUNTS}).problems]
    assert len(problems) == 1 and "column 'input.long[0].sign'" in problems[0]


def test_expenditure_printed_positive_is_kept_as_printed_with_a_note(tmp_path):
    yml = LONG.format(direction='{column: Sachkonto, prefix: {"4": revenue, "5": expenditure}}',
                      sign="expenditure_negative")
    loaded = _read(tmp_path, yml, {"konten.csv": ACCOUNTS.replace("-5000,00", "5000,00")})
    b = loaded.tables["budget"].set_index("direction")
    assert b.at["expenditure", "amount"] == 17_808_000.0 - 5_000.0
    assert any("1 expenditure amounts are printed positive" in n and "rows 5" in n for n in loaded.notes)


WIDE = """Produkt;Bezeichnung;Ergebnis 2015 (Erträge);Ergebnis 2015 (Aufwendungen);Ergebnis 2015 (Saldo);Plan 2019;VE 2018
319002;BuT;638,67;-431819,78;-431181,11;0;10
316001;Wohlfahrtspflege;0;-556060;-556000;0;
"""
WIDE_MAP = """input:
  files: {{werte.csv: {{delimiter: ";", decimal: ","}}}}
  wide:
    - file: werte.csv
      item_code: Produkt
      item_name: Bezeichnung
      columns:
        "Ergebnis 2015 (Erträge)": {{phase: actual, fiscal_year: 2015, direction: revenue}}
        "Ergebnis 2015 (Aufwendungen)": {{phase: actual, fiscal_year: 2015, direction: expenditure}}
        "Ergebnis 2015 (Saldo)": {{phase: actual, fiscal_year: 2015, check: revenue - expenditure}}
        "Plan 2019": {plan}
{extra}      sign: expenditure_negative
      constants: {{level: product, org_unit: Soziales}}
"""


def test_saldo_checked_not_imported_and_a_contradiction_is_a_warning(tmp_path):
    yml = WIDE_MAP.format(plan="{phase: original_budget, fiscal_year: 2019, direction: expenditure}", extra="")
    loaded = _read(tmp_path, yml, {"werte.csv": WIDE})
    assert loaded.problems == []
    b = loaded.tables["budget"]
    assert len(b) == 4 and set(b["fiscal_year"]) == {2015}  # Saldo not imported; Plan 2019 a placeholder
    assert any("column 'Plan 2019' is zero or empty in every row imported: skipped as a placeholder" in n
               for n in loaded.notes)
    # line 3: 0 - 556060 = -556060, but the Saldo prints -556000
    assert [str(w) for w in loaded.warnings] == [
        "data/municipalities/teststadt/werte.csv:3, column 'Ergebnis 2015 (Saldo)': the printed value is not "
        "revenue - expenditure of the same row (the file contradicts itself; recorded in quality.csv, the Saldo is "
        "not imported); expected -556,060, found '-556,000'"]
    statuses = [(q["source_ref"], q["status"]) for q in loaded.quality]
    assert statuses == [("werte.csv:2-3", "info"), ("werte.csv:3", "contradiction")]


def test_a_column_of_real_zeros_and_the_financial_plan(tmp_path):
    yml = WIDE_MAP.format(plan="{phase: original_budget, fiscal_year: 2019, direction: expenditure, zeros: real}",
                          extra="      budget_year: 2017\n")
    loaded = _read(tmp_path, yml, {"werte.csv": WIDE})
    b = loaded.tables["budget"]
    plan = b[b["fiscal_year"] == 2019]
    assert len(plan) == 2 and set(plan["phase"]) == {"financial_plan"} and set(plan["amount"]) == {0.0}
    assert any("planning years 2019 after the budget year 2017" in n for n in loaded.notes)


def test_commitment_appropriations_are_not_budget_amounts(tmp_path):
    yml = WIDE_MAP.format(plan="{phase: original_budget, fiscal_year: 2019, direction: expenditure}",
                          extra='').replace('"Plan 2019"', '"VE 2018"')
    problems = [str(p) for p in _read(tmp_path, yml, {"werte.csv": WIDE}).problems]
    assert len(problems) == 1 and "commitment appropriations (Verpflichtungsermächtigungen) are not budget " \
        "amounts" in problems[0]


def test_plan_years_beyond_two_without_a_budget_year_get_a_note(tmp_path):
    text = "Produkt;Bezeichnung;Plan 2017;Plan 2018;Plan 2019;VE 2017\n3111;HLU;1,0;2,0;3,0;4,0\n"
    yml = """input:
  wide:
    - file: plan.csv
      item_code: Produkt
      item_name: Bezeichnung
      columns: {pattern: "^(Plan|VE) (\\\\d{4})$", phase: original_budget, fiscal_year: 2}
      constants: {level: product, org_unit: Soziales, direction: net}
"""
    loaded = _read(tmp_path, yml, {"plan.csv": text})
    assert loaded.problems == []
    assert len(loaded.tables["budget"]) == 3       # VE 2017 matches the pattern but is skipped
    assert any("'VE 2017' matches the pattern but holds commitment appropriations" in n for n in loaded.notes)
    assert any("set budget_year: <the budget year>" in n for n in loaded.notes)
