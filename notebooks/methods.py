# %%
from IPython.display import HTML, display

import pandas as pd

from analysis.compare import findings
from analysis.report import methods_tables, offline, overview, page_findings, publish

offline.enable()
m = publish.methods_content()
corrections = methods_tables.corrections(m["quality"])
flags = methods_tables.flags(m["quality"])
task_split = methods_tables.reference("task_split")
document_coverage = methods_tables.reference("coverage")
checked = overview.verification_table()
verified = None if checked is None else overview.verification.summary(checked)


def show(df, empty="none", numbers=None, counts=False):
    display(HTML(publish.table_html(methods_tables.view(df, numbers, counts), empty)))


page_findings.show(findings.methods(m["quality"], corrections, flags, verified))

# %% [markdown]
# ## About this page
#
# How the figures on this site were obtained: the council documents they come from, the data
# contract every table follows, the reference data that makes the municipalities comparable and
# every quality check of a document against itself, with its result (the chart of the checks by
# document is in "Quality checks" below). A figure is *found on its line* when one of the numbers
# printed on the document line it cites (`source_ref`) equals it, as printed, in thousands or in
# millions, within half a unit of the last printed digit (`analysis.compare.verification`).
#
# This page is built from the data (`data/processed/` and `data/reference/`) each time the site is
# built: it always describes the figures that are published. Long tables show their first rows;
# the rest is behind "All ... rows", and every table is in the downloads.


# %% [markdown]
# ## The documents
#
# Every figure comes from one of these council documents. The files in `data/raw/` are
# byte-for-byte copies (their SHA-256 is recorded and checked on every extract), and every row of
# every table names the line it was read from as `source_ref` (`<raw file>:<line>`).

# %%
show(m["documents"], "no documents listed")

# %% [markdown]
# ## The data contract
#
# All tables follow one contract (`src/analysis/contract/schema.py`, validated on every extract):
#
# - **budget** is long: one amount per row, identified by fiscal year, period (`2024` or `2024-03`),
#   organisational unit, item, level (total, area, product, line), direction (expenditure, revenue,
#   net), economic type and phase (original budget, adjusted budget, forecast, actual, actual to date).
# - Amounts are in whole currency units (figures printed in thousands or millions are multiplied
#   out). Expenditure and revenue are positive; net = expenditure - revenue, so a positive net is a
#   cost to the municipality.
# - A figure the document does not give is missing (empty), never zero.
# - Original German and Danish labels stay as printed; the English translation sits next to them
#   (`*_en`).

# %%
show(m["contract"])

# %% [markdown]
# ## Comparability
#
# ### Categories
#
# Every budget item of both schemes (German product numbers, Danish kontoplan functions and
# activities) is assigned to a COFOG 1999 based category. Rows with `judgement` = true are judgement
# calls where another category is defensible; `note` says why and `source` names the document line
# and the COFOG definition relied on. Items without a category are listed in
# `unassigned_items.csv`, never dropped.

# %%
show(m["category_map"], "data/reference/category_map.csv is missing")

# %% [markdown]
# ### Exchange rates
#
# Units of a currency per EUR (annual mean of the ECB daily reference rates). Nominal figures are
# converted at the rate of their fiscal year; real figures at the rate of the base year.

# %%
show(m["exchange_rates"], "data/reference/exchange_rates.csv is missing", methods_tables.NUMBERS["exchange_rates"])

# %% [markdown]
# ### Price index
#
# Consumer price indices. Real (constant-price) figures use the HICP of the country by default:
# `amount * index[base_year] / index[fiscal_year]`, in the national currency, then converted at
# the base year's exchange rate.

# %%
show(m["price_index"], "data/reference/price_index.csv is missing", methods_tables.NUMBERS["price_index"])

# %% [markdown]
# ### Population
#
# Inhabitants per municipality and year. A per-inhabitant figure uses the population of its fiscal
# year or, when that is missing, of the nearest earlier year (never interpolated, never a later
# year); the year used is shown next to the result.

# %%
show(m["population"], "data/reference/population.csv is missing", methods_tables.NUMBERS["population"])

# %% [markdown]
# ### Who pays for what: the task split
#
# A German county, a county-free city, a Berlin district and a Danish municipality pay for different
# tasks, so equal categories do not mean equal responsibilities. For each country, administrative
# type and category, `data/reference/task_split.csv` says whether that level pays (`pays`, `partly`,
# `not`), who else does (the Bund, the Land, the Danish state's refund, ...) and the source (law
# texts, official and secondary pages marked SECONDARY, and the document lines). The caveats under the
# charts are keyed by country and administrative type and quote these rows for the categories shown.

# %%
show(task_split, "data/reference/task_split.csv is missing")

# %% [markdown]
# ### What each document covers
#
# Per municipality, document and COFOG category (`total`: the document as a whole): whether the
# document covers all that the municipality spends on it (`complete`), only part (`partial`, with the
# share where the document allows computing it, e.g. Peine's product table itemises 36 % of the
# Dezernat's net forecast) or nothing (`absent`), with the evidence lines
# (`data/reference/coverage.csv`). Levels are compared across municipalities only where coverage is
# complete: charts fade partial coverage, and the profiles' standing compares a category only among
# municipalities whose documents cover it completely (never a ranking).

# %%
show(document_coverage, "data/reference/coverage.csv is missing", methods_tables.NUMBERS["coverage"])

# %% [markdown]
# ## Settled figures and flags
#
# ### Corrections: misprints the document settles itself
#
# Where a document misprints a figure and its own other lines settle the figure beyond doubt, the
# tables hold the settled figure and keep the printed one (`amount_as_printed`, `value_as_printed`,
# `target_as_printed`, `result_as_printed`, with `correction_id`); each correction is a quality row
# with status **corrected**, and charts outline the bars that include one. The corrections are
# curated in `data/curated/corrections.yml` with the evidence lines, whose text a test checks against
# the raw document. `printed` and `settled` are in the document's notation, followed by the figure
# as stored (the contract's sign: revenue positive, whole currency units).

# %%
show(corrections, "no corrections")

# %% [markdown]
# ### Flags: doubtful figures the document does not settle
#
# Kept as printed (`flag_id`, `flag_note`); charts draw them dashed and never let them set a scale
# (off scale, labelled with the value).

# %%
show(flags, "no flags")

# %% [markdown]
# ## Quality checks
#
# Every check of a document against itself is one row of `quality.csv`: products sum to their area
# totals, revenue minus expenditure gives the net, months sum to the result, reported degrees of
# achievement match target and result. Results: **pass**; **contradiction** (the document disagrees
# with itself: reported here, never papered over); **corrected** (a misprint the document settles
# itself, see above); **fail**; **warning** (suspicious, e.g. a row that repeats another year's
# figures, or a flagged figure); **info** (not comparable). Figures printed rounded are compared
# with a tolerance of half the last printed digit per summed term; `detail` says which.

# %%
by_document = m["quality_by_document"]
if by_document is None:
    print("no quality checks yet: run `analysis extract`")
else:
    # a bar per document (above 25 documents: per result, summed over the documents)
    display(methods_tables.quality_chart(by_document, methods_tables.documents_context()))
    show(by_document, counts=True)

# %% [markdown]
# ### Each contradiction
#
# Where a document disagrees with itself. The `expected` value is what the other figures of the
# document imply; `found` is what it prints.

# %%
show(m["contradictions"], "no contradictions", methods_tables.NUMBERS["quality"])

# %% [markdown]
# ### Failures and warnings

# %%
show(m["failures_warnings"], "no failures or warnings", methods_tables.NUMBERS["quality"])

# %% [markdown]
# ### Not comparable (info)

# %%
show(m["info"], "none", methods_tables.NUMBERS["quality"])

# %% [markdown]
# ### Results by check

# %%
show(m["quality_by_check"], "no quality checks yet", counts=True)

# %%
if m["quality"] is not None:
    offline.offer_download(m["quality"], "quality-checks", title="All quality checks")
if checked is not None:
    offline.offer_download(checked, "figures-on-their-line", title="Every figure and whether it is printed on the line it cites")
offline.offer_download(corrections, "corrections", title="Corrections of a document by itself")
offline.offer_download(flags, "flags", title="Doubtful figures kept as printed")
if task_split is not None:
    offline.offer_download(task_split, "task-split", title="Task split")
if document_coverage is not None:
    offline.offer_download(document_coverage, "document-coverage", title="What each document covers")
