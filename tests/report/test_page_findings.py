"""page_findings.py: the block that opens every page, and reading it back for the overview."""
import nbformat
import pandas as pd

from analysis.report import page_findings


def test_the_block_is_html_and_markdown_and_carries_its_sentences():
    f = page_findings.Findings(["Largest deviation: <b>+3,1 %</b>."], selection="municipalities: peine")
    data, meta = f._repr_mimebundle_()
    assert data["text/html"].startswith('<section class="analysis-findings"')
    assert "&lt;b&gt;+3,1 %&lt;/b&gt;" in data["text/html"]                    # data text is escaped
    assert data["text/markdown"].splitlines()[-1] == "municipalities: peine"
    assert meta == {"analysis": {"findings": ["Largest deviation: <b>+3,1 %</b>."], "selection": "municipalities: peine"}}
    assert page_findings.lines_of(pd.DataFrame({"finding": ["a", ""]})) == ["a"]


def test_from_notebook_reads_the_first_block():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    data, meta = page_findings.Findings(["one", "two"])._repr_mimebundle_()
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    assert page_findings.from_notebook(nb) == ["one", "two"]
    assert page_findings.from_notebook(nbformat.v4.new_notebook()) == []
