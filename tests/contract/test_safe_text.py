"""Issue 12: text from the data is shown as text wherever it enters Markdown or HTML, and no
download cell is a formula."""
import mistune
import pytest

from analysis.contract.safe_text import csv_cell, html_text, is_formula_like, markdown_format, markdown_text

NAME = "Test <script>document.title='x'</script><img src=x onerror=\"document.title='y'\">"


def _render(md: str) -> str:
    """Markdown as nbconvert renders it (mistune, raw HTML allowed)."""
    return mistune.create_markdown(escape=False)(md)


def test_html_in_a_name_renders_as_text():
    out = _render("## " + markdown_text(NAME))
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;document.title='x'&lt;/script&gt;&lt;img src=x onerror=" in out


@pytest.mark.parametrize("text", ["Evil [click](javascript:alert(1))", "![x](javascript:alert(1))",
                                  "<javascript:alert(1)>", "[x]: javascript:alert(1)", "*em* _u_ `code` | a | b |"])
def test_markdown_syntax_in_data_renders_literally(text):
    out = _render(markdown_text(text))
    assert "<a " not in out and "<img" not in out and "<em>" not in out and "<code>" not in out
    assert out.startswith("<p>")


def test_newlines_cannot_start_a_block():
    assert markdown_text("a\n# b\n\n<script>x</script>") == "a \\# b &lt;script&gt;x&lt;/script&gt;"
    assert "<h1>" not in _render("- " + markdown_text("a\n# b"))


def test_quarto_shortcodes_are_broken_by_a_zero_width_space():
    assert markdown_text("{{< env HOME >}}") == "\\{\u200b\\{&lt; env HOME &gt;\\}\u200b\\}"


def test_plain_text_stays_readable():
    assert markdown_text("Aalborg Kommune: DKK converted at 7.4589 DKK/EUR (2024 annual mean, ECB).") == \
        "Aalborg Kommune: DKK converted at 7.4589 DKK/EUR (2024 annual mean, ECB)."
    assert markdown_format("## {name} ({n})", name="Landkreis Peine", n="a_b") == "## Landkreis Peine (a\\_b)"
    assert markdown_text(None) == "" and markdown_text(float("nan")) == ""


def test_html_text_escapes_quotes_too():
    assert html_text('"><script>') == "&quot;&gt;&lt;script&gt;"


def test_formula_like_text_and_numbers():
    for text in ("=1+2", '=HYPERLINK("http://evil.example/","x")', "+1+2", "-2+3", "@SUM(1+1)", "\tx", "\rx"):
        assert is_formula_like(text) and csv_cell(text) == "'" + text
    for value in ("-250", "+12", "-1.234,5", "-1,234.5", "text", "", -250, 3.5, None):
        assert not is_formula_like(value) and csv_cell(value) == value
