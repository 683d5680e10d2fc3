"""Text from the data, made safe where it enters Markdown, HTML or a spreadsheet.

Every text that comes from an input file (a municipality's name, an item name, a source) goes
through this module before it is put into Markdown or HTML, so that a name like
``Test <script>...</script>`` or ``[click](javascript:alert(1))`` is shown as the text it is:

    markdown_text("A <b>[x](y)</b>")      'A &lt;b&gt;\\[x\\](y)&lt;/b&gt;'  (Markdown that renders as the text)
    markdown_format("## {name}", name=n)  a Markdown template with every value escaped
    html_text("<b>")                      '&lt;b&gt;'

Downloads (CSV and XLSX) follow OWASP's CSV-injection rule: a text cell that starts with
``= + - @``, tab or carriage return would be a formula in a spreadsheet, so the CSV gets it with
a leading ``'`` (`csv_cell`) and the XLSX stores it as text (`is_formula_like` tells which).
Numbers stay numbers; a text that is a plain number (``-250``, ``-1.234,5``) is left alone.
"""
from __future__ import annotations

import html
import math
import re
import unicodedata

# Characters that start Markdown (or Pandoc/Quarto) syntax: links and images ([ ] !), emphasis
# (* _ ~ ^), code (`), tables (|), headings (#), math ($), citations (@), attributes and
# shortcodes ({ }; "{{" and "}}" also get a zero-width space), and the escape itself. `< > &` become HTML entities instead (raw HTML,
# autolinks, entities). Newlines are folded into spaces, so no value can start a block.
_MARKDOWN = set("\\`*_{}[]#!|~$@^")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BRACES = re.compile(r"(?<=\{)(?=\{)|(?<=\})(?=\})")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}([.,\u202f ]\d{3})+)([.,]\d+)?$")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("nan", "<NA>")


def _one_line(text: str) -> str:
    """Control characters (newline, tab, ...) as spaces; runs of whitespace as one space."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return re.sub(r"\s+", " ", text).strip()


def markdown_text(value) -> str:
    """`value` as Markdown that renders as exactly this text (no markup, no HTML, one line)."""
    if _missing(value):
        return ""
    out = []
    # Quarto runs shortcodes ({{< env HOME >}} prints the build machine's HOME) even when the braces
    # are escaped, and a lone '>}}' stops the render: a zero-width space between two braces keeps the
    # text as it looks and breaks the shortcode.
    for c in _BRACES.sub("\u200b", _one_line(str(value))):
        if c in _ENTITIES:
            out.append(_ENTITIES[c])
        elif c in _MARKDOWN:
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def markdown_format(template: str, /, **values) -> str:
    """`template.format(**values)` with every value escaped by `markdown_text` (the template is trusted)."""
    return template.format(**{k: markdown_text(v) for k, v in values.items()})


def html_text(value) -> str:
    """`value` as HTML text or attribute value (quotes escaped too)."""
    return "" if _missing(value) else html.escape(str(value), quote=True)


def is_formula_like(value) -> bool:
    """True for a text a spreadsheet would read as a formula (OWASP CSV injection)."""
    return (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _PLAIN_NUMBER.match(value.strip()))


def csv_cell(value):
    """A cell for a CSV download: formula-like text gets a leading ``'``; anything else as it is."""
    return "'" + value if is_formula_like(value) else value
