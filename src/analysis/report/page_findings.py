"""The findings that open every page, and reading them back from an executed notebook.

    show(findings, selection=None)   display the sentences of `analysis.compare.findings` (a DataFrame
                                     or a list of texts) as the page's first block; `selection` is one
                                     line naming the parameters the page was built with
    from_notebook(nb)                the sentences a page showed (for the overview page), [] without

The block is plain HTML (`<section class="analysis-findings">`) with a Markdown twin, and it carries
its sentences in the output's metadata under "analysis" -> "findings".
"""
from __future__ import annotations

import html

import pandas as pd

CLASS = "analysis-findings"
TITLE = "What this page finds"
META = "analysis"


class Findings:
    """The findings block (IPython display object)."""

    def __init__(self, lines: list[str], selection: str | None = None, title: str = TITLE):
        self.lines, self.selection, self.title = [str(x) for x in lines if str(x)], selection, title

    def html(self, lines: list[str] | None = None, raw: bool = False) -> str:
        """The block as HTML; `lines` replace the sentences, `raw` lines are HTML already."""
        lines = self.lines if lines is None else lines
        items = "".join(f"<li>{x if raw else html.escape(x)}</li>" for x in lines) or \
            "<li>nothing to report for this selection</li>"
        sel = f'<p class="analysis-selection">{html.escape(self.selection)}</p>' if self.selection else ""
        return (f'<section class="{CLASS}" aria-label="findings"><h2 class="{CLASS}-title">{html.escape(self.title)}'
                f"</h2><ul>{items}</ul>{sel}</section>")

    def _html(self) -> str:
        return self.html()

    def _markdown(self) -> str:
        body = "\n".join(f"- {x}" for x in self.lines) or "- nothing to report for this selection"
        return f"**{self.title}**\n\n{body}" + (f"\n\n{self.selection}" if self.selection else "")

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self._html(), "text/markdown": self._markdown(), "text/plain": self._markdown()}
        return data, {META: {"findings": self.lines, "selection": self.selection}}


def lines_of(findings) -> list[str]:
    if findings is None:
        return []
    if isinstance(findings, pd.DataFrame):
        return [str(t) for t in findings.get("finding", []) if str(t)]
    return [str(t) for t in findings if str(t)]


def show(findings, selection: str | None = None) -> None:
    """Display the findings block (first output of a page)."""
    from IPython.display import display
    display(Findings(lines_of(findings), selection))


def from_notebook(nb) -> list[str]:
    """The findings an executed notebook displayed (the first findings block), else []."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            meta = (out.get("metadata") or {}).get(META) or {}
            if "findings" in meta:
                return [str(x) for x in meta["findings"]]
    return []
