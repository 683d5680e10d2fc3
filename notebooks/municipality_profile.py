# %% [markdown]
# # Municipality profile

# %% tags=["parameters"]
municipality = "peine"
fiscal_year = "latest"
phase = "most_realised"

# %%
import analysis
from analysis.report import params

ws = analysis.load()
p = params.profile(ws, municipality, fiscal_year=fiscal_year, phase=phase)
m = p.municipality

# %%
from IPython.display import display

from analysis.compare import caveats
from analysis.report import charts, offline

offline.enable()
charts.enable("de")  # German/Danish number format: 1.234,5
names = dict(zip(ws.municipalities["municipality_id"], ws.municipalities["name"]))
all_ids = ws.municipality_ids  # colours are fixed per municipality across all pages
from analysis.compare import goal_analysis as ga, indicator_analysis as ia, profile, scope, spending
from analysis.compare import distribution  # many municipalities: this one and a summary row
from analysis.report import goal_charts as gc, indicator_charts as ic, profile_charts as pc, scale_charts as scc
from analysis.report import spending_charts as sc

base_year = max(params.price_index_years(ws, ws.municipalities["country"].unique()) or [None])
with_budget = sorted(set(ws.budget["municipality_id"].unique()))  # unique(): not 350,000 Python strings per page
per_inh = False
if m in with_budget:
    # without a population figure (or exchange rate, price index) the figures that need it are left
    # out, with a caveat naming the reference row that would add them
    cb_m = ws.comparable_budget([m], base_year=base_year, price_basis="nominal", per="total", missing="leave_out")
    totals_m = spending.totals(cb_m, names=names)
    cb_real = ws.comparable_budget([m], base_year=base_year, price_basis="real", per="inhabitant", missing="leave_out")
    left = caveats.left_out(cb_real, ws.municipalities)
    cb_m_total = ws.comparable_budget([m], base_year=base_year, price_basis="real", per="total", missing="leave_out")
    per_inh = len(cb_real) > 0
    comp, comp_amounts = spending.composition_and_amounts(cb_real if per_inh else cb_m_total, "division",
                                                          ws.reference.cofog, names=names,
                                                          fiscal_year=p.fiscal_year, phase=p.phase)
    comp = scope.with_coverage(comp, ws.reference.coverage)  # comp_amounts: the download's source amounts
else:
    cb_m = comp = totals_m = None
budget_m = ws.select("budget", municipalities=[m])  # item names and categories come from its own budget
ind_m = ia.with_categories(ga.with_item_names(ws.indicators[ws.indicators["municipality_id"] == m], budget_m),
                           budget_m)
volumes = ia.plan_vs_actual(ind_m, names)
goals_m = ga.with_item_names(ws.goals[ws.goals["municipality_id"] == m], budget_m)
achievement_m = ga.achievement(goals_m, [m])

# %%
from analysis.compare import findings
from analysis.report import page_findings

page_findings.show(findings.profile(m, totals_m, comp, achievement_m if len(goals_m) else None, volumes, names,
                                    ws.documents, goals_none=not len(goals_m)),
                   selection=f"municipality: {m} | fiscal year {p.fiscal_year or 'latest'} | "
                             f"phase {p.phase or 'most realised'}")
if comp is not None and len(comp):
    display(sc.composition_chart(comp, all_ids, names, decimals=2 if per_inh else 0))
elif len(goals_m):
    display(gc.achievement_chart(goals_m, names, subtitle=caveats.goal_context(goals_m, ws.documents, names)))

# %% [markdown]
# ## About this page
#
# One municipality on one page: its documents, spending, indicators and goals, and where it stands
# against the others. The chart above is its net spending by category (or, without budget figures,
# its goals by status).
#
# Parameters (in the notebook's first code cell, or `papermill -p municipality ID`): `municipality`,
# one id; `fiscal_year` (`"latest"` or a year) and `phase` (`"most_realised"` or a phase such as
# `"actual"`) for the spending by category and the standing among the municipalities.

# %%
charts.show(charts.table(profile.facts(ws.municipalities, m), rename={"field": "Field", "value": "Value"}))

# %% [markdown]
# ## Documents
#
# The council documents behind this page; every figure names its line in one of them.

# %%
charts.show(charts.table(profile.documents(ws.documents, m),
                         rename={"document_id": "Document", "title": "Title", "reference": "Reference",
                                 "date": "Date", "publisher": "Publisher", "language": "Language", "path": "File"}))

# %% [markdown]
# ## Spending
#
# The grand totals the document prints (source currency and nominal EUR) and net spending by
# COFOG division, per inhabitant at constant prices (in EUR at constant prices where there is no
# population figure; the chart at the top of the page).

# %%
if m in with_budget:
    charts.show(sc.totals_view(totals_m, 0))
    charts.show(sc.composition_view(comp, 2 if per_inh else 0))
    charts.show(sc.scope_view(scope.coverage_table(ws.reference.coverage, [m], names)), "no coverage recorded")
    display(charts.note(left + caveats.budget(caveats.subset(cb_real if per_inh else cb_m_total, comp), ws.municipalities)
                         + caveats.category_left_out(cb_m_total, comp, ws.municipalities, p.fiscal_year, p.phase)
                         + caveats.one_sided(comp, names)
                         + caveats.scope(cb_m_total, "division", ws.reference.cofog, municipalities=ws.municipalities)
                         + caveats.quality(ws.quality, ws.municipalities, [m]) + caveats.marked(comp)))
else:
    comp = cb_m = None
    display(charts.md("**{none}**: the documents of {name} give no budget figures.", none=charts.NO_FIGURES, name=names[m]))

# %% [markdown]
# ## Indicators
#
# Planned against realised volumes, timeliness targets and coverage rates.

# %%
timely = ia.timeliness(goals_m, names)
if len(volumes):
    display(ic.volume_chart(volumes, all_ids, names))
    charts.show(ic.volumes_view(volumes))
    display(charts.note(caveats.indicators(ind_m, ws.municipalities)))
else:
    display(charts.md("**{none}**: no indicator figures for {name}.", none=charts.NO_FIGURES, name=names[m]))
if len(timely):
    charts.show(ic.timeliness_view(timely))
rates_cov = ia.coverage_rates(ind_m, names)
if len(rates_cov):
    charts.show(ic.coverage_rates_view(rates_cov))

# %% [markdown]
# ## Goals
#
# The coded goals by status; those whose printed degree of achievement contradicts target and result
# (printed and computed side by side); the missed ones (near and clear misses); the quantified goals
# still without a result; and the qualitative goals with their quotes.

# %%
if len(goals_m):
    if comp is not None and len(comp):  # else the chart is at the top of the page
        display(gc.achievement_chart(goals_m, names, subtitle=caveats.goal_context(goals_m, ws.documents, names)))
    charts.show(gc.achievement_view(achievement_m, names))
    contradictions = ga.contradictions(goals_m, names)
    if len(contradictions):
        display(charts.md("**Printed achievement contradicts target and result** (neither met nor missed)"))
        charts.show(gc.contradictions_view(contradictions))
    missed = ga.missed(goals_m, names)
    charts.show(gc.missed_view(missed), "no missed goals")
    display(charts.md("**Quantified goals without a result yet**"))
    charts.show(gc.pending_view(ga.pending(goals_m, names)), "none: every quantified goal has a result")
    charts.show(gc.qualitative_view(ga.qualitative(goals_m, names)), "no qualitative goals")
    display(charts.note(caveats.goals(goals_m, ws.municipalities)))
else:
    missed = goals_m
    display(charts.md("**no goals coded** for {name}.", name=names[m]))

# %% [markdown]
# ## Standing among the municipalities
#
# Spending is compared per COFOG group, and only with the municipalities whose documents cover that
# group completely (`data/reference/coverage.csv`), at constant prices per inhabitant; where the
# documents' scopes differ the table says there is nothing to compare. Nothing is ranked. Below it,
# the key facts of every municipality's documents and goal system, side by side.

# %%
st = ws.standing(base_year, fiscal_year=p.fiscal_year, phase=p.phase)  # all municipalities: once per build
by_category = st.by_category(m)
if len(by_category):
    behind = st.rows_behind(by_category)  # the rows of every municipality's comparable budget behind it
    display(scc.standing_chart(by_category, m, all_ids, names))
    charts.show(pc.category_standing_view(distribution.for_table(by_category, [m], by=["category", "category_name_en"]), m))
    display(charts.note(caveats.left_out(behind, ws.municipalities)
                         + caveats.budget(behind, ws.municipalities, what="money")
                         + caveats.task_split(ws.municipalities, by_category["municipality_id"].unique(),
                                              ws.reference.task_split, by_category["category"].unique())))
else:
    display(charts.md("**nothing to compare**: the documents of {name} give no budget figures by category.",
                      name=names[m]))
standing = st.facts
charts.show(pc.standing_view(distribution.for_table(standing, [m], by=[]), m))
display(charts.note(caveats.task_split(ws.municipalities, all_ids)))

# %% [markdown]
# ## Download the data

# %%
offline.offer_download(standing, f"standing-{m}", title="Key facts of every municipality")
from analysis.compare import basis  # amounts in the source currency, exchange rate, price index, population

offline.offer_download(basis.with_basis(by_category, behind, spending.composition(behind, "group", ws.reference.cofog,
                                                                               value="amount"),
                                        ["municipality_id", "fiscal_year", "phase", "category"], ["value"])
                       if len(by_category) else by_category,
                       f"standing-by-category-{m}", title="Spending per category, among complete coverage")
offline.offer_download(volumes, f"indicators-{m}", title="Planned against realised volumes")
offline.offer_download(goals_m, f"goals-{m}", title="Coded goals")
if comp is not None:
    offline.offer_download(basis.with_basis(comp, cb_real if per_inh else cb_m_total, comp_amounts,  # = composition_download
                                            ["municipality_id", "fiscal_year", "phase", "category"], ["value"]),
                           f"composition-{m}", title="Net spending by category")
