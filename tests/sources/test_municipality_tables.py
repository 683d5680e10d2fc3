import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import fixture_workspace

from analysis.contract import schema
from analysis.contract.errors import InputError
from analysis.sources import municipality_tables as mt
from analysis.sources import spreadsheet

ROOT = Path(__file__).resolve().parents[2]
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "municipality"


def _workspace(tmp_path):
    root = fixture_workspace(tmp_path, with_musterstadt=True)
    return root, root / "data/municipalities/musterstadt"


def _drop_wide(folder):
    yml = folder / "municipality.yml"
    text = yml.read_text(encoding="utf-8")
    yml.write_text(text[: text.index("  wide:")], encoding="utf-8")


def test_fixture_gives_contract_tables(tmp_path):
    root, folder = _workspace(tmp_path)
    tables = mt.load(folder, root=root)
    assert set(tables) == {"budget", "indicators", "goals", "quality"}
    for name in ("budget", "indicators", "goals", "quality"):
        assert schema.problems(tables[name], name) == [], name
        assert not any(c.startswith("_") for c in tables[name].columns)
    assert (len(tables["budget"]), len(tables["indicators"]), len(tables["goals"])) == (22, 3, 3)
    b = tables["budget"].set_index("source_ref")
    # empty cells took their defaults
    assert b.loc["budget.csv:3", "municipality_id"] == "musterstadt"
    assert b.loc["budget.csv:3", "currency"] == "EUR" and b.loc["budget.csv:3", "period"] == "2023"
    assert b.loc["budget.csv:4", "economic_type"] == "all"
    assert b.loc["budget.csv:5", "item_name"] == "Hilfe zur Überwindung besonderer sozialer Schwierigkeiten"
    assert b.loc["budget.csv:2", "amount"] == 5432100.5
    ind = tables["indicators"].set_index("source_ref")
    assert ind.loc["indicators.csv:2", "value"] == 1250.0 and ind.loc["indicators.csv:3", "value"] == 12.5
    assert ind.loc["indicators.csv:4", "indicator"] == "Leistungsempfänger Hilfe zur Pflege"
    g = tables["goals"].set_index("goal_id")
    assert g.loc["musterstadt-2023-01", "achievement"] == pytest.approx(97 / 95 * 100)
    assert g.loc["musterstadt-2023-02", "achievement"] == pytest.approx(96.0)  # 1,200 / 1,250 (lower is better)
    assert g.loc["musterstadt-2023-02", "target"] == 1200.0
    assert list(g["quantified"]) == [True, True, False]
    assert g.loc["musterstadt-2023-01", "source_ref"] == "goals.csv:2"
    q = tables["quality"]
    assert len(q) == 10 and set(q["status"]) == {"pass"}
    assert "data/municipalities/musterstadt/indicators.csv: read as ';'-separated, decimal comma, Windows-1252 " \
           "(detected)" in tables.notes


def test_folders_without_table_files_give_nothing(tmp_path):
    root, _ = _workspace(tmp_path)
    shutil.copytree(ROOT / "data/municipalities/peine", root / "data/municipalities/peine")
    assert mt.load(root / "data/municipalities/peine", root=root) == {}


def test_only_goals(tmp_path):
    root, folder = _workspace(tmp_path)
    _drop_wide(folder)
    (folder / "budget.csv").unlink()
    (folder / "indicators.csv").write_text("municipality_id,document_id,fiscal_year,item_code,indicator,indicator_en,"
                                           "unit,phase,value,category,source_ref\n", encoding="utf-8")
    tables = mt.load(folder, root=root)
    assert set(tables) == {"goals", "quality"} and len(tables["goals"]) == 3


def test_only_budget(tmp_path):
    root, folder = _workspace(tmp_path)
    (folder / "goals.csv").unlink()
    (folder / "indicators.csv").unlink()
    tables = mt.load(folder, root=root)
    assert set(tables) == {"budget", "quality"} and len(tables["budget"]) == 22


def _budget_from(tmp_path, name):
    root, folder = _workspace(tmp_path / name)
    _drop_wide(folder)
    (folder / "budget.csv").unlink()
    shutil.copy(FIX / "dialects" / name, folder / "budget.csv")
    return mt.load(folder, root=root)["budget"]


def test_every_dialect_gives_the_same_budget(tmp_path):
    base = _budget_from(tmp_path, "budget_comma_point_utf8.csv")
    assert len(base) == 5
    for name in ("budget_semicolon_comma_cp1252.csv", "budget_semicolon_comma_utf8bom.csv", "budget_tab_comma_utf8.csv"):
        pd.testing.assert_frame_equal(_budget_from(tmp_path, name), base)
    # and the same table saved as XLSX (numbers as numbers, codes as numbers too)
    root, folder = _workspace(tmp_path / "xlsx")
    _drop_wide(folder)
    sheet = spreadsheet.read(folder / "budget.csv", numeric=["amount"])
    wb = openpyxl.Workbook()
    wb.active.append(sheet.columns)
    for rec in sheet.df.to_dict("records"):
        cells = [rec[c] for c in sheet.columns]
        cells[sheet.columns.index("amount")] = sheet.number(rec["amount"], rec["_row"], "amount")
        cells[sheet.columns.index("fiscal_year")] = int(rec["fiscal_year"])
        cells[sheet.columns.index("item_code")] = int(rec["item_code"])
        wb.active.append(cells)
    (folder / "budget.csv").unlink()
    wb.save(folder / "budget.xlsx")
    tables = mt.load(folder, root=root)
    xlsx = tables["budget"]
    expected = base.assign(source_ref=base["source_ref"].str.replace("budget.csv", "budget.xlsx"))
    pd.testing.assert_frame_equal(xlsx, expected)
    assert any("budget.xlsx: read sheet 'Sheet' (the first sheet)" in n for n in tables.notes)


def test_two_files_for_one_table_are_refused(tmp_path):
    root, folder = _workspace(tmp_path)
    shutil.copy(folder / "budget.csv", folder / "budget.tsv")
    with pytest.raises(InputError) as exc:
        mt.load(folder, root=root)
    assert "two files for the budget table" in str(exc.value)


def test_load_reports_all_problems_of_all_files(tmp_path):
    root, folder = _workspace(tmp_path)
    b = folder / "budget.csv"
    b.write_text(b.read_text(encoding="utf-8").replace("2,000,000.00", "zwei Mio"), encoding="utf-8")
    g = folder / "goals.csv"
    g.write_bytes(g.read_bytes().replace(b";met;", b";erreicht;"))
    with pytest.raises(InputError) as exc:
        mt.load(folder, root=root)
    msg = str(exc.value)
    assert msg.startswith("2 problems:")
    assert "data/municipalities/musterstadt/budget.csv:4, column 'amount': not a number" in msg
    assert "data/municipalities/musterstadt/goals.csv:2, column 'status': value breaks the contract" in msg




def test_folders_checked_together_report_as_each_alone(tmp_path):
    """check_many (one contract pass over all folders' rows) says what check says of each folder."""
    root, folder = _workspace(tmp_path)
    other = folder.parent / "musterdorf"
    shutil.copytree(folder, other)
    for p in other.rglob("*"):
        if p.is_file() and p.suffix in (".yml", ".csv"):
            p.write_bytes(p.read_bytes().replace(b"musterstadt", b"musterdorf"))
    budget = folder / "budget.csv"
    content = budget.read_bytes()
    first_row = content.splitlines(keepends=True)[1]
    budget.write_bytes(content + (b"" if content.endswith(b"\n") else b"\n") + first_row)  # a duplicate key
    alone = [mt.check(f, root) for f in (folder, other)]
    together = mt.check_many([folder, other], root)
    for a, t in zip(alone, together):
        assert [str(p) for p in t.problems] == [str(p) for p in a.problems]
        assert [str(w) for w in t.warnings] == [str(w) for w in a.warnings]
        assert set(t.tables) == set(a.tables)
        for name in a.tables:
            pd.testing.assert_frame_equal(t.tables[name], a.tables[name])
    assert any("duplicate row" in str(p) for p in alone[0].problems)
    assert not any("duplicate row" in str(p) for p in alone[1].problems)  # keys repeat only within a folder


def test_folders_checked_in_worker_processes_report_as_in_one(tmp_path, monkeypatch):
    """check_many with forked workers (each checking a chunk of folders) gives every folder the
    problems, warnings and tables that checking all folders in this process gives."""
    from analysis.sources import run_cache
    root, folder = _workspace(tmp_path)
    names = ["musterdorf", "musterhausen", "musterberg"]
    for name in names:
        other = folder.parent / name
        shutil.copytree(folder, other)
        for p in other.rglob("*"):
            if p.is_file() and p.suffix in (".yml", ".csv"):
                p.write_bytes(p.read_bytes().replace(b"musterstadt", name.encode()))
    budget = folder.parent / "musterhausen" / "budget.csv"
    content = budget.read_bytes()
    first_row = content.splitlines(keepends=True)[1]
    budget.write_bytes(content + (b"" if content.endswith(b"\n") else b"\n") + first_row)  # a duplicate key
    folders = [folder] + [folder.parent / n for n in names]
    monkeypatch.setenv("ANALYSIS_EXTRACT_JOBS", "1")
    with run_cache.scope():
        serial = mt.check_many(folders, root)
    monkeypatch.setenv("ANALYSIS_EXTRACT_JOBS", "2")
    monkeypatch.setattr(mt, "CHUNK", 1)
    monkeypatch.setattr(mt, "PARALLEL_FROM", 2)
    import multiprocessing.pool
    chunks = []
    real_map = multiprocessing.pool.Pool.map
    monkeypatch.setattr(multiprocessing.pool.Pool, "map",
                        lambda self, fn, jobs, **kw: chunks.extend(len(j[0]) for j in jobs) or real_map(self, fn, jobs, **kw))
    with run_cache.scope():
        parallel = mt.check_many(folders, root)
    assert chunks == [1, 1, 1, 1]  # the workers checked the folders, one a chunk
    for a, t in zip(serial, parallel):
        assert a.municipality_id == t.municipality_id
        assert [str(p) for p in t.problems] == [str(p) for p in a.problems]
        assert [str(w) for w in t.warnings] == [str(w) for w in a.warnings]
        assert t.notes == a.notes
        assert set(t.tables) == set(a.tables)
        for name in a.tables:
            pd.testing.assert_frame_equal(t.tables[name], a.tables[name])
    assert any("duplicate row" in str(p) for p in parallel[2].problems)
    assert not any("duplicate row" in str(p) for p in parallel[1].problems)


def test_rules_checked_over_many_folders_report_as_each_alone(tmp_path):
    """check_many runs the tables-against-themselves checks, the category coverage and the
    reference checks once over all folders' rows: every folder still gets exactly the findings,
    problems, warnings and notes that `check` of it alone gives (a total adds up only the product
    rows of its own folder)."""
    root, folder = _workspace(tmp_path)
    names = ["musterdorf", "musterberg"]
    for name in names:
        other = folder.parent / name
        shutil.copytree(folder, other)
        for p in other.rglob("*"):
            if p.is_file() and p.suffix in (".yml", ".csv"):
                p.write_bytes(p.read_bytes().replace(b"musterstadt", name.encode()))
    dorf, berg = (folder.parent / n for n in names)
    b = dorf / "budget.csv"  # a total that does not add up, a negative expenditure
    b.write_text(b.read_text(encoding="utf-8").replace('"5,432,100.50"', '"5,432,999.50"')
                 .replace('product,revenue,all,original_budget,"150,000"', 'product,expenditure,all,original_budget,"-150,000"'),
                 encoding="utf-8")
    g = berg / "goals.csv"  # a status that contradicts target and result
    g.write_bytes(g.read_bytes().replace(b";1.250;actual;96;;missed;", b";1.250;actual;96;;met;"))
    repo_reference = Path(__file__).resolve().parents[2] / "data" / "reference"
    for name in ("category_map.csv", "schemes.csv"):  # the shipped map, for the category coverage
        shutil.copy(repo_reference / name, root / "data" / "reference" / name)
    yml = berg / "municipality.yml"  # items numbered as in another scheme: mostly without a category
    yml.write_text(yml.read_text(encoding="utf-8").replace("currency: EUR\n", "currency: EUR\nscheme: dk_kontoplan\n"),
                   encoding="utf-8")
    folders = [folder, dorf, berg]
    alone = [mt.check(f, root) for f in folders]
    together = mt.check_many(folders, root)
    for a, t in zip(alone, together):
        assert [str(p) for p in t.problems] == [str(p) for p in a.problems]
        assert [str(w) for w in t.warnings] == [str(w) for w in a.warnings]
        assert t.notes == a.notes
        assert [(f.severity, str(f.problem), f.quality) for f in t.findings] == \
            [(f.severity, str(f.problem), f.quality) for f in a.findings]
    dorf_found = [str(p) for p in alone[1].problems + alone[1].warnings]
    assert any("does not equal the sum of its" in p for p in dorf_found)
    assert any("expenditure is negative" in p for p in dorf_found)
    assert not any("does not equal the sum of its" in str(p) for p in alone[0].problems)
    assert any("status 'met' but" in str(p) for p in alone[2].problems)
    assert any("have no category" in str(w) for w in alone[2].warnings)
    assert not any("have no category" in str(w) for w in alone[0].warnings + alone[1].warnings)
