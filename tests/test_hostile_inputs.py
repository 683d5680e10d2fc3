"""tests/hostile_inputs.csv is the project's record of what bad (careless or hostile) input gets:
one row per case with the input, the message it gets now, the test that reproduces it and its status.
Every row must name tests that exist (issue 12)."""
from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "tests" / "hostile_inputs.csv"
COLUMNS = ["case", "category", "input", "expected_message", "test", "status"]
CATEGORIES = {"security", "no-traceback", "silent-wrong", "validate-vs-extract", "fault", "message"}
STATUSES = {"fixed", "fixed-on-main", "other-branch"}
# Cases whose fix and tests are on another branch of issue 12 (faults in the build machinery and the
# notebooks.yml parameter check): fill in their tests when the branches are merged.
ELSEWHERE = {"param-misspelled", "kill-during-notebooks", "kill-during-extract", "kill-after-site-swap",
             "kill-during-old-site-removal", "failed-build-message", "concurrent-builds", "ctrl-c",
             "no-extract-ignored"}


def _rows() -> list[dict]:
    with open(CATALOGUE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _tests_in(path: Path) -> dict[str, set[str]]:
    """{test function: the string constants of the module (parametrize ids and dict keys)}."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return {n.name: strings for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_the_catalogue_has_its_columns_and_unique_cases():
    rows = _rows()
    assert list(rows[0]) == COLUMNS
    cases = [r["case"] for r in rows]
    assert len(cases) == len(set(cases)), [c for c in cases if cases.count(c) > 1]
    for r in rows:
        assert r["category"] in CATEGORIES and r["status"] in STATUSES, r["case"]
        assert r["input"].strip() and r["expected_message"].strip(), r["case"]


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r["case"])
def test_every_case_names_an_existing_test(row):
    if row["case"] in ELSEWHERE:
        assert row["status"] == "other-branch" and row["test"].startswith("pending:")
        return
    assert row["status"] != "other-branch"
    names = [t.strip() for t in row["test"].split(";") if t.strip()]
    assert names, row["case"]
    for name in names:
        m = re.fullmatch(r"(tests/[\w/]+\.py)::(test_\w+)(?:\[([^\]]+)\])?", name)
        assert m, f"{row['case']}: not a test id: {name!r}"
        path = ROOT / m.group(1)
        assert path.is_file(), f"{row['case']}: no file {m.group(1)}"
        tests = _tests_in(path)
        assert m.group(2) in tests, f"{row['case']}: no {m.group(2)} in {m.group(1)}"
        if m.group(3):
            assert m.group(3) in tests[m.group(2)], f"{row['case']}: no case {m.group(3)!r} for {m.group(2)}"
