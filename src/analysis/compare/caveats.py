"""Caveats from the data actually shown: fiscal years, phases, prices, population, currency, tasks.

Every text is built from the rows a figure uses (never from constants): the exchange rate comes
from the harmonised rows' `fx_rate`/`fx_year`/`fx_source`, the population year from
`population_year`, the deflator from `deflator_note`.

    budget(cb, municipalities)          caveats for comparable budget rows (harmonise.comparable)
    goals(goals, municipalities)        caveats for goal tables
    indicators(ind, municipalities, population=None)
    markdown(items)                     a bullet list as Markdown text (report.charts.note displays it)

The texts are plain text (they carry names and labels from the data); `markdown` escapes each
one (`analysis.contract.safe_text`), so a name with HTML or Markdown in it is shown as written.
"""
from __future__ import annotations

import pandas as pd

from analysis.compare import brief, spending
from analysis.contract.missing import flag
from analysis.contract.numbers import fmt
from analysis.contract.safe_text import markdown_text

PHASE_WORDS = {"original_budget": "original budget", "adjusted_budget": "adjusted budget",
               "forecast": "forecast", "actual": "actual outturn", "actual_to_date": "actual to date",
               "financial_plan": "medium-term financial plan"}
LEFT_OUT_OF = {"population": "per-inhabitant figures", "exchange rate": "figures in EUR",
               "price index": "figures at constant prices"}

# What a country's administrative type means for the comparability of social spending, keyed by
# (country, admin_type): a German "Stadt" is never described as a Danish "Kommune". Who pays for
# each category, with sources: data/reference/task_split.csv (`task_split_categories`).
TASK_SPLIT = {
    ("DE", "Landkreis"): "a German county (Landkreis): it carries social assistance (SGB XII) and the municipal part "
                         "of basic income support for jobseekers (housing costs, of which the Bund refunds a share; "
                         "the Bund pays the benefit itself) and, with its youth office, youth welfare; the Land sets "
                         "who carries integration assistance and refunds part of it; the towns within the county "
                         "carry other local tasks (in Niedersachsen also day care)",
    ("DE", "Kreis"): "a German county (Kreis): it carries social assistance (SGB XII), the municipal part of basic "
                     "income support for jobseekers (housing costs) and, with its youth office, youth welfare; the "
                     "Bund pays the jobseekers' benefit itself, the Land sets who carries integration assistance; "
                     "the towns within the county carry other local tasks",
    ("DE", "kreisfreie Stadt"): "a German county-free city (kreisfreie Stadt): it carries both county and municipal "
                                "tasks; the Bund and, as überörtlicher Träger, the Land still pay their shares",
    ("DE", "Bezirk"): "a Berlin district (Bezirk): without legal personality, it administers tasks of the city-state "
                      "(the Land Berlin carries social assistance and housing costs) from a global sum the Land "
                      "allocates",
    ("DE", "Stadt"): "a German town within a county (Stadt): the county carries social assistance, basic income "
                     "support and, unless Land law gives the town a youth office, youth welfare",
    ("DE", "Gemeinde"): "a German municipality within a county (Gemeinde): the county carries social assistance, "
                        "basic income support and youth welfare",
    ("DK", "Kommune"): "a Danish municipality (Kommune): it carries day care, income support and employment "
                       "measures, elder care and disability services, with state refunds (refusion) for part of "
                       "them; the regions carry hospitals and Udbetaling Danmark pays pensions and housing benefit",
}
RESPONSIBILITY_WORDS = {"pays": "pays", "partly": "pays partly", "not": "does not pay"}


def _name(mid: str, names: dict[str, str] | None) -> str:
    return (names or {}).get(mid, mid)


def _names(municipalities) -> dict[str, str]:
    if isinstance(municipalities, pd.DataFrame):
        return dict(zip(municipalities["municipality_id"], municipalities["name"]))
    return dict(municipalities or {})


def _short_source(source: str) -> str:
    text = str(source or "")
    if "ECB" in text:
        return "ECB"
    return text.split(";")[0].strip()[:80]


def fiscal_years(df: pd.DataFrame, names: dict[str, str] | None = None, year: str = "fiscal_year") -> list[str]:
    """'Different fiscal years: ...' when the rows come from more than one year."""
    if not len(df) or year not in df.columns:
        return []
    by = df.groupby("municipality_id")[year].agg(lambda s: sorted({int(v) for v in s.dropna()}))
    years = {y for ys in by for y in ys}
    if len(years) <= 1:
        return []
    parts = [f"{_name(m, names)} {', '.join(map(str, ys))}" for m, ys in by.items()]
    return ["Different fiscal years are compared: " + brief.join(parts, what="municipalities") + "."]


def phases(df: pd.DataFrame, names: dict[str, str] | None = None, column: str = "phase") -> list[str]:
    """Which phases (plan, forecast, actual) each municipality's figures are."""
    if not len(df) or column not in df.columns:
        return []
    by = df.dropna(subset=[column]).groupby("municipality_id")[column].agg(lambda s: list(dict.fromkeys(s)))
    if not len(by):
        return []
    parts = [f"{_name(m, names)}: {', '.join(PHASE_WORDS.get(p, p) for p in ps)}" for m, ps in by.items()]
    mixed = by.map(tuple).nunique() > 1
    text = "Figures are of different kinds (plan, forecast, outturn): " if mixed else "Figures are: "
    return [text + brief.join(parts, what="municipalities") + "."]


def currency(cb: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """One line per municipality whose figures were converted, with the rate actually used."""
    if "fx_rate" not in cb.columns or not len(cb):
        return []
    out = []
    conv = cb[cb["currency"] != "EUR"].dropna(subset=["fx_rate"])
    for (mid, cur, rate, year), part in conv.groupby(["municipality_id", "currency", "fx_rate", "fx_year"]):
        src = _short_source(part["fx_source"].dropna().iloc[0]) if "fx_source" in part.columns and part[
            "fx_source"].notna().any() else "exchange_rates.csv"
        out.append(f"{_name(mid, names)}: {cur} converted at {fmt(rate, 4)} {cur}/EUR ({int(year)} annual mean, {src}).")
    return brief.lines(out, "conversions")


def prices(cb: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """Nominal (current prices) or real (base-year prices, which index) as used."""
    if not len(cb):
        return []
    if "deflator_note" in cb.columns and cb["deflator_note"].notna().any():
        base = int(cb["price_base_year"].dropna().iloc[0]) if "price_base_year" in cb.columns else None
        notes = cb.dropna(subset=["deflator_note"]).groupby("municipality_id")["deflator_note"].agg(
            lambda s: "; ".join(dict.fromkeys(s)))
        parts = [f"{_name(m, names)} {n}" for m, n in notes.items()]
        return [f"Real terms: amounts at {base} prices, deflated with the national price index of each country "
                f"(index in the base year / index in the fiscal year: {brief.join(parts, what='municipalities')}), "
                f"then converted at the "
                f"{base} exchange rate."]
    return ["Nominal terms: current prices of each fiscal year, not adjusted for inflation."]


def population(cb: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """The population figure and year each per-inhabitant value uses (nearest earlier year)."""
    if "population_year" not in cb.columns or not cb["population_year"].notna().any():
        return []
    parts = []
    rows = cb.dropna(subset=["population_year"]).drop_duplicates(["municipality_id", "fiscal_year", "population_year"])
    for rec in rows.sort_values(["municipality_id", "fiscal_year"]).to_dict("records"):
        fy, py = int(rec["fiscal_year"]), int(rec["population_year"])
        date = rec.get("population_date")
        when = str(date) if date and str(date) not in ("nan", "None") else str(py)
        text = f"{_name(rec['municipality_id'], names)} {fy}: {fmt(rec['population'], 0)} inhabitants ({when})"
        if py != fy:
            text += f" — the nearest earlier year, {fy} itself is not in population.csv"
        parts.append(text)
    return ["Per inhabitant: " + brief.join(parts, what="figures") + "."]


def task_split_text(country, admin_type) -> str:
    """The description of an administrative type in its country (`TASK_SPLIT`), or a neutral text."""
    text = TASK_SPLIT.get((str(country), str(admin_type)))
    return text or (f"a {admin_type} in {country}: its tasks are not described in "
                    "data/reference/task_split.csv, so the comparison cannot say what it pays for")


def task_split(municipalities: pd.DataFrame, ids, task_split_table: pd.DataFrame | None = None,
               categories=None) -> list[str]:
    """What each municipality's administrative type (in its country) means for comparing its
    spending; with `task_split_table` (data/reference/task_split.csv) and the `categories` shown,
    also who pays for each of them and who else does."""
    m = municipalities[municipalities["municipality_id"].isin(list(ids))]
    if not len(m):
        return []
    parts = [f"{r['name']} is {task_split_text(r.get('country'), r['admin_type'])}" for r in m.to_dict("records")]
    kinds = m[["country", "admin_type"]].drop_duplicates()
    lead = "Different task split: " if len(kinds) > 1 else "Task split: "
    out = [lead + brief.join(parts, what="municipalities") + "."]
    if task_split_table is not None and categories is not None:
        out += task_split_categories(task_split_table, m, categories)
    return out


def task_split_categories(task_split_table: pd.DataFrame, municipalities: pd.DataFrame, categories) -> list[str]:
    """'Who pays (task_split.csv): 10.5: Landkreis Peine pays partly (Bund ...); ...' for the categories shown."""
    from analysis.compare import scope
    rows = scope.task_split_rows(task_split_table, municipalities, municipalities["municipality_id"], categories)
    if not len(rows):
        return []
    parts = []
    for cat, part in rows.groupby("category", sort=True):
        who = [f"{r['name']} {RESPONSIBILITY_WORDS.get(r['responsibility'], r['responsibility'])}"
               f" ({r['who_else']})" for r in part.to_dict("records")]
        parts.append(f"{cat}: " + brief.join(who, what="municipalities"))
    return ["Who pays for each category (data/reference/task_split.csv, sources on the methods page): "
            + " | ".join(parts) + "."]


def categories(cb: pd.DataFrame) -> list[str]:
    """Judgement calls in the category map and items without a category."""
    out = []
    items = cb[cb["level"].isin(["product", "line"])] if "level" in cb.columns else cb
    if "category_judgement" in items.columns:
        j = items[flag(items["category_judgement"])]
        if len(j):
            n = j[["municipality_id", "item_code", "item_name"]].drop_duplicates().shape[0]
            out.append(f"{n} items are assigned to a category by judgement (e.g. day care, active labour-market "
                       "measures, administration): see data/reference/category_map.csv.")
    if "category" in items.columns:
        u = items[items["category"].isna()]
        if "category_rule" in u.columns:  # economic-type lines of an area total: not items of their own
            u = u[~u["category_rule"].astype(object).fillna("").astype(str).str.startswith("breakdown")]
        if len(u):
            n = u[["municipality_id", "item_code", "item_name"]].drop_duplicates().shape[0]
            out.append(f"{n} items have no category and are left out of category totals "
                       "(listed in data/processed/unassigned_items.csv).")
    return out


def budget(cb: pd.DataFrame, municipalities: pd.DataFrame, what: str = "all") -> list[str]:
    """All caveats for comparable budget rows `cb` (the rows behind one figure or table).

    what='all' adds the task split and category notes; 'money' only years, phases, prices,
    currency and population.
    """
    names = _names(municipalities)
    items = left_out(cb, municipalities) + fiscal_years(cb, names) + phases(cb, names) + prices(cb, names) \
        + currency(cb, names) + population(cb, names)
    if what == "all":
        items += task_split(municipalities, cb["municipality_id"].unique()) + categories(cb)
    items += marked(cb)
    return items


def marked(rows: pd.DataFrame) -> list[str]:
    """The corrected and flagged figures among `rows` (budget or indicator rows, or tables that
    carry `correction_note` / `flag_note`)."""
    out = []
    for col, lead in (("correction_note", "Corrected figures in this selection"),
                      ("flag_note", "Flagged figures in this selection (kept as printed, marked in the charts)")):
        if col in rows.columns and rows[col].notna().any():
            texts = spending.join_notes(rows[col].astype(object).str.split(r" \| ").explode())
            out.append(f"{lead}: {texts.replace(' | ', '; ')}.")
    return out


def left_out(cb: pd.DataFrame, municipalities=None) -> list[str]:
    """Who is left out of the figures for want of a reference figure (population, exchange rate,
    price index), with the reference row that would add them (``attrs['left_out']`` of
    `harmonise.comparable(..., missing='leave_out')`). One sentence per municipality and figure."""
    entries = list(getattr(cb, "attrs", {}).get("left_out", []))
    if not entries:
        return []
    names = _names(municipalities)
    codes = {}
    if isinstance(municipalities, pd.DataFrame) and "official_code" in municipalities.columns:
        codes = {m: c for m, c in zip(municipalities["municipality_id"], municipalities["official_code"])
                 if isinstance(c, str) and c and c != "nan"}
    grouped: dict[tuple, list[dict]] = {}
    for e in entries:
        grouped.setdefault((e["municipality_id"], e["what"]), []).append(e)
    out = []
    per_what: dict[str, list[str]] = {}
    for mid, what in grouped:
        per_what.setdefault(what, []).append(mid)
    for what, mids in per_what.items():  # many left out for the same figure: one sentence
        if len(mids) > brief.LIMIT:
            es = [e for m in mids for e in grouped[(m, what)]]
            years = sorted({int(e["fiscal_year"]) for e in es})
            out.append(f"{len(mids)} municipalities are left out of the {LEFT_OUT_OF.get(what, 'figures')} "
                       f"({', '.join(map(str, years))}): {es[0]['file']} has no {what} for them ("
                       + brief.names([_name(m, names) for m in mids], where="") + "). To add one: a row as "
                       f"`{es[0]['add']}` for each municipality and year.")
            for m in mids:
                del grouped[(m, what)]
    for (mid, what), es in grouped.items():
        years = sorted({int(e["fiscal_year"]) for e in es})
        add = es[0]["add"]
        if len(years) > 1:
            add = add.replace(f"year={es[0]['fiscal_year']}", "year=<year>") + f" for each of {', '.join(map(str, years))}"
        if mid in codes and "official_code" not in add:
            add = add.replace(f"municipality_id={mid},", f"municipality_id={mid}, official_code={codes[mid]},")
        rows = add.split(" for each of ")
        add = f"`{rows[0]}`" + (f" for each of {rows[1]}" if len(rows) > 1 else "")
        out.append(f"{_name(mid, names)} is left out of the {LEFT_OUT_OF.get(what, 'figures')} "
                   f"({', '.join(map(str, years))}): {es[0]['file']} has no {what} for it. To add it: {add}.")
    return out


def category_left_out(cb: pd.DataFrame, comp: pd.DataFrame, municipalities: pd.DataFrame,
                      fiscal_year: int | None = None, phase: str | None = None) -> list[str]:
    """Which municipalities with budget rows are missing from a category comparison `comp`, and why
    (no itemised rows, no item with a category in its scheme, no figures for the year and phase
    chosen)."""
    if not len(cb):
        return []
    names = _names(municipalities)
    schemes = dict(zip(municipalities["municipality_id"], municipalities["scheme"])) \
        if "scheme" in municipalities.columns else {}
    shown = set(comp["municipality_id"]) if len(comp) else set()
    out = []
    for mid, part in cb.groupby("municipality_id", sort=True):
        if mid in shown:
            continue
        items = part[part["level"].isin(["product", "line"])]
        if not len(items):
            why = "its document gives no itemised figures, only totals"
        elif items["category"].isna().all():
            scheme = schemes.get(mid)
            scheme = scheme if isinstance(scheme, str) and scheme and scheme != "nan" else "its scheme"
            why = (f"none of its {items[['item_code', 'item_name']].drop_duplicates().shape[0]} items has a category in "
                   f"{scheme} (data/processed/unassigned_items.csv lists them; add category_map.csv rows)")
        elif fiscal_year is not None or phase:
            choice = " ".join(x for x in (str(fiscal_year) if fiscal_year is not None else "",
                                          PHASE_WORDS.get(phase, phase or "")) if x)
            why = f"it has no categorised figures for {choice}"
        else:
            why = "its categorised items have no net figure"
        out.append(f"{_name(mid, names)} is not in this category comparison: {why}.")
    return brief.lines(out)


def one_sided(comp: pd.DataFrame, names: dict[str, str] | None = None) -> list[str]:
    """Items whose net is their expenditure (or -revenue) because their document lists no revenue
    (expenditure) rows for them, and items whose net is unknown (`spending.composition`)."""
    out = []
    if not len(comp) or "one_sided_items" not in comp.columns:
        return out
    by = comp.groupby("municipality_id")[["one_sided_items", "unknown_net_items"]].sum()
    parts = [f"{_name(m, names)} {int(r['one_sided_items'])}" for m, r in by.iterrows() if r["one_sided_items"]]
    if parts:
        out.append("Net of items with expenditure but no revenue rows (or the other way round) in a document that "
                   "lists revenue (expenditure) for its other items is their expenditure (minus their revenue): the "
                   "document's own rows are the evidence (" + brief.join(parts, what="municipalities") + " items).")
    parts = [f"{_name(m, names)} {int(r['unknown_net_items'])}" for m, r in by.iterrows() if r["unknown_net_items"]]
    if parts:
        out.append("Net is unknown for items whose document gives only one side (expenditure or revenue) for all "
                   "items; they are not in the category values (" + brief.join(parts, what="municipalities")
                   + " items).")
    return out


def goals(goals_df: pd.DataFrame, municipalities: pd.DataFrame) -> list[str]:
    """Caveats for goal tables: how goals were coded, what results are, computed achievement."""
    names = _names(municipalities)
    out = []
    if not len(goals_df):
        return ["No goals are coded for this selection."]
    curated = goals_df[goals_df["source_ref"].notna()]
    docs = curated.groupby("municipality_id")["document_id"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    out.append("Goals come from different kinds of documents and years (" +
               brief.join([f"{_name(m, names)}: {d}" for m, d in docs.items()], what="municipalities") +
               "); goals stated in prose were coded by hand (data/curated/goals/README.md).")
    res = goals_df.dropna(subset=["result_phase"])
    if len(res):
        by = res.groupby("municipality_id")["result_phase"].agg(lambda s: ", ".join(PHASE_WORDS.get(p, p)
                                                                                   for p in dict.fromkeys(s)))
        out.append("Results are: " + brief.join([f"{_name(m, names)} {p}" for m, p in by.items()],
                                                 what="municipalities") + ".")
    out.append("Achievement is computed from target and result in the goal's direction (100 % = target met); "
               "the degree of achievement the document prints is shown next to it where there is one. Where the "
               "printed degree contradicts target and result (by more than one point) the status is "
               "'contradiction': neither met nor missed. A near miss is a missed goal at 95 % of its target or more.")
    n = int((goals_df["status"] == "contradiction").sum()) if "status" in goals_df.columns else 0
    if n:
        out.append(f"{n} goals have status 'contradiction' (printed degree against computed: see the table "
                   "'Printed achievement contradicts target and result').")
    out += marked(goals_df)
    return out


def indicators(ind: pd.DataFrame, municipalities: pd.DataFrame, rates: pd.DataFrame | None = None) -> list[str]:
    """Caveats for indicator tables: years, phases and the population behind rates per 1,000."""
    names = _names(municipalities)
    out = fiscal_years(ind, names) + phases(ind, names)
    if rates is not None and "population_year" in rates.columns and rates["population_year"].notna().any():
        out += population(rates, names)
        out.append("Rates per 1,000 inhabitants divide by the whole population; the target group "
                   "(e.g. children aged 0-5) would be the better denominator where the source gives it.")
    return out


def subset(rows: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """The rows behind a table: those of the municipalities, fiscal years and phases it shows."""
    keys = [k for k in ("municipality_id", "fiscal_year", "phase") if k in rows.columns and k in shown.columns]
    if not keys or not len(shown):
        out = rows.iloc[0:0]
    else:
        want = list(set(map(tuple, shown[keys].dropna().astype(str).itertuples(index=False))))
        have = pd.MultiIndex.from_frame(rows[keys].astype(str))  # whole columns, not a tuple per row
        out = rows[have.isin(want)]
    out.attrs = dict(rows.attrs)  # who was left out of `rows` stays known (left_out)
    return out


def quality(q: pd.DataFrame, municipalities: pd.DataFrame, ids) -> list[str]:
    """How often the documents behind the figures contradict themselves (quality.csv)."""
    names = _names(municipalities)
    q = q[q["municipality_id"].isin(list(ids))]
    bad = q[q["status"].isin(["contradiction", "fail"])]
    if not len(bad):
        return []
    parts = [f"{_name(m, names)} {n}" for m, n in bad.groupby("municipality_id").size().items()]
    out = ["The documents contradict themselves or fail a check in places (" + brief.join(parts, what="municipalities") +
           " quality checks): figures are shown as printed, except where the document itself settles the "
           "figure (corrected, see below); the methods page lists each case."]
    return out + corrections(q, municipalities, ids)


def corrections(q: pd.DataFrame, municipalities: pd.DataFrame, ids) -> list[str]:
    """One line naming the corrections (quality status `corrected`) and flags of these municipalities."""
    names = _names(municipalities)
    q = q[q["municipality_id"].isin(list(ids))]
    out = []
    for status, what in (("corrected", "Corrected where the document settles the figure itself"),):
        rows = q[q["status"] == status]
        if len(rows):
            items = [f"{_name(r['municipality_id'], names)} {r['source_ref']}: printed {r['found']}, settled "
                     f"{r['expected']}" for r in rows.to_dict("records")]
            out.append(f"{what} (data/curated/corrections.yml; printed figure kept in *_as_printed): "
                       + brief.join(items, what="corrections") + ".")
    if "check" not in q.columns:
        return out
    flags = q[(q["status"] == "warning") & q["check"].astype(str).str.startswith("flag:")]
    if len(flags):
        out.append("Flagged as doubtful and kept as printed (the document does not settle them): "
                   + brief.join([f"{_name(r['municipality_id'], names)} {r['source_ref']}"
                                 for r in flags.to_dict("records")], what="flags")
                   + ".")
    return out


def markdown(items: list[str], title: str = "Caveats") -> str:
    """A bullet list in Markdown (empty string when there is nothing to say); every item is
    plain text and escaped, so markup in the data shows as text."""
    items = [i for i in dict.fromkeys(items) if i]
    if not items:
        return ""
    return f"**{markdown_text(title)}**\n\n" + "\n".join(f"- {markdown_text(i)}" for i in items)


def scope(cb_total: pd.DataFrame, level: str, cofog: pd.DataFrame | None, names: dict[str, str] | None = None,
          municipalities: pd.DataFrame | None = None) -> list[str]:
    """How much of each document's total net the categorised items cover (same year and phase).

    `cb_total` are comparable rows with per='total' (all levels). A composition covering only part
    of a document's total (e.g. a product report on some budget areas of a department) is not
    comparable with one covering all of it; the caveat says so with the figures.
    """
    if municipalities is not None:
        names = names or _names(municipalities)
    comp = spending.composition(cb_total, level, cofog)
    tot = spending.totals(cb_total)
    if not len(comp) or not len(tot):
        return []
    covered = comp.groupby(["municipality_id", "fiscal_year", "phase"])["value"].sum().rename("covered")
    merged = tot.merge(covered.reset_index(), on=["municipality_id", "fiscal_year", "phase"], how="inner")
    parts = []
    for rec in merged.to_dict("records"):
        net, cov = rec["net"], rec["covered"]
        if net != net or not net:
            continue
        share = 100.0 * cov / net
        text = (f"{_name(rec['municipality_id'], names)} {rec['fiscal_year']} ({PHASE_WORDS.get(rec['phase'], rec['phase'])}): "
                f"categorised items {fmt(cov / 1e6, 1)} Mio. EUR net = {fmt(share, 0)} % of the "
                f"document's total net {fmt(net / 1e6, 1)} Mio. EUR ({rec['item_name']})")
        parts.append(text)
    if not parts:
        return []
    return ["Scope: the category figures cover only the itemised part of each document's total; where the "
            "share is well below 100 % the rest is not itemised in the source (e.g. budget areas reported "
            "elsewhere) and the municipalities are not comparable in level: " + brief.join(parts, what="figures")
            + "."]


# --- chart titles: year, phase, price basis and scope in every chart's subtitle ------------------

def _years(values) -> str:
    ys = sorted({int(v) for v in pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").dropna()})
    if not ys:
        return ""
    return f"{ys[0]}-{ys[-1]}" if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)) else ", ".join(map(str, ys))


def chart_context(df: pd.DataFrame, names: dict[str, str] | None = None, year: str = "fiscal_year",
                  phase: str | None = "phase", unit: str | None = "unit", extra: list[str] | None = None,
                  no_phase: str = "no phase given") -> list[str]:
    """Subtitle lines for a chart of `df`: per municipality its fiscal year(s) and phase(s)
    ('Aalborg Kommune 2014 actual outturn; Landkreis Peine 2024 forecast'), the unit (price
    basis, per inhabitant) and `extra` lines (e.g. the scope)."""
    lines = []
    if len(df) and "municipality_id" in df.columns and year in df.columns:
        parts = []
        for mid, part in df.groupby("municipality_id", sort=True):
            ys = _years(part[year]) or "year not stated"
            ps = [] if phase is None or phase not in part.columns else \
                list(dict.fromkeys(PHASE_WORDS.get(p, p) for p in part[phase].dropna().astype(str) if p))
            parts.append(f"{_name(mid, names)} {ys} {', '.join(ps) or no_phase}".strip())
        lines.append(brief.join(parts, what="municipalities"))
    if unit and unit in df.columns:
        units = [u for u in dict.fromkeys(df[unit].dropna().astype(str)) if u]
        if units:
            lines.append(" / ".join(units))
    if "scope" in df.columns and df["scope"].notna().any():
        scopes = df.dropna(subset=["scope"]).drop_duplicates("municipality_id")
        lines.append("Scope: " + brief.join([f"{_name(m, names)}: {s}" for m, s in
                                             zip(scopes["municipality_id"], scopes["scope"])], what="municipalities"))
    return lines + [e for e in (extra or []) if e]


def goal_context(goals_df: pd.DataFrame, documents: pd.DataFrame | None = None,
                 names: dict[str, str] | None = None) -> list[str]:
    """Subtitle line for goal charts: per municipality the target years (else the document's
    year) and the phase of the results ('Landkreis Peine 2024, results forecast')."""
    if not len(goals_df):
        return []
    doc_year = {}
    if documents is not None and len(documents):
        doc_year = {d: str(v)[:4] for d, v in zip(documents["document_id"], documents["date"])
                    if isinstance(v, str) and v[:4].isdigit()}
    parts = []
    for mid, part in goals_df.groupby("municipality_id", sort=True):
        ys = _years(part["target_year"]) if "target_year" in part.columns else ""
        if not ys:
            docs = part["document_id"] if "document_id" in part.columns else []
            ys = ", ".join(sorted({doc_year[d] for d in docs if d in doc_year}))
            ys = f"document of {ys}" if ys else "year not stated"
        phases = part["result_phase"] if "result_phase" in part.columns else pd.Series(dtype="object")
        ph = list(dict.fromkeys(PHASE_WORDS.get(p, p) for p in phases.dropna().astype(str)))
        parts.append(f"{_name(mid, names)} {ys}, results: {', '.join(ph) if ph else 'no result given'}")
    return [brief.join(parts, what="municipalities")]
