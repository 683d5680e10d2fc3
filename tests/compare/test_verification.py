"""verification.py: each figure against the document line it cites."""
from pathlib import Path

import pandas as pd

from analysis.compare import verification as v

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
P = "peine_produktbericht_2024-06.txt"


def test_numbers_are_read_as_printed_and_dates_are_not_numbers():
    assert v.printed_numbers("Summe -90.820.300 -92.577.700 (Stand 30.06.2024)") == [(90820300.0, 0), (92577700.0, 0)]
    assert v.printed_numbers("I alt Drift 5.083,0 mio. kr.") == [(5083.0, 1)]


def test_cited_lines():
    assert v.cited_lines(f"{P}:268-269") == (P, [268, 269])
    assert v.cited_lines("a.txt:152, 156; a.txt:160") == ("a.txt", [152, 156, 160])
    assert v.cited_lines("budget.csv:7") == ("budget.csv", [7])


def test_figures_are_found_on_their_line_of_the_raw_document():
    lines = {P: (RAW / P).read_text(encoding="utf-8").splitlines()}
    figs = pd.DataFrame({"value": [90_820_300.0, 90_820_301.0, 5.0, 1.0], "corrected": [False, False, True, False],
                         "source_ref": [f"{P}:268", f"{P}:268", f"{P}:268", "budget.csv:7"]})
    checked = v.verify(figs, lines)
    # line 268 prints the plan net total -90.820.300 (the contract stores it positive)
    assert list(checked["status"]) == [v.FOUND, v.NOT_FOUND, v.CORRECTED, v.NO_LINE]
    summary = v.summary(checked)
    assert summary == {"figures": 4, "found": 1, "corrected": 1, "not_found": 1, "no_line": 1, "share_found": 25.0}


def test_thousands_and_millions_within_the_printed_rounding():
    numbers = v.printed_numbers("Udgifter 6.633,3")   # mio. kr. with one decimal
    assert v.matches(6_633_300_000, numbers) and v.matches(6_633_340_000, numbers)
    assert not v.matches(6_633_400_000, numbers)
