"""tests/hostile_inputs.csv is the project's record of what bad (careless or hostile) input and faults
get: one row per case with the input, the message it gets now, the tests that reproduce it and its
status (issue 12). Every row names tests that exist, the status agrees with how those tests are
marked (and, at the end of a full run, with their outcome: tests/conftest.py), and every case the
issue lists has its row."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from catalogue import COLUMNS, ROOT, STATUSES, TEST_ID, rows, named_tests

CATEGORIES = {"security", "no-traceback", "silent-wrong", "validate-vs-extract", "fault", "message"}

# Issue 12, point by point: the catalogue rows that cover each case it lists.
ISSUE = {
    "script injection through the municipality name": ["xss-name-caveats", "xss-name-profile-heading",
                                                        "xss-every-field", "xss-quarto-title"],
    "formula injection in the downloads": ["formula-xlsx", "formula-csv"],
    "document path ../../etc/passwd or /etc/passwd": ["path-relative-escape", "path-absolute", "path-raw-list"],
    "symlinked budget.csv to /etc/passwd": ["symlink-budget"],
    "YAML alias bomb": ["yaml-alias-bomb"],
    "published absolute paths (_base, _list)": ["published-abs-paths"],
    "documents.csv empty, Windows-1252, unterminated quote, ';'-separated": [
        "docs-empty", "docs-cp1252", "docs-unterminated-quote", "docs-semicolon"],
    "unknown importer name": ["importer-unknown"],
    "id of 260 characters": ["id-too-long"],
    "id with a trailing newline": ["id-trailing-newline"],
    "Peine row one cell short": ["peine-product-row-short", "peine-monthly-row-short"],
    "tables under other names (budget.xls, Budget.csv, budget (1).csv, municipality.yaml)": [
        "name-xls", "name-case", "name-copy-suffix", "name-yaml"],
    "validate and extract disagree": ["invalid-category", "document-other-municipality", "goal-status-contradiction",
                                      "population-negative", "cite-other-document", "population-zero"],
    "achievement, 12% amount, period vs fiscal_year, one Windows-1252 byte": [
        "achievement-given", "percent-amount", "period-year-mismatch", "mixed-encoding"],
    "misspelled parameter in reports/notebooks.yml": ["param-misspelled", "param-misspelled-profiles"],
    "default --admin-type Kommune for a German town": ["admin-type-default"],
    "staging folders left by a killed or failed build": ["kill-during-notebooks", "kill-before-site-swap",
                                                         "kill-during-old-site-removal", "kill-during-extract",
                                                         "failing-notebook-parallel"],
    "kill -9 right after the _site swap: one published unit": ["kill-after-site-swap", "site-swap-one-unit"],
    "failed build says exactly what changed": ["failed-build-message"],
    "two builds at once": ["concurrent-builds", "concurrent-builds-no-wait", "concurrent-extract"],
    "Ctrl-C says what was kept": ["ctrl-c"],
}


def _tests_in(path: Path) -> dict[str, tuple[set[str], set[str]]]:
    """{test function: (the module's string constants (parametrize ids), the marks on the test)}."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}

    def marks(nodes) -> set[str]:
        out = set()
        for node in nodes:
            for n in ast.walk(node):
                if isinstance(n, ast.Attribute) and n.attr in ("xfail", "skip", "skipif"):
                    strict = any(isinstance(c, ast.keyword) and c.arg == "strict" and getattr(c.value, "value", 0)
                                 for c in ast.walk(node) if isinstance(c, ast.keyword))
                    out.add(n.attr + ("-strict" if n.attr == "xfail" and strict else ""))
        return out

    module = marks([n.value for n in tree.body if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", None) == "pytestmark" for t in n.targets)])
    return {n.name: (strings, module | marks(n.decorator_list)) for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_the_catalogue_has_its_columns_and_unique_cases():
    got = rows()
    assert list(got[0]) == COLUMNS
    cases = [r["case"] for r in got]
    assert len(cases) == len(set(cases)), [c for c in cases if cases.count(c) > 1]
    for r in got:
        assert r["category"] in CATEGORIES and r["status"] in STATUSES, r["case"]
        assert r["input"].strip() and r["expected_message"].strip(), r["case"]
    assert not (ROOT / "tests" / "report" / "hostile_faults.csv").exists()   # one catalogue


def test_every_case_of_the_issue_has_its_row():
    cases = {r["case"] for r in rows()}
    missing = {point: [c for c in names if c not in cases] for point, names in ISSUE.items()}
    assert {p: m for p, m in missing.items() if m} == {}


@pytest.mark.parametrize("row", rows(), ids=lambda r: r["case"])
def test_every_case_names_existing_tests_and_an_honest_status(row):
    """fixed: no named test is skipped or expected to fail; open: one named test is
    xfail(strict=True), so the row has to change the day the defect is fixed."""
    names = named_tests(row)
    assert names, row["case"]
    seen_marks = []
    for name in names:
        m = TEST_ID.fullmatch(name)
        assert m, f"{row['case']}: not a test id: {name!r}"
        path = ROOT / m.group(1)
        assert path.is_file(), f"{row['case']}: no file {m.group(1)}"
        tests = _tests_in(path)
        assert m.group(2) in tests, f"{row['case']}: no {m.group(2)} in {m.group(1)}"
        strings, marks = tests[m.group(2)]
        if m.group(3):
            assert m.group(3) in strings, f"{row['case']}: no case {m.group(3)!r} for {m.group(2)}"
        seen_marks.append(marks)
    if row["status"] == "fixed":
        assert all(not ({"xfail", "xfail-strict", "skip"} & marks) for marks in seen_marks), \
            f"{row['case']} is marked fixed but a named test is skipped or expected to fail"
    else:
        assert any("xfail-strict" in marks for marks in seen_marks), \
            f"{row['case']} is open: name a test marked xfail(strict=True) that reproduces it"


def test_a_test_id_names_the_cases_of_a_parametrized_test():
    from catalogue import matches
    assert matches("tests/a.py::test_x", "tests/a.py::test_x") and matches("tests/a.py::test_x", "tests/a.py::test_x[c]")
    assert matches("tests/a.py::test_x[c]", "tests/a.py::test_x[c]") and matches("tests/a.py::test_x[c]",
                                                                                 "tests/a.py::test_x[c-nbconvert]")
    assert not matches("tests/a.py::test_x[c]", "tests/a.py::test_x[cd]")
    assert not matches("tests/a.py::test_x[c]", "tests/a.py::test_x")
    assert not matches("tests/a.py::test_x", "tests/a.py::test_xy")
