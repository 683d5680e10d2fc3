"""Write the four report notebooks (notebooks/*.ipynb) from the cell texts below.

The notebooks are committed without outputs and execution counts; edit the cells here and run

    .venv/bin/python scripts/make_notebooks.py

so that every notebook keeps the same structure: a title, a `parameters` cell (Papermill), a
validation cell that stops with the list of valid choices, then thin cells that call
src/analysis and show tables and charts with their caveats.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

SETUP = '''from IPython.display import Markdown, display

from analysis import caveats, charts, offline

offline.enable()
charts.enable("de")  # German/Danish number format: 1.234,5
names = dict(zip(ws.municipalities["municipality_id"], ws.municipalities["name"]))
all_ids = ws.municipality_ids  # colours are fixed per municipality across all pages'''


def md(text: str) -> dict:
    return {"cell_type": "markdown", "source": text.strip("\n")}


def code(text: str, tags: list[str] | None = None) -> dict:
    return {"cell_type": "code", "source": text.strip("\n"), "tags": tags or []}


SPENDING = [
    md('''
# Spending structure

What the municipalities spend on social protection and related health and education tasks, by
COFOG-based category, in EUR (nominal or at constant prices, in total or per inhabitant); plan
against outturn; the economic composition of expenditure; revenue and reimbursements against gross
spending; and which municipality has which figures for which year.

Parameters (next cell, or `papermill -p NAME VALUE`): `municipalities` (a list of ids or `"all"`),
`base_year` (price base for real terms), `price_basis` (`"nominal"` or `"real"`), `per`
(`"inhabitant"` or `"total"`), `category_level` (`"division"`, e.g. 10, or `"group"`, e.g. 10.4).
'''),
    code('''
municipalities = "all"
base_year = 2024
price_basis = "real"
per = "inhabitant"
category_level = "division"
''', ["parameters"]),
    code('''
import analysis
from analysis import params

ws = analysis.load()
p = params.spending(ws, municipalities=municipalities, base_year=base_year, price_basis=price_basis, per=per,
                    category_level=category_level)
print(f"municipalities: {', '.join(p.municipalities)} | base year {p.base_year} | {p.price_basis} | "
      f"per {p.per} | categories by COFOG {p.category_level}")
'''),
    code(SETUP + '''
from analysis import spending

with_budget = [m for m in p.municipalities if m in set(ws.budget["municipality_id"])]
cb = ws.comparable_budget(with_budget, base_year=p.base_year, price_basis=p.price_basis, per=p.per)
cb_total = ws.comparable_budget(with_budget, base_year=p.base_year, price_basis=p.price_basis, per="total")
decimals = 2 if p.per == "inhabitant" else 0
'''),
    md('''
## Which figures exist

Budget figures per municipality and fiscal year: the phases (plan, forecast, outturn), the levels
of detail, and whether the source breaks expenditure down by economic type or revenue into income
and reimbursements. Municipalities whose documents give no budget figures say so.
'''),
    code('''
coverage = spending.coverage(ws.budget, p.municipalities, names)
charts.show(spending.coverage_view(coverage))
'''),
    md('''
## Totals as printed

The grand totals each document gives, in its own currency and converted (nominal EUR at the
fiscal year's exchange rate, or at constant prices, as chosen). Where a document prints only
expenditure and revenue, net is their difference.
'''),
    code('''
totals = spending.totals(cb_total, names=names, municipalities=p.municipalities)
charts.show(spending.totals_view(totals, 0))
display(caveats.note(caveats.budget(caveats.subset(cb_total, totals), ws.municipalities, what="money")
                     + caveats.task_split(ws.municipalities, with_budget)
                     + caveats.quality(ws.quality, ws.municipalities, with_budget)))
'''),
    md('''
## Composition by category

Net spending (expenditure minus revenue, as printed or derived) of the categorised budget items,
by COFOG-based category: the value and its share of the categorised total. Each municipality's
latest fiscal year and its most realised phase are used (actual, else forecast, else budget).
'''),
    code('''
comp = spending.composition(cb, p.category_level, ws.reference.cofog, names=names)
display(spending.composition_chart(comp, all_ids, names, decimals=decimals))
display(spending.composition_chart(comp, all_ids, names, measure="share"))
charts.show(spending.composition_view(comp, decimals))
display(caveats.note(caveats.budget(caveats.subset(cb, comp), ws.municipalities)
                     + caveats.scope(cb_total, p.category_level, ws.reference.cofog, municipalities=ws.municipalities)))
'''),
    md('''
## Plan against outturn by category

The outturn (actual, else the forecast) against the adjusted budget where the document has one
(as the Danish accounts do), else the original budget. A positive deviation means more spent (or
less income) than planned.
'''),
    code('''
plan_cat = spending.plan_vs_outturn(cb, "category", p.category_level, cofog=ws.reference.cofog, names=names)
display(spending.deviation_chart(plan_cat, all_ids, names))
charts.show(spending.plan_view(plan_cat, decimals))
display(caveats.note(caveats.budget(caveats.subset(cb, plan_cat), ws.municipalities, what="money")))
'''),
    md('''
## Plan against outturn by item

The same for each budget item (German products, Danish activities), with original and English
labels. The chart shows the 20 largest deviations in money; the table and the download hold all.
'''),
    code('''
plan_item = spending.plan_vs_outturn(cb, "item", names=names)
display(spending.deviation_chart(plan_item, all_ids, names, label="item"))
charts.show(spending.plan_view(plan_item, decimals, by="item"))
display(caveats.note(caveats.budget(caveats.subset(cb, plan_item), ws.municipalities, what="money")))
'''),
    md('''
## Economic composition of expenditure

Personnel, goods and services, transfers, depreciation and other expenditure, where the document
breaks expenditure down this way (for the whole budget where it can).
'''),
    code('''
econ = spending.economic_composition(cb, p.municipalities, names=names)
display(spending.economic_chart(econ, all_ids, names))
charts.show(spending.economic_view(econ, decimals))
display(caveats.note(caveats.budget(caveats.subset(cb, econ), ws.municipalities, what="money")))
'''),
    md('''
## Revenue and reimbursements against gross spending

How much of the gross expenditure is covered by revenue: fees, grants and reimbursements from the
state. Where the document says which revenue is a reimbursement (the Danish *refusion*), the split
is shown.
'''),
    code('''
revenue = spending.revenue_vs_gross(cb_total, p.municipalities, names=names)
display(spending.revenue_chart(revenue, all_ids, names))
charts.show(spending.revenue_view(revenue, 0))
display(caveats.note(caveats.budget(caveats.subset(cb_total, revenue), ws.municipalities, what="money")))
'''),
    md('''
## Download the data

The tables of this page as CSV and XLSX (numbers unformatted, with their source references).
'''),
    code('''
offline.offer_download(coverage, "coverage", title="Which budget figures exist")
offline.offer_download(totals, "totals", title="Grand totals")
offline.offer_download(comp, "composition", title="Composition by category")
offline.offer_download(plan_cat, "plan-vs-outturn-by-category", title="Plan against outturn by category")
offline.offer_download(plan_item, "plan-vs-outturn-by-item", title="Plan against outturn by item")
offline.offer_download(econ, "economic-composition", title="Economic composition")
offline.offer_download(revenue, "revenue-vs-gross", title="Revenue against gross expenditure")
'''),
]

GOALS = [
    md('''
# Goal agreements

The goals the documents agree on, coded with one frame (perspective, type, target, result): the
inventory, which perspectives each municipality covers, how measurable each system is, whether the
quantified goals were met, and the qualitative goals with their wording and source.

Parameters (next cell, or `papermill -p NAME VALUE`): `municipalities`, `perspectives`
(client, staff, economic, legal, process_quality) and `goal_types` (outcome, output, process,
input, structure); each a list or `"all"`.
'''),
    code('''
municipalities = "all"
perspectives = "all"
goal_types = "all"
''', ["parameters"]),
    code('''
import analysis
from analysis import params

ws = analysis.load()
p = params.goals(ws, municipalities=municipalities, perspectives=perspectives, goal_types=goal_types)
print(f"municipalities: {', '.join(p.municipalities)} | perspectives: {', '.join(p.perspectives)} | "
      f"goal types: {', '.join(p.goal_types)}")
'''),
    code(SETUP + '''
from analysis import goal_analysis as ga

goals = ga.with_item_names(ga.select(ws.goals, p.municipalities, p.perspectives, p.goal_types), ws.budget)
display(caveats.note(caveats.goals(goals, ws.municipalities)))
'''),
    md('''
## Inventory of coded goals

Every goal in the selection with its original wording and an English rendering, perspective, type,
target and result where the document gives them, and the line it comes from.
'''),
    code('''
inventory = ga.inventory(goals, names)
charts.show(ga.inventory_view(inventory), "no goals in this selection")
'''),
    md('''
## Perspectives by municipality

Number of goals per perspective. A municipality without any coded goal in the selection shows
"no goals coded", not 0.
'''),
    code('''
matrix = ga.perspective_matrix(goals, p.municipalities, p.perspectives)
display(ga.matrix_chart(matrix, names))
charts.show(ga.matrix_view(matrix, names))
'''),
    md('''
## How measurable is each goal system?

The share of coded goals with a quantified target, a baseline and a result.
'''),
    code('''
measurable = ga.measurability(goals, p.municipalities)
display(ga.measurability_chart(measurable, all_ids, names))
charts.show(ga.measurability_view(measurable, names))
'''),
    md('''
## Achievement

Goals by status: met, missed, partly met where the document says so; no target, not measured or
pending where there is nothing to compare. The share met counts only goals with a measured result.
'''),
    code('''
achievement = ga.achievement(goals, p.municipalities)
display(ga.achievement_chart(goals, names))
charts.show(ga.achievement_view(achievement, names))
'''),
    md('''
## Missed goals

Goals whose result falls short of the target (or that the document calls partly met): target,
result, their difference and the degree of achievement computed in the goal's direction, next to
the one the document prints.
'''),
    code('''
missed = ga.missed(goals, names)
display(ga.missed_chart(missed, all_ids, names))
charts.show(ga.missed_view(missed), "no missed goals in this selection")
display(caveats.note(caveats.goals(goals[goals["goal_id"].isin(missed["goal_id"])], ws.municipalities)))
'''),
    md('''
## Qualitative goals

Goals without figures, with the verbatim quote from the document and its line.
'''),
    code('''
qualitative = ga.qualitative(goals, names)
charts.show(ga.qualitative_view(qualitative), "no qualitative goals in this selection")
'''),
    md('''
## Download the data
'''),
    code('''
offline.offer_download(goals, "goals", title="Coded goals (all columns)")
offline.offer_download(matrix.reset_index(), "perspectives", title="Goals per perspective and municipality")
offline.offer_download(measurable, "measurability", title="Measurability")
offline.offer_download(achievement, "achievement", title="Achievement by status")
offline.offer_download(missed, "missed-goals", title="Missed goals")
'''),
]

INDICATORS = [
    md('''
# Service indicators

Planned against realised volumes (cases, places, contacts, ...), volumes per 1,000 inhabitants
where that denominator makes sense, timeliness targets (decisions within a deadline) and coverage
rates such as the Danish *dækningsgrad* of day care.

Parameters (next cell, or `papermill -p NAME VALUE`): `municipalities` and `categories`
(COFOG-based codes such as `"10.4"`, a division such as `"10"`, or `"uncategorised"`); each a
list or `"all"`.
'''),
    code('''
municipalities = "all"
categories = "all"
''', ["parameters"]),
    code('''
import analysis
from analysis import params

ws = analysis.load()
p = params.indicators(ws, municipalities=municipalities, categories=categories)
print(f"municipalities: {', '.join(p.municipalities)} | categories: {', '.join(p.categories)}")
'''),
    code(SETUP + '''
from analysis import goal_analysis as ga, indicator_analysis as ia

ind = ia.select(ia.with_categories(ws.indicators, ws.budget), p.municipalities, p.categories)
goals = ia.with_categories(ga.with_item_names(ws.goals, ws.budget), ws.budget)
goals = ia.select(goals, p.municipalities, p.categories)
coverage = ws.coverage().reindex(p.municipalities)[["indicators"]].reset_index()
coverage["municipality"] = coverage["municipality_id"].map(names)
charts.show(charts.table(coverage, columns=["municipality", "indicators"],
                         rename={"indicators": "Indicator figures (years)"}))
'''),
    md('''
## Planned against realised volumes

Each indicator's planned value (the budget assumption) against the realised one (actual, else
the forecast); the chart shows the 25 largest relative deviations.
'''),
    code('''
volumes = ia.plan_vs_actual(ind, names)
display(ia.volume_chart(volumes, all_ids, names))
charts.show(ia.volumes_view(volumes), "no indicators in this selection")
display(caveats.note(caveats.indicators(ind, ws.municipalities)))
'''),
    md('''
## Per 1,000 inhabitants

Counts of people, cases and places divided by the population (of the fiscal year or the nearest
earlier year). Hours, euros, staff and percentages get no rate.
'''),
    code('''
rates = ia.rates_per_1000(volumes, ws.reference.population)
display(ia.rates_chart(rates.nlargest(30, "realised_per_1000"), all_ids, names))
charts.show(ia.rates_view(rates), "no counts in this selection")
display(caveats.note(caveats.indicators(ind, ws.municipalities, rates)))
'''),
    md('''
## Timeliness targets

Goals that set a deadline, measured as the share of cases dealt with in time (e.g. decisions on
new applications within 14 days): target against result in percent.
'''),
    code('''
timely = ia.timeliness(goals, names)
display(ia.timeliness_chart(timely, all_ids, names))
charts.show(ia.timeliness_view(timely), "no deadline targets in this selection")
display(caveats.note(caveats.goals(goals[goals["goal_id"].isin(timely["goal_id"])], ws.municipalities)))
'''),
    md('''
## Coverage rates

Rates such as the share of children with a day-care place (*dækningsgrad*), planned against
realised, in percent; the deviation is in percentage points.
'''),
    code('''
rates_cov = ia.coverage_rates(ind, names)
charts.show(ia.coverage_rates_view(rates_cov), "no coverage rates in this selection")
display(caveats.note(caveats.indicators(ind[ind["indicator"].isin(rates_cov["indicator"])], ws.municipalities)))
'''),
    md('''
## Download the data
'''),
    code('''
offline.offer_download(volumes, "volumes", title="Planned against realised volumes")
offline.offer_download(rates, "rates-per-1000", title="Volumes per 1,000 inhabitants")
offline.offer_download(timely, "timeliness", title="Timeliness targets")
offline.offer_download(rates_cov, "coverage-rates", title="Coverage rates")
'''),
]

PROFILE = [
    md('''
# Municipality profile

One municipality on one page: its documents, spending, indicators and goals, and where it stands
against the others.

Parameter (next cell, or `papermill -p municipality ID`): `municipality`, one id.
'''),
    code('''
municipality = "peine"
''', ["parameters"]),
    code('''
import analysis
from analysis import params

ws = analysis.load()
p = params.profile(ws, municipality)
m = p.municipality
print(f"municipality: {m}")
'''),
    code(SETUP + '''
from analysis import goal_analysis as ga, indicator_analysis as ia, profile, spending

display(Markdown(f"## {names[m]}"))
charts.show(charts.table(profile.facts(ws.municipalities, m), rename={"field": "", "value": ""}))
base_year = max(params.price_index_years(ws, ws.municipalities["country"].unique()) or [None])
with_budget = sorted(set(ws.budget["municipality_id"]))
'''),
    md('''
## Documents

The council documents behind this page; every figure names its line in one of them.
'''),
    code('''
charts.show(charts.table(profile.documents(ws.documents, m),
                         rename={"document_id": "Document", "title": "Title", "reference": "Reference",
                                 "date": "Date", "publisher": "Publisher", "language": "Language", "path": "File"}))
'''),
    md('''
## Spending

The grand totals the document prints (source currency and nominal EUR) and net spending by
COFOG division, per inhabitant at constant prices.
'''),
    code('''
if m in with_budget:
    cb_m = ws.comparable_budget([m], base_year=base_year, price_basis="nominal", per="total")
    charts.show(spending.totals_view(spending.totals(cb_m, names=names), 0))
    cb_real = ws.comparable_budget([m], base_year=base_year, price_basis="real", per="inhabitant")
    comp = spending.composition(cb_real, "division", ws.reference.cofog, names=names)
    display(spending.composition_chart(comp, all_ids, names, decimals=2))
    charts.show(spending.composition_view(comp, 2))
    cb_m_total = ws.comparable_budget([m], base_year=base_year, price_basis="real", per="total")
    display(caveats.note(caveats.budget(caveats.subset(cb_real, comp), ws.municipalities)
                         + caveats.scope(cb_m_total, "division", ws.reference.cofog, municipalities=ws.municipalities)
                         + caveats.quality(ws.quality, ws.municipalities, [m])))
else:
    comp = cb_m = None
    display(Markdown(f"**{charts.NO_FIGURES}**: the documents of {names[m]} give no budget figures."))
'''),
    md('''
## Indicators

Planned against realised volumes, timeliness targets and coverage rates.
'''),
    code('''
ind_m = ia.with_categories(ws.indicators[ws.indicators["municipality_id"] == m], ws.budget)
volumes = ia.plan_vs_actual(ind_m, names)
goals_m = ga.with_item_names(ws.goals[ws.goals["municipality_id"] == m], ws.budget)
timely = ia.timeliness(goals_m, names)
if len(volumes):
    display(ia.volume_chart(volumes, all_ids, names))
    charts.show(ia.volumes_view(volumes))
    display(caveats.note(caveats.indicators(ind_m, ws.municipalities)))
else:
    display(Markdown(f"**{charts.NO_FIGURES}**: no indicator figures for {names[m]}."))
if len(timely):
    charts.show(ia.timeliness_view(timely))
rates_cov = ia.coverage_rates(ind_m, names)
if len(rates_cov):
    charts.show(ia.coverage_rates_view(rates_cov))
'''),
    md('''
## Goals

The coded goals by status, the missed ones, and the qualitative goals with their quotes.
'''),
    code('''
if len(goals_m):
    display(ga.achievement_chart(goals_m, names))
    charts.show(ga.achievement_view(ga.achievement(goals_m, [m]), names))
    missed = ga.missed(goals_m, names)
    charts.show(ga.missed_view(missed), "no missed goals")
    charts.show(ga.qualitative_view(ga.qualitative(goals_m, names)), "no qualitative goals")
    display(caveats.note(caveats.goals(goals_m, ws.municipalities)))
else:
    missed = goals_m
    display(Markdown(f"**no goals coded** for {names[m]}."))
'''),
    md('''
## Standing among the municipalities

Net spending per inhabitant (latest year, most realised phase, constant prices), the goal system's
measurability and achievement, and the number of indicators, for every municipality.
'''),
    code('''
cb_all = ws.comparable_budget(with_budget, base_year=base_year, price_basis="real", per="inhabitant")
standing = profile.standing(cb_all, ws.goals, ws.indicators, all_ids, names)
display(profile.standing_chart(standing, m, all_ids, names))
charts.show(profile.standing_view(standing, m))
display(caveats.note(caveats.budget(caveats.subset(cb_all, profile.latest(cb_all)), ws.municipalities, what="money")
                     + caveats.task_split(ws.municipalities, with_budget)))
'''),
    md('''
## Download the data
'''),
    code('''
offline.offer_download(standing, f"standing-{m}", title="Standing among the municipalities")
offline.offer_download(volumes, f"indicators-{m}", title="Planned against realised volumes")
offline.offer_download(goals_m, f"goals-{m}", title="Coded goals")
if comp is not None:
    offline.offer_download(comp, f"composition-{m}", title="Net spending by category")
'''),
]

NOTEBOOKS = {
    "spending_structure.ipynb": SPENDING,
    "goal_agreements.ipynb": GOALS,
    "service_indicators.ipynb": INDICATORS,
    "municipality_profile.ipynb": PROFILE,
}


def build(cells: list[dict], stem: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for i, c in enumerate(cells):
        if c["cell_type"] == "markdown":
            cell = nbformat.v4.new_markdown_cell(c["source"])
        else:
            cell = nbformat.v4.new_code_cell(c["source"])
            cell.execution_count = None
            cell.outputs = []
            if c["tags"]:
                cell.metadata["tags"] = c["tags"]
        cell.id = f"{stem.replace('_', '-')}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main(out_dir: Path = ROOT / "notebooks") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, cells in NOTEBOOKS.items():
        path = out_dir / name
        nbformat.write(build(cells, Path(name).stem), path)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "notebooks"):
        print(p)
