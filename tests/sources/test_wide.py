import math
import shutil
from pathlib import Path

import pytest
from conftest import fixture_workspace

from analysis.contract import schema
from analysis.sources import municipality_tables as mt

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "municipality"

META = """municipality_id: {mid}
name: Test
country: {country}
admin_type: Kommune
currency: {currency}
language: {language}
"""
DOCS = ("document_id,municipality_id,title,reference,date,publisher,language,path,sha256\n"
        "{mid}-doc,{mid},Test document (fictitious),,,,{language},https://example.org/x.pdf,\n")


def _workspace(tmp_path):
    return fixture_workspace(tmp_path)


def _municipality(tmp_path, input_yml: str, files: dict, mid="testby", country="DK", currency="DKK",
                  language="da"):
    root = _workspace(tmp_path)
    folder = root / "data/municipalities" / mid
    folder.mkdir()
    (folder / "municipality.yml").write_text(
        META.format(mid=mid, country=country, currency=currency, language=language) + input_yml, encoding="utf-8")
    (folder / "documents.csv").write_text(DOCS.format(mid=mid, language=language), encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root, folder


def _fixture(tmp_path):
    root = _workspace(tmp_path)
    shutil.copytree(FIX / "musterstadt", root / "data/municipalities/musterstadt")
    return root, root / "data/municipalities/musterstadt"


def _row(df, **kw):
    sel = df
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, kw
    return sel.iloc[0]


def test_fixture_wide_file_becomes_long_rows_with_units_and_signs(tmp_path):
    root, folder = _fixture(tmp_path)
    loaded = mt.read(folder, root)
    assert loaded.problems == []
    b = loaded.tables["budget"]
    w = b[b["source_ref"].str.startswith("haushalt_wide.csv")]
    # 6 rows x 3 value columns, less the one empty cell (3118 revenue, Plan 2022)
    assert len(w) == 17
    r = _row(w, item_code="3111", fiscal_year=2021, direction="expenditure")
    assert r["amount"] == 1150500.0 and r["phase"] == "actual" and r["level"] == "product"
    assert r["source_ref"] == "haushalt_wide.csv:3" and r["period"] == "2021"
    assert r["org_unit"] == "FB 50 Soziales" and r["document_id"] == "musterstadt-haushalt-2022"
    assert r["economic_type"] == "all" and r["currency"] == "EUR" and r["source_unit"] == "1000 EUR"
    # revenue printed negative (-200,0 thousand) becomes positive 200,000
    assert _row(w, item_code="3111", fiscal_year=2020, direction="revenue")["amount"] == 200000.0
    plan = _row(w, item_code="31", fiscal_year=2022, direction="expenditure")
    assert plan["phase"] == "original_budget" and plan["level"] == "area" and plan["amount"] == 3600000.0
    # '-' is a missing figure (a row without amount), an empty cell gives no row
    assert math.isnan(_row(w, item_code="31", fiscal_year=2022, direction="revenue")["amount"])
    assert len(w[(w["item_code"] == "3118") & (w["fiscal_year"] == 2022) & (w["direction"] == "revenue")]) == 0
    assert any("wide table mapped to budget: 3 value columns (Ist 2020, Ist 2021, Plan 2022), unit 1000, "
               "sign revenue_negative; ignored columns: Bemerkung" in n for n in loaded.notes)


DANISH = """Konto;Tekst;Regnskab;Oprindeligt budget
5.57.73;Kontanthjælp;1.956,8;-12,5
5.58;Fleksjob;(3,0);n.a.
"""
DANISH_MAP = """input:
  wide:
    - file: regnskab.csv
      table: budget
      item_code: Konto
      item_name: Tekst
      columns:
        Regnskab: {phase: actual, fiscal_year: 2014}
        Oprindeligt budget: {phase: original_budget, fiscal_year: 2014}
      sign: negate
      unit: 1000000
      constants: {level: product, direction: net, org_unit: Familie- og Beskæftigelsesforvaltningen}
"""


def test_explicit_columns_negate_and_millions(tmp_path):
    root, folder = _municipality(tmp_path, DANISH_MAP, {"regnskab.csv": DANISH})
    loaded = mt.read(folder, root)
    assert loaded.problems == []
    b = loaded.tables["budget"]
    assert len(b) == 4
    kh = _row(b, item_code="5.57.73", phase="actual")
    assert kh["amount"] == -1956800000.0 and kh["currency"] == "DKK" and kh["document_id"] == "testby-doc"
    assert kh["source_ref"] == "regnskab.csv:2" and kh["item_name"] == "Kontanthjælp"
    assert _row(b, item_code="5.57.73", phase="original_budget")["amount"] == 12500000.0
    assert _row(b, item_code="5.58", phase="actual")["amount"] == 3000000.0  # (3,0) is negative, negated
    assert math.isnan(_row(b, item_code="5.58", phase="original_budget")["amount"])
    assert schema.problems(mt.conform(b, "budget").drop(columns=mt.PRIVATE), "budget") == []


INDICATORS = """Kennzahl;Einheit;2021;2022
Fälle;Anzahl;1.200;1.350
"""


def test_wide_indicators_with_a_constant_phase(tmp_path):
    yml = """input:
  wide:
    - file: kennzahlen.csv
      table: indicators
      indicator: Kennzahl
      unit: 1
      columns: {pattern: "^(\\\\d{4})$", phase: actual, fiscal_year: 1}
      constants: {unit: Fälle}
"""
    root, folder = _municipality(tmp_path, yml, {"kennzahlen.csv": INDICATORS.replace("Einheit;", "").replace("Anzahl;", "")},
                                 mid="teststadt", country="DE", currency="EUR", language="de")
    loaded = mt.read(folder, root)
    assert loaded.problems == []
    ind = loaded.tables["indicators"]
    assert list(ind["value"]) == [1200.0, 1350.0]  # '1.200' read by the German convention, and said so
    assert list(ind["fiscal_year"]) == [2021, 2022] and set(ind["unit"]) == {"Fälle"}
    assert any("AMBIGUOUS" in n and "language de" in n for n in loaded.notes)


def test_mapping_errors_name_file_row_and_column(tmp_path):
    bad_map = DANISH_MAP.replace("sign: negate", "sign: minus").replace("item_name: Tekst", "item_name: Text")
    root, folder = _municipality(tmp_path, bad_map, {"regnskab.csv": DANISH})
    problems = [str(p) for p in mt.read(folder, root).problems]
    assert any(p.startswith("data/municipalities/testby/municipality.yml:16, column 'input.wide[0].sign': "
                            "unknown sign rule; expected one of as_is, negate, revenue_negative") for p in problems)
    # the mapping is wrong as a whole, so the file is not read yet; fix the sign and read again
    root, folder = _municipality(tmp_path / "2", bad_map.replace("minus", "negate"), {"regnskab.csv": DANISH})
    problems = [str(p) for p in mt.read(folder, root).problems]
    assert problems == ["data/municipalities/testby/regnskab.csv:1, column 'Text': column for 'item_name' "
                        "(named in municipality.yml) is missing; expected one of Konto, Tekst, Regnskab, "
                        "Oprindeligt budget"]


def test_unmapped_value_and_missing_required_field(tmp_path):
    yml = DANISH_MAP.replace("direction: net, ", "").replace(
        "item_name: Tekst", "item_name: Tekst\n      direction: {column: Art, map: {Udgift: expenditure}}")
    text = "Konto;Tekst;Art;Regnskab;Oprindeligt budget\n5.58;Fleksjob;Indtægt;3,0;4,0\n"
    root, folder = _municipality(tmp_path, yml, {"regnskab.csv": text})
    problems = [str(p) for p in mt.read(folder, root).problems]
    assert problems == ["data/municipalities/testby/regnskab.csv:2, column 'Art': value not in the map for "
                        "'direction' in municipality.yml; expected one of Udgift, found 'Indtægt'"]
    root, folder = _municipality(tmp_path / "2", DANISH_MAP.replace("level: product, ", ""), {"regnskab.csv": DANISH})
    problems = [str(p) for p in mt.read(folder, root).problems]
    assert len(problems) == 1 and "municipality.yml:9, column 'input.wide[0]': no column or constant for 'level'" \
        in problems[0]


def test_pattern_with_an_unmapped_phase_and_a_missing_value_column(tmp_path):
    yml = DANISH_MAP.replace("""        Regnskab: {phase: actual, fiscal_year: 2014}
        Oprindeligt budget: {phase: original_budget, fiscal_year: 2014}""",
                             """        pattern: "^(Regnskab|Budget|Overslag) (\\\\d{4})$"
        phase: {Regnskab: actual, Budget: original_budget}
        fiscal_year: 2""")
    text = "Konto;Tekst;Regnskab 2014;Overslag 2015\n5.58;Fleksjob;3,0;4,0\n"
    root, folder = _municipality(tmp_path, yml, {"regnskab.csv": text})
    problems = [str(p) for p in mt.read(folder, root).problems]
    assert problems == ["data/municipalities/testby/regnskab.csv:1, column 'Overslag 2015': column matches the "
                        "pattern but its phase is not mapped; expected one of Regnskab, Budget, found 'Overslag'"]


def test_number_errors_in_wide_files_name_the_cell(tmp_path):
    text = DANISH.replace("1.956,8", "1.956,8 mio").replace("-12,5", "tolv")
    root, folder = _municipality(tmp_path, DANISH_MAP, {"regnskab.csv": text})
    problems = [str(p) for p in mt.read(folder, root).problems]
    assert any(p.startswith("data/municipalities/testby/regnskab.csv:2, column 'Oprindeligt budget': not a number")
               for p in problems)


@pytest.mark.parametrize("name", ["haushalt 2017.csv", "a:b.csv"])
def test_file_names_must_work_as_source_ref(tmp_path, name):
    root, folder = _municipality(tmp_path, DANISH_MAP.replace("regnskab.csv", name), {})
    problems = [str(p) for p in mt.read(folder, root).problems]
    assert "column 'input.wide[0].file': file names may not contain spaces" in problems[0]
