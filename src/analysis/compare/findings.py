"""What each page found, in a few sentences computed from its tables (never written by hand).

Each function takes the DataFrames a page shows and returns one row per finding:

    topic            what the sentence is about (e.g. 'deviation', 'share met')
    municipality_id  the municipality it is about ('' for all)
    finding          the sentence, numbers in German/Danish format (1.234,5; 12,5 %)
    value, unit      the figure it states (for tests and the overview), where there is one

    spending(coverage, plan_cat, comp, cb, names)
    goals(achievement, goals, missed, names)
    indicators(volumes, timely, rates_cov, names)
    profile(mid, totals, comp, achievement, volumes, names)
    methods(quality, corrections, flags, verified)
    texts(findings)          the sentences as a list

A municipality's share of goals met rests on its measured goals; fewer than MIN_GOALS measured
goals are too few to compare and the sentence says so.
"""
from __future__ import annotations

import pandas as pd

from analysis.compare import brief, goal_analysis, harmonise
from analysis.compare.availability import document_labels
from analysis.compare.scope import NOT_RECORDED
from analysis.contract.missing import text
from analysis.contract.numbers import fmt

COLUMNS = ["topic", "municipality_id", "finding", "value", "unit"]
MIN_GOALS = 5
PHASES = {"original_budget": "original budget", "adjusted_budget": "adjusted budget", "forecast": "forecast",
          "actual": "actual outturn", "actual_to_date": "actual to date"}


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(topic, finding, mid="", value=None, unit=None) -> dict:
    return {"topic": topic, "municipality_id": mid, "finding": finding, "value": value, "unit": unit}


def _name(mid, names) -> str:
    return (names or {}).get(mid, mid)


def short_ref(ref, tokens: int = 4) -> str:
    """A source reference short enough for a sentence: its first `tokens` line numbers or ranges,
    '...' for the rest ('k.csv:2579-2587, 2588-2590, 2657-2672, 2673-2676 (+66 more), 2591-2613'
    -> 'k.csv:2579-2587, 2588-2590, 2657-2672, 2673-2676, ...'); the tables carry the whole one."""
    text = str(ref or "")
    parts = [p.strip() for p in text.replace(" (+", ", (+").split(",")]
    if len(parts) <= tokens:
        return text
    return ", ".join(p for p in parts[:tokens] if not p.startswith("(+")) + ", ..."


def _list(items: list[str]) -> str:
    return brief.names(items)


def signed(value, decimals: int = 1, suffix: str = "") -> str:
    """'+3,1', '-0,4', '0,0' (German format, with the sign)."""
    t = fmt(value, decimals)
    return t + suffix if t.startswith("-") or t.strip("0,.") == "" else "+" + t + suffix


def percent(value, decimals: int = 0) -> str:
    return fmt(value, decimals) + "\u00a0%"


def years(values) -> str:
    ys = sorted({int(v) for v in pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").dropna()})
    if not ys:
        return ""
    return f"{ys[0]}-{ys[-1]}" if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)) else ", ".join(map(str, ys))


def texts(findings: pd.DataFrame) -> list[str]:
    """The sentences of `findings` in order (empty list without findings)."""
    return [] if findings is None or not len(findings) else [str(t) for t in findings["finding"] if str(t)]


# --- spending -----------------------------------------------------------------------------------

def _plan(rows: pd.DataFrame) -> pd.Series:
    adjusted = rows["compared_with"] == "adjusted_budget"
    return rows["adjusted_budget"].where(adjusted, rows["original_budget"])


def plan_deviation(plan_cat: pd.DataFrame) -> pd.DataFrame:
    """Per municipality, in its latest fiscal year with an outturn: the outturn against the plan
    summed over the categories that have both (outturn, plan, deviation, deviation_pct, phases,
    and the category with the largest deviation in percent)."""
    rows = []
    if plan_cat is None or not len(plan_cat):
        return pd.DataFrame(rows)
    d = plan_cat.dropna(subset=["outturn"]).copy()
    d["plan"] = _plan(d)
    d = d.dropna(subset=["plan"])
    for mid, part in d.groupby("municipality_id", sort=True):
        year = int(part["fiscal_year"].max())
        part = part[part["fiscal_year"] == year]
        plan, out = float(part["plan"].sum()), float(part["outturn"].sum())
        dev = out - plan
        pct = 100.0 * dev / abs(plan) if plan else float("nan")
        top = part.dropna(subset=["deviation_pct"])
        top = top.loc[top["deviation_pct"].abs().idxmax()] if len(top) else None
        rows.append({"municipality_id": mid, "fiscal_year": year, "plan": plan, "outturn": out, "deviation": dev,
                     "deviation_pct": pct, "unit": part["unit"].iloc[0],
                     "outturn_phase": "/".join(dict.fromkeys(part["outturn_phase"].dropna())),
                     "compared_with": "/".join(dict.fromkeys(part["compared_with"].dropna())),
                     "categories": len(part),
                     "top_category": None if top is None else " ".join(
                         x for x in (str(top["category"]), text([top.get("category_name_en")])[0]) if x),
                     "top_pct": None if top is None else float(top["deviation_pct"])})
    return pd.DataFrame(rows)


def _phase_words(value: str) -> str:
    return " / ".join(PHASES.get(p, p) for p in str(value).split("/") if p)


def spending(coverage: pd.DataFrame | None, plan_cat: pd.DataFrame | None, comp: pd.DataFrame | None,
             cb: pd.DataFrame | None = None, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Findings of the spending page: who has budget figures, the outturn against plan per
    municipality (and whose deviated most), each municipality's largest category (give `comp` in
    total EUR: shares need no population figure), who is left out for want of a reference figure,
    and the corrected and flagged figures behind the page."""
    rows = []
    dev = plan_deviation(plan_cat)
    if len(dev):
        dev = dev.dropna(subset=["deviation_pct"])
    if len(dev):
        big = dev.loc[dev["deviation_pct"].abs().idxmax()]
        unit = harmonise.short_unit(big["unit"])
        lead = "Largest deviation from plan" if len(dev) > 1 else "Deviation from plan"
        rows.append(_row("deviation", f"{lead}: {_name(big['municipality_id'], names)}, whose "
                         f"{_phase_words(big['outturn_phase'])} {int(big['fiscal_year'])} is "
                         f"{signed(big['deviation_pct'])} % against the {_phase_words(big['compared_with'])} "
                         f"({signed(big['deviation'], 2 if abs(big['deviation']) < 1000 else 0)} {unit}, summed over "
                         f"{int(big['categories'])} categories).",
                         big["municipality_id"], float(big["deviation_pct"]), "%"))
        if len(dev) > brief.LIMIT:  # many municipalities: their spread, not one sentence each
            q = dev["deviation_pct"].quantile([0.25, 0.5, 0.75])
            rows.append(_row("deviation by municipality",
                             f"Deviation from plan across {len(dev)} municipalities: median {signed(q[0.5])} %, the "
                             f"middle half from {signed(q[0.25])} % to {signed(q[0.75])} % (the table 'Plan against "
                             "outturn by category' and its download hold each).", value=float(q[0.5]), unit="%"))
            dev = dev.iloc[0:0]
        for rec in dev.to_dict("records"):
            if len(dev) == 1 and rec["top_category"] is None:
                continue
            others = (f"{_name(rec['municipality_id'], names)} {rec['fiscal_year']}: {_phase_words(rec['outturn_phase'])} "
                      f"{signed(rec['deviation_pct'])} % against the {_phase_words(rec['compared_with'])}")
            if rec["top_category"]:
                others += f", most in {rec['top_category']} ({signed(rec['top_pct'])} %)"
            rows.append(_row("deviation by municipality", others + ".", rec["municipality_id"],
                             float(rec["deviation_pct"]), "%"))
    if comp is not None and len(comp):
        parts = []
        for mid, part in comp.dropna(subset=["share"]).groupby("municipality_id", sort=True):
            top = part.loc[part["share"].idxmax()]
            not_complete = "complete" in part.columns and not bool(top.get("complete"))
            unknown = top.get("coverage") == NOT_RECORDED   # no row in coverage.csv: not known to be partial
            label = " ".join(x for x in (str(top["category"]), text([top.get("category_name_en")])[0]) if x)
            parts.append(f"{_name(mid, names)} {int(top['fiscal_year'])} ({PHASES.get(top['phase'], top['phase'])}): "
                         f"{label} {percent(top['share'])}"
                         + ((" (what the document covers of it is not recorded)" if unknown
                             else " (the document covers it only partly)") if not_complete else ""))
        if parts:
            rows.append(_row("composition", "Largest category of categorised net spending: "
                             + brief.join(parts, what="municipalities") + "."))
    if coverage is not None and len(coverage):
        have = coverage.dropna(subset=["fiscal_year"])
        with_years = [f"{_name(m, names)} {years(p['fiscal_year'])}" for m, p in have.groupby("municipality_id")]
        have_ids = set(have["municipality_id"].unique())
        without = [_name(m, names) for m in coverage["municipality_id"].unique() if m not in have_ids]
        sentence = (("Budget figures: " + brief.join(with_years, what="municipalities") + ".") if with_years
                    else "No budget figures.")
        if without:
            sentence += f" The documents of {_list(without)} give none."
        rows.append(_row("coverage", sentence))
    if cb is not None:
        rows += _left_out(cb, names)
    if cb is not None and len(cb):
        rows += _marks(cb, names)
    return _frame(rows)


def _left_out(cb: pd.DataFrame, names) -> list[dict]:
    """Who is left out of the page's figures for want of a reference figure (the `left_out` entries
    of `harmonise.comparable(..., missing='leave_out')`), one sentence per missing figure."""
    from analysis.compare.caveats import LEFT_OUT_OF
    by_what: dict[str, list[str]] = {}
    for e in getattr(cb, "attrs", {}).get("left_out", []):
        who = by_what.setdefault(e["what"], [])
        if e["municipality_id"] not in who:
            who.append(e["municipality_id"])
    return [_row("left out", f"Left out of the {LEFT_OUT_OF.get(what, 'figures')} (no {what} figure in the reference "
                             f"data): {_list([_name(m, names) for m in sorted(ids)])}; see the notes below the tables.")
            for what, ids in by_what.items()]


def _marks(cb: pd.DataFrame, names) -> list[dict]:
    """Corrected and flagged budget figures (correction_id / flag_id), the largest flagged one."""
    rows = []
    corrected = cb["correction_id"].dropna().unique() if "correction_id" in cb.columns else []
    flagged = cb.dropna(subset=["flag_id"]) if "flag_id" in cb.columns else cb.iloc[0:0]
    if len(corrected) or len(flagged):
        sentence = f"{len(corrected)} figures are corrected where the document settles them itself"
        if len(flagged):
            amount = flagged.dropna(subset=["amount"])
            sentence += f"; {flagged['flag_id'].nunique()} are flagged as doubtful and kept as printed"
            if len(amount):
                top = amount.loc[amount["amount"].abs().idxmax()]
                sentence += (f", the largest {fmt(top['amount'], 0)} {top['currency']} "
                             f"({_name(top['municipality_id'], names)} {top['fiscal_year']}, {top['item_name']}, "
                             f"{top['source_ref']})")
        rows.append(_row("marks", sentence + " (methods page).", value=float(len(corrected))))
    return rows


# --- goals --------------------------------------------------------------------------------------

def goals(achievement: pd.DataFrame, goals_df: pd.DataFrame, missed: pd.DataFrame | None = None,
          names: dict[str, str] | None = None) -> pd.DataFrame:
    """Findings of the goals page: the share of measured goals met per municipality (with a
    warning where fewer than MIN_GOALS are measured), goals whose printed degree contradicts their
    figures, the clearest miss, and how many goals have no target, are not measured yet or pending."""
    rows = []
    if achievement is not None and len(achievement):
        parts, none_measured = [], []
        for rec in achievement.to_dict("records"):
            mid = rec["municipality_id"]
            n = rec.get("measured")
            if n != n or n is None:
                continue  # no goals coded
            if not n:
                none_measured.append(_name(mid, names))
                continue
            share = 100.0 * rec["met"] / n
            few = n < MIN_GOALS
            parts.append(f"{_name(mid, names)} {percent(share)} ({int(rec['met'])} of {int(n)}"
                         + (f"; fewer than {MIN_GOALS} measured goals: too few to compare)" if few else ")"))
        if parts:
            rows.append(_row("share met", "Share of measured goals met: " + brief.join(parts, what="municipalities")
                             + "."))
        if none_measured:
            rows.append(_row("share met", f"No goal of {_list(none_measured)} is measured yet."))
    if goals_df is not None and len(goals_df):
        contra = goals_df[goals_df["status"] == "contradiction"]
        if len(contra):
            who = _list([f"{_name(m, names)} {len(p)}" for m, p in contra.groupby("municipality_id")])
            rows.append(_row("contradiction", f"{len(contra)} goals print a degree of achievement that contradicts "
                             f"their own target and result ({who}); they count neither as met nor as missed.",
                             value=float(len(contra))))
        counts = goals_df["status"].value_counts()
        parts = [f"{int(counts[s])} {goal_analysis.STATUS_LABELS[s]}" for s in ("no_target", "not_measured", "pending")
                 if counts.get(s, 0)]
        if parts:
            rows.append(_row("not assessed", f"Of {len(goals_df)} goals, " + _list(parts) + "."))
    if missed is not None and len(missed) and missed["achievement_pct"].notna().any():
        m = missed.dropna(subset=["achievement_pct"])
        top = m.loc[m["achievement_pct"].idxmin()]
        label = " ".join(x for x in (text([top["item_code"]])[0], text([top.get("item_name")])[0]) if x)
        goal = text([top["goal_en"]])[0] or text([top["goal"]])[0]
        rows.append(_row("clearest miss", f"The clearest miss: {_name(top['municipality_id'], names)}"
                         f"{', ' + label if label else ''}: {goal}: {fmt(top['result'], None)} against a target of "
                         f"{fmt(top['target'], None)} ({percent(top['achievement_pct'])} of the target).",
                         top["municipality_id"], float(top["achievement_pct"]), "%"))
    return _frame(rows)


# --- indicators ---------------------------------------------------------------------------------

def indicator_label(rec: dict) -> str:
    """'3126 Leistungen für Bildung und Teilhabe: cases' (the budget item's name, then the indicator)."""
    code = text([rec.get("item_code")])[0]
    code = code if code.isdigit() else ""
    item = text([rec.get("item_name")])[0]
    ind = text([rec.get("indicator_en")])[0] or text([rec.get("indicator")])[0]
    head = " ".join(x for x in (code, item) if x)
    return f"{head}: {ind}" if head else ind


def indicators(volumes: pd.DataFrame | None, timely: pd.DataFrame | None = None,
               rates_cov: pd.DataFrame | None = None, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Findings of the indicators page: per municipality the largest relative deviation of a
    realised volume from plan, the deadline targets met, and the coverage rates against plan."""
    rows = []
    if volumes is not None and len(volumes):
        v = volumes.dropna(subset=["deviation_pct"])
        flagged = text(v["flag_note"]) != "" if "flag_note" in v.columns else pd.Series(False, index=v.index)
        flagged.index = v.index
        parts = []
        for mid, part in v[~flagged].groupby("municipality_id", sort=True):
            top = part.loc[part["deviation_pct"].abs().idxmax()].to_dict()
            parts.append(f"{_name(mid, names)} {int(top['fiscal_year'])}, {indicator_label(top)}: "
                         f"{PHASES.get(top['realised_phase'], top['realised_phase'])} {fmt(top['realised'], None)} "
                         f"against {fmt(top['planned'], None)} planned ({signed(top['deviation_pct'])} %)")
        if parts:
            rows.append(_row("volumes", "Largest deviation of a realised volume from plan: "
                             + brief.join(parts, what="municipalities") + "."))
        if flagged.any():
            f = v[flagged]
            top = f.loc[f["deviation_pct"].abs().idxmax()].to_dict()
            rows.append(_row("flagged", f"The largest flagged figure, kept as printed and drawn off scale: "
                             f"{_name(top['municipality_id'], names)} {indicator_label(top)}, "
                             f"{PHASES.get(top['realised_phase'], top['realised_phase'])} {fmt(top['realised'], None)} "
                             f"against {fmt(top['planned'], None)} planned ({signed(top['deviation_pct'])} %).",
                             top["municipality_id"], float(top["deviation_pct"]), "%"))
        n_plan = int(volumes["planned"].notna().sum())
        n_both = len(v)
        rows.append(_row("volumes", f"{n_both} of {len(volumes)} indicators have both a planned and a realised "
                         f"figure ({n_plan} a planned one).", value=float(n_both)))
    if timely is not None and len(timely):
        t = timely.dropna(subset=["target", "result"])
        if len(t):
            met = int((t["result"] >= t["target"]).sum())
            who = [f"{_name(m, names)} {int((part['result'] >= part['target']).sum())} of {len(part)}"
                   for m, part in t.groupby("municipality_id")]
            rows.append(_row("timeliness", f"Deadline targets: {met} of {len(t)} met ({_list(who)}).", value=float(met)))
    if rates_cov is not None and len(rates_cov):
        c = rates_cov.dropna(subset=["planned", "realised"])
        if len(c):
            above = int((c["realised"] >= c["planned"]).sum())
            rows.append(_row("coverage rates", f"Coverage rates: {above} of {len(c)} at or above plan "
                             f"(deviations from {signed(c['deviation'].min())} to {signed(c['deviation'].max())} "
                             "percentage points).", value=float(above)))
    return _frame(rows)


# --- one municipality ---------------------------------------------------------------------------

def profile(mid: str, totals: pd.DataFrame | None, comp: pd.DataFrame | None, achievement: pd.DataFrame | None,
            volumes: pd.DataFrame | None, names: dict[str, str] | None = None,
            documents: pd.DataFrame | None = None, goals_none: bool = False) -> pd.DataFrame:
    """Findings of a municipality's profile: its documents, the latest grand total, its largest
    category, the share of its measured goals met (warning under MIN_GOALS; `goals_none`: it has
    no goals coded) and its indicators."""
    rows = []
    name = _name(mid, names)
    t = totals.dropna(subset=["fiscal_year"]) if totals is not None and len(totals) else None
    if t is not None and len(t):
        latest = t[t["fiscal_year"] == t["fiscal_year"].max()]
        rec = latest.iloc[-1]
        net = rec["net_amount"]
        rows.append(_row("total", f"Latest grand total: {rec['item_name']} {int(rec['fiscal_year'])} "
                         f"({PHASES.get(rec['phase'], rec['phase'])}): net {fmt(net, 0)} {rec['currency']} as printed "
                         f"({short_ref(rec['source_ref'])}).", mid, float(net) if net == net else None, rec["currency"]))
    else:
        rows.append(_row("total", f"The documents of {name} give no budget figures.", mid))
    if comp is not None and len(comp) and comp["share"].notna().any():
        top = comp.loc[comp["share"].idxmax()]
        label = " ".join(x for x in (str(top["category"]), text([top.get("category_name_en")])[0]) if x)
        rows.append(_row("composition", f"Largest category: {label}, "
                         f"{percent(top['share'])} of the categorised net spending ({int(top['fiscal_year'])}, "
                         f"{PHASES.get(top['phase'], top['phase'])}).", mid, float(top["share"]), "%"))
    if achievement is not None and len(achievement):
        rec = achievement[achievement["municipality_id"] == mid]
        if len(rec) and rec["measured"].notna().all():
            rec = rec.iloc[0]
            n, met = rec["measured"], rec["met"]
            goals_n = int(rec[[s for s in goal_analysis.STATUS_LABELS if s in rec.index]].sum())
            if n:
                few = f" (fewer than {MIN_GOALS} measured goals: too few to compare)" if n < MIN_GOALS else ""
                rows.append(_row("share met", f"Goals: {int(met)} of {int(n)} measured goals met "
                                 f"({percent(100.0 * met / n)}){few}; {goals_n} goals coded.", mid,
                                 100.0 * met / n, "%"))
            else:
                rows.append(_row("share met", f"Goals: {goals_n} coded, none measured yet.", mid))
        else:
            rows.append(_row("share met", f"No goals coded for {name}.", mid))
    elif achievement is not None or goals_none:
        rows.append(_row("share met", f"No goals coded for {name}.", mid))
    if volumes is not None and len(volumes):
        rows += [dict(r, municipality_id=mid) for r in indicators(volumes, names=names).to_dict("records")[:1]]
    if documents is not None and len(documents):  # last: the overview shows a page's first findings
        docs = documents[documents["municipality_id"] == mid] if "municipality_id" in documents.columns else documents
        labels = document_labels(docs)
        refs = [labels[d] for d in docs["document_id"]] if "document_id" in docs.columns else []
        if refs:
            rows.append(_row("documents", f"{len(refs)} document{'s' if len(refs) > 1 else ''}: " + "; ".join(refs)
                             + ".", mid))
    return _frame(rows)


# --- methods ------------------------------------------------------------------------------------

def methods(quality: pd.DataFrame | None, corrections: pd.DataFrame | None = None,
            flags: pd.DataFrame | None = None, verified: dict | None = None) -> pd.DataFrame:
    """Findings of the methods page: the checks of the documents against themselves by result,
    the corrections and flags, and the figures found on the line they cite."""
    rows = []
    if verified:
        rows.append(_row("verified", verification_sentence(verified), value=verified.get("share_found"), unit="%"))
    if quality is not None and len(quality):
        counts = quality["status"].value_counts()
        n = len(quality)
        parts = [f"{fmt(counts[s], 0)} {s}" for s in ("pass", "contradiction", "corrected", "fail", "warning", "info")
                 if counts.get(s, 0)]
        rows.append(_row("checks", f"{fmt(n, 0)} checks of the documents against themselves: " + _list(parts)
                         + f" ({percent(100.0 * counts.get('pass', 0) / n)} pass).", value=float(n)))
        contra = quality[quality["status"] == "contradiction"]
        if len(contra):
            who = _list([f"{d} {len(p)}" for d, p in contra.groupby("document_id")])
            rows.append(_row("contradictions", f"{len(contra)} contradictions, where a document disagrees with itself "
                             f"({who}): shown as printed.", value=float(len(contra))))
    if corrections is not None and len(corrections):
        rows.append(_row("corrections", f"{len(corrections)} misprints are corrected where the document settles the "
                         "figure itself; the printed figure is kept next to it.", value=float(len(corrections))))
    if flags is not None and len(flags):
        rows.append(_row("flags", f"{len(flags)} doubtful figures are flagged and kept as printed.",
                         value=float(len(flags))))
    return _frame(rows)


def verification_sentence(v: dict) -> str:
    """'2.071 of 2.079 figures (99,6 %) are found on the document line they cite; 6 are corrected ...'."""
    text_ = (f"{fmt(v['found'], 0)} of {fmt(v['figures'], 0)} figures ({fmt(v['share_found'], 1)}\u00a0%) are found as "
             "printed on the document line they cite")
    rest = [f"{fmt(v[k], 0)} {w}" for k, w in (("corrected", "are corrected (settled by other lines)"),
                                              ("not_found", "are not found there"),
                                              ("no_line", "cite a table row, not a document line")) if v.get(k)]
    return text_ + ("; " + "; ".join(rest) if rest else "") + "."
