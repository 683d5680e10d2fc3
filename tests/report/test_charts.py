"""charts.py: fixed colours, number formats (1.234,5), tooltips, tables and PNG/SVG export."""

import altair as alt
import pandas as pd
import pytest

from analysis.report import charts

IDS = ["aalborg", "berlin-neukoelln", "magdeburg", "peine", "segeberg"]


def test_each_municipality_keeps_its_colour_whatever_the_subset():
    full = charts.colours(IDS)
    assert full["peine"] == charts.PALETTE[0] and full["aalborg"] == charts.PALETTE[3]
    assert charts.colours(["aalborg", "peine"]) == {"aalborg": full["aalborg"], "peine": full["peine"]}
    assert len(set(full.values())) == 5


def test_new_municipalities_get_the_next_colours_deterministically():
    c = charts.colours(IDS + ["zeitz", "bremen"])
    assert c["bremen"] == charts.PALETTE[5] and c["zeitz"] == charts.PALETTE[6]   # alphabetical after the five
    assert charts.colours(["zeitz", "bremen"] + IDS) == {k: c[k] for k in ["zeitz", "bremen"] + IDS}
    assert {k: c[k] for k in IDS} == charts.colours(IDS)                           # the five are unchanged


def test_colour_scale_with_display_names():
    scale = charts.colour_scale(["peine", "aalborg"], {"peine": "Landkreis Peine", "aalborg": "Aalborg Kommune"})
    assert scale.domain == ["Landkreis Peine", "Aalborg Kommune"]
    assert scale.range == [charts.PALETTE[0], charts.PALETTE[3]]


@pytest.mark.parametrize("value, decimals, lang, text", [
    (1234.5, 1, "de", "1.234,5"), (90_820_300, 0, "de", "90.820.300"), (5_083_000_000, 0, "da", "5.083.000.000"),
    (-1234.56, 2, "de", "-1.234,56"), (1234.5, 1, "en", "1,234.5"), (-0.04, 1, "de", "0,0"), (7.4548, 4, "de", "7,4548")])
def test_fmt(value, decimals, lang, text):
    assert charts.fmt(value, decimals, lang) == text


def test_missing_is_text_never_zero():
    assert charts.fmt(float("nan")) == "no figures in source"
    assert charts.fmt(None, missing="not measured") == "not measured"
    assert charts.fmt(pd.NA) == "no figures in source"
    assert charts.fmt_percent(12.345) == "12,3\u00a0%"


def test_table_formats_numbers_and_keeps_labels():
    df = pd.DataFrame({"item_name": ["Hilfe zur Pflege", "Dagpleje"], "item_name_en": ["Long-term care", None],
                       "amount": [5_305_000.0, float("nan")], "share": [12.5, None]})
    t = charts.table(df, numbers={"amount": 0}, percent={"share": 1}, rename={"amount": "Amount (EUR)"})
    assert list(t.columns) == ["Item (original)", "Item (English)", "Amount (EUR)", "Share"]
    assert list(t["Amount (EUR)"]) == ["5.305.000", "no figures in source"]
    assert list(t["Share"]) == ["12,5\u00a0%", "no figures in source"]
    assert list(t["Item (English)"]) == ["Long-term care", ""]
    assert df["amount"].iloc[0] == 5_305_000.0                 # the data behind it stays numeric
    assert t.attrs["numeric"] == ["Amount (EUR)", "Share"]       # right-aligned on the page


def test_table_aligns_numbers_formatted_before():
    df = pd.DataFrame({"municipality": ["Peine", "Kiel"], "share_met": ["50,0\u00a0%", "too few to compare"]})
    assert charts.table(df).attrs["numeric"] == []
    assert charts.table(df, aligned=["share_met"], rename={"share_met": "% met"}).attrs["numeric"] == ["% met"]


def test_theme_sets_the_number_locale():
    charts.enable("de")
    spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q").to_dict()
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "."
    charts.enable("en")
    spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q").to_dict()
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    charts.enable("de")


def test_tooltips_carry_value_unit_year_and_source():
    tips = [t.to_dict() for t in charts.tooltips("value", "Net", 0)]
    assert [t["field"] for t in tips] == ["value", "unit", "fiscal_year", "source_ref"]
    assert tips[0]["format"] == ",.0f"


def test_join_refs_is_short():
    refs = ["a.txt:1", "a.txt:2", "a.txt:3", "a.txt:4", "a.txt:5", "b.txt:9", None]
    assert charts.join_refs(refs) == "a.txt:1, 2, 3, 4 (+1 more); +1 more files"
    assert charts.join_refs(["a.txt:7", "a.txt:7"]) == "a.txt:7"


def test_guard_refuses_big_chart_data():
    with pytest.raises(ValueError, match="aggregate first"):
        charts.guard(pd.DataFrame({"x": range(5001)}))


def test_save_writes_png_and_svg_with_the_german_number_format(tmp_path):
    charts.enable("de")
    df = pd.DataFrame({"municipality": ["Landkreis Peine"], "value": [1234567.5]})
    chart = alt.Chart(df).mark_bar().encode(y="municipality:N", x=alt.X("value:Q", axis=alt.Axis(format=",.1f")))
    png, svg = charts.save(chart, tmp_path / "slides" / "net")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert text.lstrip().startswith("<svg") and "1.200.000,0" in text


def test_md_escapes_the_values_not_the_template():
    """Issue 12: the profile heading and "no figures" lines put a municipality's name into Markdown."""
    out = charts.md("## {name}", name="Test <script>x</script> [c](javascript:x)")
    assert out.data == "## Test &lt;script&gt;x&lt;/script&gt; \\[c\\](javascript:x)"
    assert charts.md("**{none}**: no figures for {name}.", none="no figures in source", name="A_B").data == \
        "**no figures in source**: no figures for A\\_B."


def test_note_shows_three_caveats_and_the_rest_behind_an_expander():
    assert charts.note(["a", "b", "c", "d"]).data == "**Caveats**\n\n- a\n- b\n- c\n- d"
    text = charts.note(["a", "b", "c", "d", "e", "a"]).data
    assert text.startswith("**Caveats**\n\n- a\n- b\n- c\n\n<details class=\"analysis-notes\"><summary>2 more caveats"
                           "</summary>\n\n- d\n- e\n\n</details>")
    assert charts.note([]).data == "**Caveats**: none for this selection."


def test_note_escapes_the_caveats_behind_the_expander_too():
    """Issue 12: data text in the collapsed caveats is shown, never run."""
    text = charts.note(["a", "b", "c", "d", "<img src=x onerror=alert(1)>"]).data
    assert "<img" not in text and "&lt;img" in text
