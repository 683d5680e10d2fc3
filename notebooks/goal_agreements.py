# %% [markdown]
# # Goal agreements

# %% tags=["parameters"]
municipalities = "all"
perspectives = "all"
goal_types = "all"
highlight = ""  # with more than 25 municipalities: the ones drawn one by one against the others

# %%
import analysis
from analysis.report import params

ws = analysis.load()
p = params.goals(ws, municipalities=municipalities, perspectives=perspectives, goal_types=goal_types, highlight=highlight)

# %%
from IPython.display import Markdown, display

from analysis.compare import caveats
from analysis.report import charts, offline

offline.enable()
charts.enable("de")  # German/Danish number format: 1.234,5
names = dict(zip(ws.municipalities["municipality_id"], ws.municipalities["name"]))
all_ids = ws.municipality_ids  # colours are fixed per municipality across all pages
from analysis.compare import goal_analysis as ga
from analysis.compare import distribution  # many municipalities: the highlighted ones and a summary row
from analysis.report import goal_charts as gc, scale_charts as scc

hl = p.highlight

goals = ga.with_item_names(ga.select(ws.goals, p.municipalities, p.perspectives, p.goal_types), ws.budget)
context = caveats.goal_context(goals, ws.documents, names)  # years and result phases, in every chart's subtitle
inventory = ga.inventory(goals, names)
matrix = ga.perspective_matrix(goals, p.municipalities, p.perspectives)
measurable = ga.measurability(goals, p.municipalities)
achievement = ga.achievement(goals, p.municipalities)
contradictions = ga.contradictions(goals, names)
missed = ga.missed(goals, names)
qualitative = ga.qualitative(goals, names)

# %%
from analysis.compare import brief, findings  # brief: long lists of municipalities shortened
from analysis.report import page_findings

page_findings.show(findings.goals(achievement, goals, missed, names),
                   selection=f"municipalities: {brief.join(p.municipalities, ', ', 'municipalities', '')} | perspectives: "
                             f"{', '.join(p.perspectives)} | goal types: {', '.join(p.goal_types)}")
display(scc.achievement_chart(goals, names, hl, all_ids, subtitle=context))

# %% [markdown]
# ## About this page
#
# The goals the documents agree on, coded with one frame (perspective, type, target, result): the
# chart above counts them by status per municipality. Met, missed and partly met goals have a
# measured result; the others are kept apart: **no target** (the document sets none), **not
# measured yet** (no measure or result given), **pending** (a target whose result is still to come)
# and **contradiction** (the printed degree of achievement disagrees with the printed target and
# result). A share met resting on fewer than 5 measured goals is marked as too few to compare. The
# sections below give the inventory, the perspectives, the measurability, the contradictions, the
# missed goals and the qualitative goals with their wording and source.
#
# Parameters (in the notebook's first code cell, or `papermill -p NAME VALUE`): `municipalities`,
# `perspectives` (client, staff, economic, legal, process_quality) and `goal_types` (outcome,
# output, process, input, structure); each a list or `"all"`.

# %%
display(charts.note(caveats.goals(goals, ws.municipalities)))

# %% [markdown]
# ## Inventory of coded goals
#
# Every goal in the selection with its original wording and an English rendering, perspective, type,
# target and result where the document gives them, and the line it comes from.

# %%
charts.show(gc.inventory_view(distribution.for_table(inventory, hl)), "no goals in this selection")

# %% [markdown]
# ## Perspectives by municipality
#
# Number of goals per perspective. A municipality without any coded goal in the selection shows
# "no goals coded", not 0.

# %%
display(scc.matrix_chart(matrix, names, hl, all_ids, subtitle=context))
charts.show(gc.matrix_view(distribution.for_matrix(matrix, hl), names))

# %% [markdown]
# ## How measurable is each goal system?
#
# The share of coded goals with a quantified target, a baseline and a result.

# %%
display(scc.measurability_chart(measurable, all_ids, names, hl, subtitle=context))
charts.show(gc.measurability_view(distribution.for_table(measurable, hl, by=[]), names))

# %% [markdown]
# ## Achievement
#
# Goals by status: met, missed (near misses within 5 points of the target apart from clear misses),
# partly met where the document says so; contradiction where the printed degree of achievement
# disagrees with the printed target and result; no target, not measured or pending where there is
# nothing to compare. The share met counts only goals with a measured result (met, missed, partly);
# the chart at the top of the page shows the same counts.

# %%
charts.show(gc.achievement_view(distribution.for_table(achievement, hl, by=[]), names))

# %% [markdown]
# ## Printed achievement contradicts target and result
#
# Goals whose printed degree of achievement disagrees with their printed target and result (by more
# than one point): the printed and the computed degree side by side. They count neither as met nor
# as missed.

# %%
display(scc.contradiction_chart(contradictions, names, hl))
charts.show(gc.contradictions_view(distribution.for_table(contradictions, hl)), "no contradictions in this selection")

# %% [markdown]
# ## Missed goals
#
# Goals whose result falls short of the target (or that the document calls partly met): target,
# result, their difference and the degree of achievement computed in the goal's direction, next to
# the one the document prints. Near misses (at 95 % of the target or more) are shown apart from
# clear misses; each municipality in its own panel.

# %%
display(scc.missed_chart(missed, all_ids, names, hl))
charts.show(gc.missed_view(distribution.for_table(missed, hl)), "no missed goals in this selection")
display(charts.note(caveats.goals(goals[goals["goal_id"].isin(missed["goal_id"])], ws.municipalities)))

# %% [markdown]
# ## Qualitative goals
#
# Goals without figures, with the verbatim quote from the document and its line.

# %%
charts.show(gc.qualitative_view(distribution.for_table(qualitative, hl)), "no qualitative goals in this selection")

# %% [markdown]
# ## Download the data

# %%
offline.offer_download(goals, "goals", title="Coded goals (all columns)")
offline.offer_download(matrix.reset_index(), "perspectives", title="Goals per perspective and municipality")
offline.offer_download(measurable, "measurability", title="Measurability")
offline.offer_download(achievement, "achievement", title="Achievement by status")
offline.offer_download(missed, "missed-goals", title="Missed goals")
offline.offer_download(contradictions, "contradictions", title="Printed achievement contradicts target and result")
