"""tests/hostile_inputs.csv, the catalogue of bad (careless or hostile) input and faults (issue 12):
reading it, and which collected tests each row names. Used by tests/test_hostile_inputs.py (the
rows name existing tests, the status is honest) and by tests/conftest.py (at the end of a run, the
named tests of every `fixed` row passed; an `open` row's test still fails as expected)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "tests" / "hostile_inputs.csv"
COLUMNS = ["case", "category", "input", "expected_message", "test", "status"]
# fixed: the named tests reproduce the case and pass; open: the defect remains, its test is marked
# xfail(strict=True) (it fails as long as the defect is there, and turns red once it is fixed).
STATUSES = {"fixed", "open"}
TEST_ID = re.compile(r"(tests/[\w/]+\.py)::(test_\w+)(?:\[([^\]]+)\])?")


def rows() -> list[dict]:
    with open(CATALOGUE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def named_tests(row: dict) -> list[str]:
    return [t.strip() for t in row["test"].split(";") if t.strip()]


def matches(test_id: str, nodeid: str) -> bool:
    """Whether a pytest node id is (a case of) the catalogue's test id: 'f.py::test_x' names every
    case of a parametrized test, 'f.py::test_x[c]' the cases whose id is c or has c as a part."""
    m = TEST_ID.fullmatch(test_id)
    if not m:
        return False
    base = f"{m.group(1)}::{m.group(2)}"
    if nodeid == base:
        return m.group(3) is None
    if not nodeid.startswith(base + "["):
        return False
    if m.group(3) is None:
        return True
    param = nodeid[len(base) + 1:-1]
    return param == m.group(3) or m.group(3) in param.split("-")
