"""Row filters of mapped budget files: keep and drop by value, prefix, range or pattern."""
import pandas as pd

from analysis.sources import row_filters

# rows as Kiel's file prints them (Produktbereich, Teilplan, Produkt; lines 2579, 4116, 4288, 6555)
ROWS = pd.DataFrame({"Produktbereich": ["31-35", "41-42", "41-42", "61"],
                     "Teilplan": ["3111", "411", "421", "611"],
                     "Produkt": ["311100", "411001", "421010", "611001"],
                     "Produkt-Bez": ["Hilfe zum Lebensunterhalt", "Krankenhausförderung", "Sportstätten", "Summe"]},
                    dtype=object)


def _parse(spec):
    problems = []
    out = row_filters.parse(spec, lambda k, m, e, f: problems.append((k, m, e, f)))
    return out, problems


def test_keep_by_prefix_and_drop_by_pattern():
    filters, problems = _parse({"keep": [{"column": "Produkt", "prefix": ["31", "41"]}],
                                "drop": [{"column": "Produkt-Bez", "pattern": "(?i)^summe"}]})
    assert problems == []
    mask, note = row_filters.apply(ROWS, filters)
    assert list(ROWS.loc[mask, "Produkt"]) == ["311100", "411001"]
    assert note.startswith("kept 2 of 4 rows (keep Produkt prefix ['31', '41']: 2 rows match; ")


def test_a_combined_produktbereich_is_not_the_scope_but_the_product_number_is():
    filters, _ = _parse({"keep": [{"column": "Produktbereich", "in": ["31-35", "41-42"]}]})
    mask, _ = row_filters.apply(ROWS, filters)
    assert "421010" in set(ROWS.loc[mask, "Produkt"])     # sport slips in by the column Produktbereich
    filters, _ = _parse({"keep": [{"column": "Produkt", "range": [310000, 419999]}]})
    mask, _ = row_filters.apply(ROWS, filters)
    assert list(ROWS.loc[mask, "Produkt"]) == ["311100", "411001"]


def test_equals_and_every_keep_filter_must_match():
    filters, _ = _parse({"keep": [{"column": "Produktbereich", "equals": "41-42"},
                                  {"column": "Teilplan", "pattern": "^41"}]})
    mask, _ = row_filters.apply(ROWS, filters)
    assert list(ROWS.loc[mask, "Produkt"]) == ["411001"]


def test_bad_filters_are_reported():
    _, problems = _parse({"keep": [{"column": "Produkt", "prefix": "31", "pattern": "^3"},
                                   {"column": "Produkt", "range": ["a", 5]},
                                   {"column": "Produkt", "pattern": "("}],
                          "select": []})
    assert problems[0][0] == ("filters",) and "keep and drop" in problems[0][1]
    _, problems = _parse({"keep": [{"column": "Produkt", "prefix": "31", "pattern": "^3"},
                                   {"column": "Produkt", "range": ["a", 5]},
                                   {"column": "Produkt", "pattern": "("}]})
    assert [p[0] for p in problems] == [("filters", "keep", 0), ("filters", "keep", 1), ("filters", "keep", 2)]
    assert "not a regular expression" in problems[2][1]
