# %% [markdown]
# # Spending structure

# %% tags=["parameters"]
municipalities = "all"
base_year = 2024
price_basis = "real"
per = "inhabitant"
category_level = "division"
fiscal_year = "latest"
phase = "most_realised"
highlight = ""  # with more than 25 municipalities: the ones drawn one by one against the others

# %%
import analysis
from analysis.report import params

ws = analysis.load()
p = params.spending(ws, municipalities=municipalities, base_year=base_year, price_basis=price_basis, per=per,
                    category_level=category_level, fiscal_year=fiscal_year, phase=phase, highlight=highlight)

# %%
from IPython.display import display

from analysis.compare import caveats
from analysis.report import charts, offline

offline.enable()
charts.enable("de")  # German/Danish number format: 1.234,5
names = dict(zip(ws.municipalities["municipality_id"], ws.municipalities["name"]))
all_ids = ws.municipality_ids  # colours are fixed per municipality across all pages
from analysis.compare import harmonise, scope, spending
from analysis.compare import distribution  # many municipalities: the highlighted ones and a summary row
from analysis.report import scale_charts as scc, spending_charts as sc

hl = p.highlight

have_budget = set(ws.budget["municipality_id"].unique())
with_budget = [m for m in p.municipalities if m in have_budget]
# a municipality without a population figure (or exchange rate, price index) is left out of the
# figures that need it, with a caveat naming the reference row that would add it
cb = ws.comparable_budget(with_budget, base_year=p.base_year, price_basis=p.price_basis, per=p.per,
                          missing="leave_out")
cb_total = ws.comparable_budget(with_budget, base_year=p.base_year, price_basis=p.price_basis, per="total",
                                missing="leave_out")
decimals = 2 if p.per == "inhabitant" else 0
coverage = spending.coverage(ws.budget, p.municipalities, names)
scopes = scope.coverage_table(ws.reference.coverage, p.municipalities, names)
totals = spending.totals(cb_total, names=names, municipalities=p.municipalities)
comp = scope.with_coverage(spending.composition(cb, p.category_level, ws.reference.cofog, names=names,
                                                fiscal_year=p.fiscal_year, phase=p.phase), ws.reference.coverage)
comp_shares = scope.with_coverage(spending.composition(cb_total, p.category_level, ws.reference.cofog, names=names,
                                                       fiscal_year=p.fiscal_year, phase=p.phase),
                                  ws.reference.coverage)
plan_cat = scope.with_scope(spending.plan_vs_outturn(cb, "category", p.category_level, cofog=ws.reference.cofog,
                                                     names=names, fiscal_year=p.fiscal_year), ws.reference.coverage)
plan_item = scope.with_scope(spending.plan_vs_outturn(cb, "item", names=names, fiscal_year=p.fiscal_year),
                             ws.reference.coverage)
econ = scope.with_scope(spending.economic_composition(cb, p.municipalities, names=names), ws.reference.coverage)
revenue = scope.with_scope(spending.revenue_vs_gross(cb_total, p.municipalities, names=names), ws.reference.coverage)

# %%
from analysis.compare import brief, findings  # brief: long lists of municipalities shortened
from analysis.report import page_findings

page_findings.show(findings.spending(coverage, plan_cat, comp_shares, cb, names),
                   selection=f"municipalities: {brief.join(p.municipalities, ', ', 'municipalities', '')} | base year {p.base_year} | "
                             f"{p.price_basis} | per {p.per} | categories by COFOG {p.category_level} | "
                             f"fiscal year {p.fiscal_year or 'latest'} | phase {p.phase or 'most realised'}")
display(scc.composition_chart(comp, all_ids, names, hl, decimals=decimals))

# %% [markdown]
# ## About this page
#
# What the municipalities spend on social protection and related health and education tasks, by
# COFOG-based category, in EUR (nominal or at constant prices, in total or per inhabitant); plan
# against outturn; the economic composition of expenditure; revenue and reimbursements against gross
# spending; and which municipality has which figures for which year. The chart above is the net
# spending by category; the sections below give the details.
#
# Parameters (in the notebook's first code cell, or `papermill -p NAME VALUE`): `municipalities`
# (a list of ids or `"all"`), `base_year` (price base for real terms), `price_basis` (`"nominal"` or
# `"real"`), `per` (`"inhabitant"` or `"total"`), `category_level` (`"division"`, e.g. 10, or
# `"group"`, e.g. 10.4), `fiscal_year` (`"latest"`: each municipality's latest year, or a year such
# as 2016) and `phase` (`"most_realised"`: actual, else forecast, else adjusted, else original
# budget; or one phase such as `"actual"`) for the composition by category.

# %% [markdown]
# ## Which figures exist
#
# Budget figures per municipality and fiscal year: the phases (plan, forecast, outturn), the levels
# of detail, and whether the source breaks expenditure down by economic type or revenue into income
# and reimbursements. Municipalities whose documents give no budget figures say so.

# %%
charts.show(sc.coverage_view(distribution.for_table(coverage, hl)))

# %% [markdown]
# ## What each document covers
#
# Whether each document covers all that the municipality spends on a category (complete), only part
# of it (partial, with the share where it can be computed) or nothing (absent), with the lines that
# show it (`data/reference/coverage.csv`). Levels are compared only where coverage is complete;
# elsewhere the bars below are faded.

# %%
charts.show(sc.scope_view(distribution.for_table(scopes, hl)), "no coverage recorded for this selection")

# %% [markdown]
# ## Totals as printed
#
# The grand totals each document gives, in its own currency and converted (nominal EUR at the
# fiscal year's exchange rate, or at constant prices, as chosen). Where a document prints only
# expenditure and revenue, net is their difference.

# %%
charts.show(sc.totals_view(distribution.for_table(totals, hl, by=["phase"]), 0))
display(charts.note(caveats.budget(caveats.subset(cb_total, totals), ws.municipalities, what="money")
                     + caveats.task_split(ws.municipalities, with_budget)
                     + caveats.quality(ws.quality, ws.municipalities, with_budget)))

# %% [markdown]
# ## Composition by category
#
# Net spending (expenditure minus revenue, as printed or derived) of the categorised budget items,
# by COFOG-based category: the value (the chart at the top of the page) and its share of the
# categorised total. Each municipality's latest fiscal year and its most realised phase are used
# (actual, else forecast, else budget), unless the parameters `fiscal_year` and `phase` choose
# others. Shares need no population figure.
# Faded bars: the document covers the category only partly (or its coverage is not recorded), so
# its level is not comparable with the others'.

# %%
display(scc.composition_chart(comp_shares, all_ids, names, hl, measure="share"))
charts.show(sc.composition_view(distribution.for_table(comp, hl, by=["category", "category_name_en"]), decimals))
display(charts.note(caveats.budget(caveats.subset(cb, comp), ws.municipalities)
                     + caveats.task_split_categories(ws.reference.task_split, ws.municipalities[
                         ws.municipalities["municipality_id"].isin(with_budget)], comp_shares["category"].unique())
                     + caveats.category_left_out(cb_total, comp_shares, ws.municipalities, p.fiscal_year, p.phase)
                     + caveats.one_sided(comp_shares, names)
                     + caveats.scope(cb_total, p.category_level, ws.reference.cofog, municipalities=ws.municipalities)
                     + caveats.marked(comp_shares)))

# %% [markdown]
# ## Plan against outturn by category
#
# The outturn (actual, else the forecast) against the adjusted budget where the document has one
# (as the Danish accounts do), else the original budget. A positive deviation means more spent (or
# less income) than planned. Figures the document misprints but settles itself are corrected
# (outlined bars; `data/curated/corrections.yml`, listed on the methods page).

# %%
display(scc.deviation_chart(plan_cat, all_ids, names, hl))
charts.show(sc.plan_view(distribution.for_table(plan_cat, hl, by=["category", "category_name_en"]), decimals))
display(charts.note(caveats.budget(caveats.subset(cb, plan_cat), ws.municipalities, what="money")
                     + caveats.marked(plan_cat)))
# municipalities left out of the figures above (no population figure): the same table in EUR
cb_left = cb_total[cb_total["municipality_id"].isin(harmonise.left_out_ids(cb))]
plan_left = scope.with_scope(spending.plan_vs_outturn(cb_left, "category", p.category_level, cofog=ws.reference.cofog,
                                                      names=names, fiscal_year=p.fiscal_year), ws.reference.coverage)
if len(plan_left):
    display(charts.md("**In {unit}** (no population figure for these municipalities):", unit=spending.unit_label(cb_left)))
    charts.show(sc.plan_view(distribution.for_table(plan_left, hl, by=["category", "category_name_en"]), 0))

# %% [markdown]
# ## Plan against outturn by item
#
# The same for each budget item (German products, Danish activities), with original and English
# labels. The chart shows each municipality's 15 largest deviations in money, in money; the table
# shows the largest first and holds all, as does the download.

# %%
display(scc.deviation_chart(plan_item, all_ids, names, hl, label="item"))
charts.show(sc.plan_view(distribution.for_table(plan_item, hl), decimals, by="item"))
display(charts.note(caveats.budget(caveats.subset(cb, plan_item), ws.municipalities, what="money")
                     + caveats.marked(plan_item)))

# %% [markdown]
# ## Economic composition of expenditure
#
# Personnel, goods and services, transfers, depreciation and other expenditure, where the document
# breaks expenditure down this way (for the whole budget where it can).

# %%
display(scc.economic_chart(econ, all_ids, names, hl))
charts.show(sc.economic_view(distribution.for_table(econ, hl, by=["economic_type_label"]), decimals))
display(charts.note(caveats.budget(caveats.subset(cb, econ), ws.municipalities, what="money")))

# %% [markdown]
# ## Revenue and reimbursements against gross spending
#
# How much of the gross expenditure is covered by revenue: fees, grants and reimbursements from the
# state. Where the document says which revenue is a reimbursement (the Danish *refusion*), the split
# is shown.

# %%
display(scc.revenue_chart(revenue, all_ids, names, hl))
charts.show(sc.revenue_view(distribution.for_table(revenue, hl, by=["phase"]), 0))
display(charts.note(caveats.budget(caveats.subset(cb_total, revenue), ws.municipalities, what="money")))

# %% [markdown]
# ## Download the data
#
# The tables of this page as CSV and XLSX (numbers unformatted, with their source references). Each
# EUR figure comes with the amount in the source currency (`*_amount`), the exchange rate, the price
# index of the fiscal and the base year and the population (its year and reference date) it was
# computed with, and the `formula`: every value can be recomputed from the file alone.

# %%
from analysis.compare import basis  # amounts in the source currency, exchange rate, price index, population

offline.offer_download(coverage, "coverage", title="Which budget figures exist")
offline.offer_download(scopes, "document-coverage", title="What each document covers, by category")
offline.offer_download(basis.totals_download(totals, cb_total), "totals", title="Grand totals")
offline.offer_download(basis.composition_download(comp, cb, p.category_level, ws.reference.cofog), "composition",
                       title="Composition by category")
offline.offer_download(basis.composition_download(comp_shares, cb_total, p.category_level, ws.reference.cofog),
                       "composition-shares", title="Composition by category (shares, in EUR)")
offline.offer_download(basis.plan_download(plan_cat, cb, "category", p.category_level, ws.reference.cofog),
                       "plan-vs-outturn-by-category", title="Plan against outturn by category")
offline.offer_download(basis.plan_download(plan_item, cb, "item"), "plan-vs-outturn-by-item",
                       title="Plan against outturn by item")
offline.offer_download(basis.economic_download(econ, cb, p.municipalities), "economic-composition",
                       title="Economic composition")
offline.offer_download(basis.revenue_download(revenue, cb_total, p.municipalities), "revenue-vs-gross",
                       title="Revenue against gross expenditure")
