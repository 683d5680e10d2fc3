"""overview.py: the overview page (findings of each page, coverage grid, date and checks of the data)."""
import nbformat
import pandas as pd

from analysis.compare import availability
from analysis.report import overview, page_findings, publish
from analysis.report.runner import Page


def _nb(lines):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    data, meta = page_findings.Findings(lines)._repr_mimebundle_()
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells = [cell]
    return nb


def _site():
    return publish.Site([Page(name="spending", notebook="notebooks/spending_structure.ipynb", title="Spending structure"),
                         Page(name="methods", notebook="notebooks/methods.ipynb", title="Methods and sources")])


def test_the_overview_opens_with_each_pages_findings_linked(monkeypatch):
    site = _site()
    md = overview.index_markdown(site, "Intro text.", {"spending": _nb(["First.", "Second.", "Third."])})
    assert md.startswith('<section class="analysis-findings"')
    assert '<a href="spending.html"><strong>Spending structure</strong></a>: First. Second.</li>' in md
    assert "Third." not in md                                   # one or two lines per page
    assert md.index("## About this site") > md.index("analysis-findings")
    quarto = overview.index_markdown(site, "", {"spending": _nb(["First."])}, quarto=True)
    assert quarto.startswith("```{=html}\n<section")


def test_the_grid_colours_what_exists_with_each_documents_reference_and_date():
    grid = pd.DataFrame({"municipality_id": ["peine", "peine"], "municipality": ["Landkreis Peine"] * 2,
                         "data_type": ["budget: forecast", "goals"], "fiscal_year": pd.array([2024, None], dtype="Int64"),
                         "status": ["figures", "targets and results"], "rows": [108, 41],
                         "documents": ["Informationsvorlage 2024/143 (2024-10-28)"] * 2})
    docs = pd.DataFrame({"document_id": ["d"], "municipality_id": ["peine"], "reference": ["Informationsvorlage 2024/143"],
                         "date": ["2024-10-28"]})
    munis = pd.DataFrame({"municipality_id": ["peine", "magdeburg"], "name": ["Landkreis Peine", "Landeshauptstadt Magdeburg"]})
    html = overview.grid_html(grid, munis, docs)
    assert '<th scope="col" class="num">2024</th>' in html and "no year</th>" in html
    assert f'style="background:{overview.STATUS_COLOURS["figures"]}"' in html
    assert 'title="Landkreis Peine, budget: forecast, 2024: figures (108 rows) - Informationsvorlage 2024/143 (2024-10-28)"' in html
    assert '<span class="grid-docs">Informationsvorlage 2024/143 (2024-10-28)</span>' in html
    # a municipality without figures still has its rows, empty
    assert "Landeshauptstadt Magdeburg" in html and html.count("budget (none)") == 1
    chart = overview.grid_chart(grid, munis).to_dict()
    assert chart["encoding"]["color"]["scale"]["domain"] == ["figures", "targets and results"]


def test_about_lines_state_the_build_date_and_the_checks(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")         # 2026-01-01
    quality = pd.DataFrame({"status": ["contradiction", "corrected", "warning"],
                            "check": ["sum", "correction: x", "flag: y"]})
    lines = overview.about_lines(tmp_path, {"quality": quality, "documents": None, "budget": None}, "methods.html")
    assert lines[0] == "Built on 2026-01-01."
    assert lines[-1] == ("1 contradiction where a document disagrees with itself, 1 correction where it settles a "
                         "misprint itself and 1 doubtful figure flagged: each one on the [methods page](methods.html).")


def test_downloads_findings_count_what_is_offered():
    html = overview.downloads_findings({"budget": 1795, "goals": 116}, [], quarto=False)
    assert "2 processed tables with 1.911 rows in all (the largest: budget, 1.795 rows)" in html
    assert availability.STATUSES[0] in overview.STATUS_COLOURS


def _grid_of(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A grid of `n` municipalities: each has forecast figures for 2023 and goals with results;
    every second also 2022 originals, every tenth no goals (qualitative ones only)."""
    rows = []
    for i in range(n):
        m = f"m{i:03d}"
        rows.append((m, "budget: forecast", 2023, "figures", 100))
        if i % 2 == 0:
            rows.append((m, "budget: original budget", 2022, "figures", 50))
        rows.append((m, "goals", 2023, "qualitative goals only" if i % 10 == 0 else "targets and results", 10))
    grid = pd.DataFrame(rows, columns=["municipality_id", "data_type", "fiscal_year", "status", "rows"])
    grid.insert(1, "municipality", "Name " + grid["municipality_id"])
    grid["fiscal_year"] = grid["fiscal_year"].astype("Int64")
    grid["documents"] = "Doc (2024-01-01)"
    munis = pd.DataFrame({"municipality_id": [f"m{i:03d}" for i in range(n)]})
    munis["name"] = "Name " + munis["municipality_id"]
    return grid, munis


def test_the_grid_of_500_municipalities_counts_them_per_data_type_and_year():
    grid, munis = _grid_of(500)
    summ = availability.summary(grid)
    got = {(r["data_type"], int(r["fiscal_year"]), r["status"]): (r["municipalities"], r["rows"])
           for r in summ.to_dict("records")}
    assert got == {("budget: original budget", 2022, "figures"): (250, 250 * 50),
                   ("budget: forecast", 2023, "figures"): (500, 500 * 100),
                   ("goals", 2023, "targets and results"): (450, 450 * 10),
                   ("goals", 2023, "qualitative goals only"): (50, 50 * 10)}
    html = overview.grid_html(grid, munis)
    assert "Name m001" not in html                           # no row per municipality
    assert html.count("<tr") == 1 + 3                        # the header and one row per data type
    assert "Data of 500 municipalities" in html
    assert 'title="goals, 2023: 450 municipalities targets and results (4500 rows); 50 municipalities ' \
           'qualitative goals only (500 rows)"' in html
    assert '<span class="grid-label">500</span>' in html
    assert len(html) < 10_000                                # the same size at any N
    chart = overview.grid_chart(grid, munis).to_dict()
    data = chart["datasets"][next(iter(chart["datasets"]))]
    assert len(data) == 3 and sorted(d["n"] for d in data) == [250, 500, 500]


def test_the_grid_of_25_municipalities_still_lists_each():
    grid, munis = _grid_of(25)
    html = overview.grid_html(grid, munis)
    assert "Name m024" in html and "Data of" not in html


def test_a_grid_cell_shows_the_first_row_of_its_municipality_type_and_year():
    grid = pd.DataFrame({"municipality_id": ["peine"] * 3, "municipality": ["Landkreis Peine"] * 3,
                         "data_type": ["goals", "goals", "goals"], "fiscal_year": pd.array([2024, 2024, None], dtype="Int64"),
                         "status": ["targets and results", "qualitative goals only", "targets, no results yet"],
                         "rows": [3, 4, 5], "documents": ["D"] * 3})
    html = overview.grid_html(grid)
    assert "Landkreis Peine, goals, 2024: targets and results (3 rows)" in html
    assert "qualitative goals only (4 rows)" not in html
    assert "Landkreis Peine, goals, no year: targets, no results yet (5 rows)" in html
