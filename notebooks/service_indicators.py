# %% [markdown]
# # Service indicators

# %% tags=["parameters"]
municipalities = "all"
categories = "all"
highlight = ""  # with more than 25 municipalities: the ones drawn one by one against the others

# %%
import analysis
from analysis.report import params

ws = analysis.load()
p = params.indicators(ws, municipalities=municipalities, categories=categories, highlight=highlight)

# %%
from IPython.display import Markdown, display

from analysis.compare import caveats
from analysis.report import charts, offline

offline.enable()
charts.enable("de")  # German/Danish number format: 1.234,5
names = dict(zip(ws.municipalities["municipality_id"], ws.municipalities["name"]))
all_ids = ws.municipality_ids  # colours are fixed per municipality across all pages
from analysis.compare import goal_analysis as ga, indicator_analysis as ia
from analysis.compare import distribution  # many municipalities: the highlighted ones and a summary row
from analysis.report import goal_charts as gc, indicator_charts as ic, scale_charts as scc

hl = p.highlight

ind = ia.select(ia.with_categories(ga.with_item_names(ws.indicators, ws.budget), ws.budget), p.municipalities,
                p.categories)
goals = ia.with_categories(ga.with_item_names(ws.goals, ws.budget), ws.budget)
goals = ia.select(goals, p.municipalities, p.categories)
coverage = ws.coverage().reindex(p.municipalities)[["indicators"]].reset_index()
coverage["municipality"] = coverage["municipality_id"].map(names)
volumes = ia.plan_vs_actual(ind, names)
rates = ia.rates_per_1000(volumes, ws.reference.population)
timely = ia.timeliness(goals, names)
rates_cov = ia.coverage_rates(ind, names)

# %%
from analysis.compare import brief, findings  # brief: long lists of municipalities shortened
from analysis.report import page_findings

page_findings.show(findings.indicators(volumes, timely, rates_cov, names),
                   selection=f"municipalities: {brief.join(p.municipalities, ', ', 'municipalities', '')} | categories: {', '.join(p.categories)}")
display(scc.volume_chart(volumes, all_ids, names, hl))

# %% [markdown]
# ## About this page
#
# Planned against realised volumes (cases, places, contacts, ...): the chart above shows each
# municipality's 15 largest relative deviations. Below: the figures behind it, volumes per 1,000
# inhabitants where that denominator makes sense, timeliness targets (decisions within a deadline)
# and coverage rates such as the Danish *dækningsgrad* of day care.
#
# Parameters (in the notebook's first code cell, or `papermill -p NAME VALUE`): `municipalities`
# and `categories` (COFOG-based codes such as `"10.4"`, a division such as `"10"`, or
# `"uncategorised"`); each a list or `"all"`.

# %%
charts.show(charts.table(distribution.for_table(coverage, hl), columns=["municipality", "indicators"],
                         rename={"indicators": "Indicator figures (years)"}))

# %% [markdown]
# ## Planned against realised volumes
#
# Each indicator's planned value (the budget assumption) against the realised one (actual, else
# the forecast); the chart at the top of the page shows each municipality's 15 largest relative
# deviations. A figure the document leaves in doubt (flagged in `data/curated/corrections.yml`) is
# kept as printed, dashed, and drawn off scale when it would set the axis.

# %%
charts.show(ic.volumes_view(distribution.for_table(volumes, hl)), "no indicators in this selection")
display(charts.note(caveats.indicators(ind, ws.municipalities) + caveats.marked(volumes)))

# %% [markdown]
# ## Per 1,000 inhabitants
#
# Counts of people, cases and places divided by the population (of the fiscal year or the nearest
# earlier year). Hours, euros, staff and percentages get no rate. Each municipality has its own
# panel: a county's caseloads and a Danish municipality's rates count different target groups.

# %%
display(scc.rates_chart(rates, all_ids, names, hl))
charts.show(ic.rates_view(distribution.for_table(rates, hl)), "no counts in this selection")
display(charts.note(caveats.indicators(ind, ws.municipalities, rates) + caveats.marked(rates)))

# %% [markdown]
# ## Timeliness targets
#
# Goals that set a deadline, measured as the share of cases dealt with in time (e.g. decisions on
# new applications within 14 days): target against result in percent.

# %%
display(scc.timeliness_chart(timely, all_ids, names, hl))
charts.show(ic.timeliness_view(distribution.for_table(timely, hl)), "no deadline targets in this selection")
display(charts.note(caveats.goals(goals[goals["goal_id"].isin(timely["goal_id"])], ws.municipalities)))

# %% [markdown]
# ## Coverage rates
#
# Rates such as the share of children with a day-care place (*dækningsgrad*), planned against
# realised, in percent; the deviation is in percentage points.

# %%
charts.show(ic.coverage_rates_view(distribution.for_table(rates_cov, hl)), "no coverage rates in this selection")
display(charts.note(caveats.indicators(ind[ind["indicator"].isin(rates_cov["indicator"])], ws.municipalities)))

# %% [markdown]
# ## Download the data

# %%
offline.offer_download(volumes, "volumes", title="Planned against realised volumes")
offline.offer_download(rates, "rates-per-1000", title="Volumes per 1,000 inhabitants")
offline.offer_download(timely, "timeliness", title="Timeliness targets")
offline.offer_download(rates_cov, "coverage-rates", title="Coverage rates")
