"""html_tables.py: the site's display tables (right-aligned numbers, collapsed long tables, short sources)."""
import re

import pandas as pd

from analysis.report import charts, html_tables as tables

P = "peine_produktbericht_2024-06.txt"


def test_source_references_are_shortened_with_the_full_one_on_hover():
    assert tables.short_ref(f"{P}:268-269; {P}:283") == "peine:268-269, 283"
    assert tables.short_ref("aalborg_regnskab_2014_fb.txt:152, 156, 157, 158 (+39 more)") == "aalborg:152, 156 +41"
    assert tables.short_ref("Dezernat III: Teilbudget 30") == "Dezernat III: Teilbudget 30"   # not a reference
    html = tables.html(pd.DataFrame({"Source": [f"{P}:268-269; {P}:283"]}))
    assert f'class="ref" title="{P}:268-269; {P}:283">peine:268-269, 283</td>' in html


def test_numbers_are_right_aligned_and_missing_text_wraps():
    df = pd.DataFrame({"municipality": ["Landkreis Peine", "Kreis Segeberg"], "fiscal_year": [2024, 2011],
                       "item_code": ["3111", "x"], "net": [90_820_300.0, None], "share": [12.5, None], "rows": [996, 0]})
    t = charts.table(df, numbers={"net": 0}, percent={"share": 1}, rename={"net": "Net (EUR)"})
    assert t.attrs["numeric"] == ["Net (EUR)", "Share", "rows"]          # not the year, not the code
    html = tables.html(t)
    assert '<th class="num" scope="col">Net (EUR)</th>' in html
    assert '<td class="num">90.820.300</td>' in html
    assert '<td class="num text">no figures in source</td>' in html      # may wrap, still right-aligned
    assert '<td class="year">2024</td>' in html and "<td>3111</td>" in html


def test_a_long_table_shows_its_largest_rows_and_keeps_all_behind_an_expander():
    df = pd.DataFrame({"item": [f"item {i}" for i in range(40)], "deviation": [float(i - 20) for i in range(40)]})
    t = charts.table(df, numbers={"deviation": 0}, order_by="deviation", order_text="largest absolute deviations")
    html = tables.html(t)
    preview, full = html.split("<details", 1)
    shown = re.findall(r"<td>(item \d+)</td>", preview)
    assert len(shown) == tables.TOP and shown[:3] == ["item 0", "item 1", "item 39"]   # |-20|, |-19|, |19|
    assert "The 10 rows with the largest absolute deviations of 40; all rows below and in the download." in preview
    assert len(re.findall(r"<tr>", full)) == 41 and 'data-sortable="true"' in full    # header + 40 rows
    assert "<summary>All 40 rows" in full
    small = tables.html(t.iloc[:25].copy())
    assert "<details" not in small and small.count("<tr>") == 26


def test_hover_and_empty_tables():
    df = pd.DataFrame({"marked": ["corrected", ""], "mark_text": ["corrected (aalborg-165): printed empty", None]})
    t = charts.table(df, columns=["marked"], hover={"marked": "mark_text"}, rename={"marked": "Corrected / flagged"})
    assert 'title="corrected (aalborg-165): printed empty">corrected</td>' in tables.html(t)
    assert tables.html(t.iloc[0:0]) == "<p><em>none</em></p>"
    assert "not available yet" in tables.html(None)


def test_the_script_is_local_and_small():
    text = tables.SCRIPT_PATH.read_text(encoding="utf-8")
    assert "http" not in text and len(text) < 6000
    assert "data-sortable" in text and "localeCompare" in text


def test_long_text_is_cut_with_the_whole_text_on_hover_but_quotes_are_kept():
    note = ("youth welfare (Teilbudget 34, Jugendamt) is not itemised (line 27) though it causes the overspend "
            "(line 25); see 10.1 and 10.4; " * 3).strip()
    quote = ("Sofortiges Tätigwerden bei Räumungsklagen " * 6).strip()
    out = tables.html(pd.DataFrame({"Note": [note], "Quote (verbatim)": [quote]}))
    cut = tables.abbreviate(note)
    assert cut == note[:note.rfind(" ", 0, tables.ABBREVIATE_TO)].rstrip(",") + " …" and len(cut) < len(note)
    cell = re.search(r'<td class="([^"]*)" title="([^"]*)">([^<]*)</td>', out)
    assert "abbr" in cell.group(1).split() and cell.group(2) == note and cell.group(3) == cut
    assert f">{quote}</td>" in out                                   # the verbatim quote in full
    assert tables.abbreviate("short text") == "short text"
