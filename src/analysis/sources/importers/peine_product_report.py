"""Importer for the Peine product report 2024 (Informationsvorlage 2024/143, data/raw/peine_produktbericht_2024-06.txt).

What it reads (line numbers of the stored file):
- the product table "Produktbericht zum Ergebnishaushalt 2024" (lines 274-339; header repeated
  at 277, 306, 332): per product Plan / Prognose / Abweichung / Tendenz, a volume indicator and an
  operational goal; four area subtotal rows ('Dezernatsleitung III:', 'Budget "Soziales":', ...);
- five unnamed monthly Erträge/Aufwendungen tables (lines 95-261), each followed by a
  'Prognose Produktbudget' block (plan, forecast, deviation); see `peine_tables`;
- the narrative (lines 25-77): rounded deviations and goal forecasts, checked against the tables.

Conventions:
- Budget amounts: the report prints net budgets with costs negative; rows carry net = −printed
  (positive = the county pays), so 3111 Plan −3.932.200 becomes 3,932,200 and the revenue product
  3110 (+9.700.000) becomes −9,700,000. Monthly-table amounts are kept as printed (expenditure and
  revenue positive; negative months are corrections). Abweichung is derived and only checked.
- Trend markers (Tendenz) are kept as printed in `trend` on the forecast row: 😊 favourable,
  👎 unfavourable, 👉 neutral / under observation (our reading; the report has no legend).
- Area codes are the Teilbudget numbers: line 27 lists Teilbudgets 30, 32, 33 and 35; lines 31, 51
  and 63 name FD 32 Soziales, FD 33 Jobcenter (the table's 'Arbeit'; title line 19 'Arbeit
  (Jobcenter)') and FD 35 Gesundheitsamt; the Dezernatsleitung is therefore 30. The whole
  Dezernat (Teilhaushalt/Budget 3, line 25) is code '3'.
- Monthly tables are assigned by reconciliation, not position: Erträge − Aufwendungen (Plan and
  Prognose) must equal the table's own forecast block and exactly one area subtotal of the product
  table. The one table left over is the Dezernat III total when it contains the other tables
  (larger expenditure); anything else raises InputError.
- Goal perspectives use the frame client / staff / economic / legal / process_quality: 'client' for
  the timeliness of decisions and services for citizens, 'economic' for spending goals, 'legal' for
  statutory supervision duties, 'process_quality' for internal processing times (invoices, grants).
  Achievement = result/target (higher_is_better) or target/result (lower_is_better), in percent,
  unrounded; status compares result with target in the goal's direction, and is `contradiction`
  where the printed degree of achievement disagrees with target and forecast by more than one
  point (31198: 140 % printed, 70 % computed).
- The Dezernat III total's net plan and forecast are stored from its 'Prognose Produktbudget'
  block (lines 268-269, level total); its deviation (line 270) is checked against them.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from analysis.contract.achievement import percent
from analysis.contract.errors import InputError
from analysis.sources.importers import ImportResult
from analysis.sources.importers.peine_tables import (
    Ctx,
    budget_rows,
    fmt,
    number,
    parse_monthly_tables,
    read_lines,
    table_checks,
)

FISCAL_YEAR = 2024
TITLE = "Produktbericht zum Ergebnishaushalt 2024"


@dataclass(frozen=True)
class Area:
    code: str
    org_unit: str
    name_en: str
    subtotal: str | None       # label of the subtotal row in the product table
    narrative: str             # the bold subject that opens its narrative paragraph


AREAS = [
    Area("30", "Dezernatsleitung III", "Head of Department III (incl. education office)",
         "Dezernatsleitung III:", "**Dezernatsleitung**"),
    Area("32", "FD 32 Soziales", "Social affairs (FD 32)", 'Budget "Soziales":', "**FD 32 „Soziales“**"),
    Area("33", "FD 33 Arbeit (Jobcenter)", "Employment / Jobcenter (FD 33)", 'Budget "Arbeit":',
         "**FD 33 „Jobcenter“**"),
    Area("35", "FD 35 Gesundheitsamt", "Public health office (FD 35)", 'Budget "Gesundheitsamt":',
         "**FD 35 „Gesundheitsamt“**"),
]
TOTAL = Area("3", "Dezernat III (Soziales, Jugend und Gesundheit)",
             "Department III (social affairs, youth and health), Teilhaushalt 3", None,
             "**Dezernat Soziales, Jugend und Gesundheit**")

# product table columns (0-based cell index -> name used in errors)
PCOLS = ["Nr.", "Bezeichnung", "Plan", "Prognose Jahresergebnis", "Abweichung", "Tendenz", "Indikator",
         "Indikator Plan", "Indikator Prognose", "Produktziel", "Messgröße", "Ziel Plan", "Ziel Prognose",
         "Zielerreichungsgrad", "Ziel Abweichung"]
HEADER = ["nr.", "bezeichnung", "plan", "prognosejahresergebnis", "abweichung", "tendenz", "indikator", "plan",
          "prognosejahresergebnis", "definiertesoperationalesproduktziel", "messgröße", "plan",
          "prognosejahresergebnis", "zielerreichungsgrad", "abweichung"]
TREND = {"😊": "favourable", "👎": "unfavourable", "👉": "neutral / under observation"}

PRODUCT_EN = {
    "11115": "Head of Department III", "27104": "Education office",
    "3110": "State compensation payments for SGB XII benefits", "3111": "Subsistence assistance (SGB XII)",
    "3112": "Long-term care assistance (until 2016)", "3113": "Integration assistance for disabled people",
    "3114": "Health assistance",
    "3115": "Assistance to overcome particular social difficulties and in other circumstances",
    "3116": "Basic income support in old age and for reduced earning capacity",
    "3117": "Payments under the quota system",
    "3118": "Long-term care assistance (Care Strengthening Act, from 2017)",
    "31192": "Social assistance administration", "31195": "Care home supervision",
    "3130": "Benefits under the Asylum Seekers' Benefits Act",
    "314": "Integration assistance under the Federal Participation Act (SGB IX)",
    "3151": "Work with older people", "31520": "Social facilities for people in need of care",
    "31521": "Care support centre", "3153": "Social facilities for people with disabilities",
    "3155": "Social facilities for foreigners", "3156": "Other social facilities",
    "3210": "Benefits under the Federal War Victims Relief Act (BVG)",
    "3440": "Benefits under the rehabilitation acts", "3450": "State blind allowance", "3460": "Housing allowance",
    "3470": "Education and participation under § 6b Federal Child Benefit Act",
    "3511": "Health care under §§ 276 and 276a Equalisation of Burdens Act (local authority)",
    "35170": "Other social affairs", "3518": "Social insurance affairs", "31198": "Migration affairs",
    "3121": "Housing and heating costs (SGB II)", "3122": "Municipal integration services (SGB II)",
    "3123": "One-off benefits (SGB II)", "3124": "Unemployment benefit II",
    "3125": "Integration services of the opting-out municipality",
    "3126": "Education and participation under § 28 SGB II, administration",
    "3129": "Unemployment benefit II (administration)",  # the table prints "Arbeitslosengeld II"; line 61: "Verwaltung"
    "41201": "Social-psychiatric support",
    "41401": "Public health medical service and medical supervision",  # printed 'Arztärztl.', a misprint of 'Amtsärztl.'
    "41402": "Infection control and hygiene monitoring", "41403": "Psychosocial support",
    "41404": "Health promotion and prevention", "41405": "Midwife coordination centre",
}
# indicator label (normalised) -> (English, unit)
INDICATORS = {
    "fälle": ("cases", "cases"),
    "bedarfsgemeinschaften": ("communities of need (SGB II benefit units)", "communities of need"),
    "stunden schuldnerberatung, suchtberatung, psychosoziale betreuung":
        ("hours of debt counselling, addiction counselling and psychosocial support", "hours"),
    "arbeitsstunden": ("working hours", "hours"),
    "kontakte": ("contacts", "contacts"),
    "einschulungsuntersuchungen": ("school entry examinations", "examinations"),
}
# Messgröße (normalised) -> (unit, English)
METRICS = {
    "prozent": ("percent", "percent"), "anzahl": ("count", "number"), "personen": ("persons", "persons"),
    "euro": ("EUR", "euros"), "fälle": ("cases", "cases"),
    "bedarfsgemeinschaften": ("communities of need", "communities of need"),
    "profiling": ("count", "profilings (number, as far as the table shows)"),
}
_H, _L = "higher_is_better", "lower_is_better"
# goal text (normalised) -> (English, perspective, goal_type, direction)
GOALS = {
    "anteil der bescheiderteilung innerhalb von 14 tagen bei neuansträgen":  # sic, as printed
        ("Share of new applications decided within 14 days", "client", "process", _H),
    "anteil der innerhalb von 14 tagen nach eingang überwiesenen rechnungen":
        ("Share of invoices paid within 14 days of receipt", "process_quality", "process", _H),
    "anteil der innerhalb von 14 tagen nach eingang geprüften und angewiesenen abrechnungen":
        ("Share of statements checked and approved for payment within 14 days of receipt", "process_quality",
         "process", _H),
    "anteil der innerhalb von 14 tagen beschiedenen neuansträge":  # sic
        ("Share of new applications decided within 14 days", "client", "process", _H),
    "anteil der innerhalb von 14 tagen eingeleiteten unterhaltsprüfungen":
        ("Share of maintenance-liability checks started within 14 days", "process_quality", "process", _H),
    "anteil der jährlich mindestens einmal überprüften pflegeheime":
        ("Share of care homes inspected at least once a year", "legal", "output", _H),
    "anteil der rechnungsprüfungen und auszahlungen innerhalb eines monats nach rechnungsstellung":
        ("Share of invoices checked and paid within one month of invoicing", "process_quality", "process", _H),
    "anteil der abschließenden beratungen innerhalb von 14 tagen":
        ("Share of counselling cases concluded within 14 days", "client", "process", _H),
    "anteil der zuschüsse, die innerhalb eines monats abgewickelt wurden":
        ("Share of grants processed within one month", "process_quality", "process", _H),
    "anteil der innerhalb von 14 tagen nach vorlage der vollständigen unterlagen erfolgten bescheiderteilungen":
        ("Share of decisions issued within 14 days of complete documents", "client", "process", _H),
    "anteil der innerhalb von 14 tagen nach rechnungslegung beglichenen rechnungen":
        ("Share of invoices settled within 14 days of invoicing", "process_quality", "process", _H),
    "anteil der innerhalb von einer woche angefragten bzw. vereinbarten termine":
        ("Share of appointments requested or arranged within one week", "client", "process", _H),
    "migrationsangelegenheiten": ("Migration affairs (measured by the number of profilings)", "client", "output", _H),
    "verringerung der hilfebedürftigkeit": ("Reduce dependency on benefits", "client", "outcome", _L),
    "beseitigung des vermittlungshemmnisses nach abschluss der beratung":
        ("Barrier to job placement removed when counselling ends", "client", "outcome", _H),
    "verringerung der hilfebedürftigkeit (leistungsausgaben in €) - siehe zielvereinbarung mit dem land "
    "niedersachsen":
        ("Reduce dependency on benefits (benefit spending in EUR); see target agreement with Lower Saxony",
         "economic", "outcome", _L),
    "nachhaltige vermittlung in den 1. arbeitsmarkt - siehe zielvereinbarung mit dem land niedersachsen":
        ("Sustainable placement in the regular labour market; see target agreement with Lower Saxony",
         "client", "outcome", _H),
    "leistungsentscheidung innerhalb von 3 wochen nach der antragstellung":
        ("Benefit decision within 3 weeks of application", "client", "process", _H),
    "leistungsentscheidung innerhalb von 3 wochen nach antragstellung":
        ("Benefit decision within 3 weeks of application", "client", "process", _H),
    "erreichungsgrad der kontakte": ("Degree to which the planned contacts are reached", "client", "output", _H),
    "anteil der termingerechten bearbeitung der todesbescheinigungen":
        ("Share of death certificates processed on time", "process_quality", "process", _H),
    "anteil der erfassten und bearbeiteten meldungen von infektionskrankheiten":
        ("Share of notified infectious disease reports recorded and processed", "legal", "output", _H),
    "kontakte": ("Contacts", "client", "output", _H),
    "anteil der bearbeiteten und erfassten einzuschulenden kinder":
        ("Share of school entrants examined and recorded", "legal", "output", _H),
    "beratung schwangerer / eltern": ("Counselling of pregnant women and parents", "client", "output", _H),
}


def norm(text: str) -> str:
    """Lower case, PDF hyphenation ('Unter- suchungen', 'Gemein-schaften') and spacing removed."""
    s = re.sub(r"(?<=\w)-\s*(?=[a-zäöüß])", "", text.strip())
    s = re.sub(r"(?<=\S)-\s+", "-", s)
    return re.sub(r"\s+", " ", s).lower()


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).lower()


@dataclass
class Product:
    line: int
    code: str
    name: str
    plan: float
    forecast: float
    deviation: float
    trend: str | None
    cells: list[str]
    area: Area | None = None


@dataclass
class Subtotal:
    line: int
    area: Area
    label: str
    plan: float
    forecast: float
    deviation: float
    trend: str | None


def parse_product_table(lines: list[str], path) -> tuple[list[Product], list[Subtotal]]:
    """Products (with their area) and area subtotal rows of the product table."""
    p = str(path)
    start = next((i for i, t in enumerate(lines) if t.strip() == TITLE), None)
    if start is None:
        raise InputError("product table not found", path=p, column="Nr.", expected=f"a line '{TITLE}'")
    products, subtotals, pending = [], [], []
    header_seen = False
    for i in range(start, len(lines)):
        no, text = i + 1, lines[i]
        s = text.strip()
        if not s or s == TITLE or s.startswith("Produkt/-gruppe/-bereich"):
            continue
        cells = [c.strip() for c in text.split("\t")]
        if cells[0] == "Nr.":
            _check_header(cells, no, p)
            header_seen, header_line, width = True, no, len(cells)
            continue
        if "\t" not in text and s.endswith(":"):
            continue  # section heading 'Dezernat III (Soziales, Jugend und Gesundheit):'
        if not header_seen:
            raise InputError("row before the table header", path=p, line=no, column="Nr.",
                             expected="the header row 'Nr.\tBezeichnung\tPlan ...'", found=s[:40])
        if len(cells) < 6:
            raise InputError("row is missing a column", path=p, line=no, column=PCOLS[len(cells)],
                             expected=f"{len(PCOLS)} tab-separated cells", found=f"{len(cells)} cells")
        if len(cells) != width:  # a tab lost or added in the copy would shift every later cell
            raise InputError(f"row has {len(cells)} tab-separated cells but the header (line {header_line}) has "
                             f"{width}", path=p, line=no, column=_misfit_column(cells),
                             expected=f"{width} cells (a tab lost or added?)", found=f"{len(cells)} cells")
        extra = [c for c in cells[len(PCOLS):] if c]
        if extra:
            raise InputError("cell after the last column", path=p, line=no, column=str(len(PCOLS) + 1),
                             expected="no cell after 'Abwei-chung'", found=extra[0])
        cells += [""] * (len(PCOLS) - len(cells))
        plan, fc, dev = (number(cells[k], p, no, PCOLS[k], required=True) for k in (2, 3, 4))
        trend = cells[5] or None
        if cells[0].endswith(":"):
            area = next((a for a in AREAS if a.subtotal == cells[0]), None)
            if area is None:
                raise InputError("unknown area subtotal", path=p, line=no, column="Nr.",
                                 expected="one of " + ", ".join(a.subtotal for a in AREAS), found=cells[0])
            for prod in pending:
                prod.area = area
            pending = []
            subtotals.append(Subtotal(no, area, cells[0].rstrip(":"), plan, fc, dev, trend))
        elif re.fullmatch(r"\d{3,5}", cells[0]):
            prod = Product(no, cells[0], cells[1], plan, fc, dev, trend, cells)
            products.append(prod)
            pending.append(prod)
        else:
            raise InputError("not a product row", path=p, line=no, column="Nr.",
                             expected="a product number of 3 to 5 digits or an area subtotal ending in ':'",
                             found=cells[0])
    if not header_seen:
        raise InputError("product table header not found", path=p, line=start + 1, column="Nr.",
                         expected="a header row starting with 'Nr.'")
    if pending:
        raise InputError("products after the last area subtotal", path=p, line=pending[0].line, column="Nr.",
                         expected="an area subtotal row closing the group", found=pending[0].code)
    return products, subtotals


_NUMBER_CELL = re.compile(r"^[-+\u2212]?\d{1,3}(\.\d{3})*(,\d+)?$|^[-+\u2212]?\d+(,\d+)?$")
_PERCENT_CELL = re.compile(r"^[-+\u2212]?\d+(,\d+)?\s?%$")


def _fits(k: int, cell: str) -> bool:
    """Whether a cell looks like what column k of the product table holds."""
    if k == 0:
        return bool(re.fullmatch(r"\d{3,5}", cell)) or cell.endswith(":")
    if k in (2, 3, 4):
        return bool(_NUMBER_CELL.match(cell))
    if not cell:
        return True
    if k == 5:
        return not re.search(r"\w", cell)             # a trend marker (emoji), never a word
    if k in (6, 9, 10):
        return bool(re.search(r"[A-Za-zÄÖÜäöüß]", cell))  # indicator, goal and measure are words
    if k in (7, 8, 11, 12):
        return bool(_NUMBER_CELL.match(cell))
    if k == 13:
        return bool(_PERCENT_CELL.match(cell))
    return True


def _misfit_column(cells: list[str]) -> str:
    """The first column whose cell does not fit it (where a lost tab shifted the row), else the last."""
    return next((PCOLS[k] for k, c in enumerate(cells[:len(PCOLS)]) if not _fits(k, c)), PCOLS[-1])


def _check_header(cells, no, path):
    for k, want in enumerate(HEADER):
        found = cells[k] if k < len(cells) else None
        if found is None or _header_key(found) != want:
            raise InputError("product table header lacks a column", path=path, line=no, column=PCOLS[k],
                             expected=f"'{PCOLS[k]}' in column {k + 1}", found=found)


# ------------------------------------------------------------------------------ extract

def extract(path: Path, document: dict) -> ImportResult:
    """Budget, indicator, goal and quality rows of the Peine product report."""
    path = Path(path)
    lines = read_lines(path)
    ctx = Ctx(path, document["municipality_id"], document["document_id"])
    base = {"municipality_id": ctx.municipality_id, "document_id": ctx.document_id, "currency": "EUR",
            "source_unit": "EUR", "budget_type": "operating", "category": None}
    products, subtotals = parse_product_table(lines, path)
    tables = parse_monthly_tables(lines, path, FISCAL_YEAR)
    sub_by_area = {s.area: s for s in subtotals}
    assignment, q_assign = assign_tables(tables, sub_by_area, ctx)

    budget = _product_budget_rows(products, subtotals, base, ctx)
    quality = _product_checks(products, subtotals, ctx)
    for t, area in zip(tables, assignment):
        level = "total" if area is TOTAL else "area"
        budget += budget_rows(t, base, area.org_unit, area.code, level, FISCAL_YEAR, ctx)
        quality += table_checks(t, area.org_unit, FISCAL_YEAR, ctx)
        if area is TOTAL:  # the areas' nets are the product table's subtotals; the Dezernat's only here
            rows, check = _total_net_rows(t, base, ctx)
            budget += rows
            quality.append(check)
    quality += q_assign
    indicators, q_ind = _indicators(products, ctx)
    goals, q_goals = _goals(products, ctx)
    quality += q_ind + q_goals
    total_table = next((t for t, a in zip(tables, assignment) if a is TOTAL), None)
    quality += narrative_checks(lines, products, sub_by_area, total_table, goals, ctx)
    goals = [{k: v for k, v in g.items() if k not in ("area", "line", "figures_status")} for g in goals]
    return ImportResult(budget=budget, indicators=indicators, goals=goals, quality=quality)


def assign_tables(tables, sub_by_area: dict, ctx: Ctx) -> tuple[list[Area], list[dict]]:
    """Area of each monthly table, by reconciling its net with the product table; see module doc."""
    p, q = str(ctx.path), []
    found: list[Area | None] = []
    for t in tables:
        plan, fc = t.net("Plan", FISCAL_YEAR), t.net("Prognose", FISCAL_YEAR)
        fb = t.forecast.values
        own = _close(fb[0], plan) and _close(fb[1], fc)
        hits = [a for a, s in sub_by_area.items() if own and _close(s.plan, plan) and _close(s.forecast, fc)]
        if len(hits) > 1:
            raise InputError("monthly table matches more than one budget area", path=p, line=t.line, column="Plan",
                             expected="exactly one matching area subtotal",
                             found=", ".join(a.org_unit for a in hits))
        if not own:
            raise InputError("monthly table disagrees with its 'Prognose Produktbudget' block", path=p,
                             line=t.forecast.lines[0], column="Prognose Produktbudget",
                             expected=f"Erträge − Aufwendungen {fmt(plan)} / {fmt(fc)}",
                             found=f"{fmt(fb[0])} / {fmt(fb[1])}")
        found.append(hits[0] if hits else None)
    for a in sub_by_area:
        users = [t for t, f in zip(tables, found) if f is a]
        if len(users) > 1:
            raise InputError("two monthly tables match the same budget area", path=p, line=users[1].line,
                             column="Plan", expected=f"one table for {a.org_unit}", found=f"tables at lines "
                             f"{', '.join(str(u.line) for u in users)}")
    rest = [i for i, f in enumerate(found) if f is None]
    if rest:
        i = rest[0]
        t = tables[i]
        exp_plan = sum(u.expenditure.total(FISCAL_YEAR).values["Plan"] for u, f in zip(tables, found) if f)
        contains = t.expenditure.total(FISCAL_YEAR).values["Plan"] > exp_plan
        if len(rest) > 1 or not contains:
            raise InputError("monthly table matches no budget area", path=p, line=t.line, column="Plan",
                             expected="Erträge − Aufwendungen equal to one area subtotal ("
                                      + "; ".join(f"{s.area.org_unit} {fmt(s.plan)} / {fmt(s.forecast)}"
                                                  for s in sub_by_area.values())
                                      + ") or one table containing all others (the Dezernat total)",
                             found=f"{fmt(t.net('Plan', FISCAL_YEAR))} / {fmt(t.net('Prognose', FISCAL_YEAR))}")
        found[i] = TOTAL
    for t, a in zip(tables, found):
        plan, fc = t.net("Plan", FISCAL_YEAR), t.net("Prognose", FISCAL_YEAR)
        if a is TOTAL:
            q.append(ctx.row("monthly table: assigned to a budget area", t.line,
                             "the one table matching no area subtotal and containing the others",
                             f"{TOTAL.org_unit}: Erträge − Aufwendungen {fmt(plan)} / {fmt(fc)}", "pass",
                             "net plan / forecast match no area subtotal; expenditure plan exceeds the sum of "
                             "the area tables: Teilhaushalt 3 incl. Teilbudgets 34, 38, 39 (line 27)"))
            continue
        s = sub_by_area[a]
        q.append(ctx.row("monthly table: assigned to a budget area", t.line,
                         f"{a.org_unit}: subtotal line {s.line} {fmt(s.plan)} / {fmt(s.forecast)}",
                         f"Erträge − Aufwendungen {fmt(plan)} / {fmt(fc)}", "pass",
                         "plan / forecast equal the area subtotal and the table's Prognose Produktbudget block"))
        for k, (name, val) in enumerate((("Plan", s.plan), ("Prognose", s.forecast))):
            q.append(ctx.compare(f"Prognose Produktbudget vs product table subtotal ({name})", t.forecast.lines[k],
                                 val, t.forecast.values[k], detail=f"{a.org_unit}; subtotal line {s.line}"))
    # the four areas against the Dezernat total: not comparable (the total has more Teilbudgets)
    total = next((t for t, a in zip(tables, found) if a is TOTAL), None)
    if total is not None:
        for k, name in enumerate(("Plan", "Prognose")):
            areas = sum((s.plan, s.forecast)[k] for s in sub_by_area.values())
            q.append(ctx.row(f"areas sum to the Dezernat III total ({name})", total.forecast.lines[k],
                             fmt(total.forecast.values[k]), fmt(areas), "info",
                             "sum of Dezernatsleitung, Soziales, Arbeit, Gesundheitsamt (product-table subtotals) "
                             "vs the Dezernat III table; not comparable: the total also contains Teilbudget 34 "
                             "(Jugendamt), 38 and 39, reported to other committees (line 27); difference "
                             f"{fmt(total.forecast.values[k] - areas)}"))
    return found, q


def _close(a, b, tol=0.5) -> bool:
    return a is not None and b is not None and abs(a - b) <= tol


# ------------------------------------------------------------------------- budget rows

def _trend_note(trend: str | None) -> str | None:
    if not trend:
        return None
    return f"Tendenz {trend}: {TREND.get(trend, 'marker without a known reading')}"


def _net_row(base, ctx, *, line, org_unit, code, name, name_en, level, phase, printed, trend):
    notes = []
    if phase == "forecast":
        notes.append(_trend_note(trend))
    if printed > 0:
        notes.append("printed positive (revenue exceeds costs): negative net cost")
    return {**base, "fiscal_year": FISCAL_YEAR, "period": str(FISCAL_YEAR), "org_unit": org_unit,
            "item_code": code, "item_name": name, "item_name_en": name_en, "level": level, "direction": "net",
            "economic_type": "all", "phase": phase, "amount": 0.0 - printed,
            "source_ref": ctx.ref(line), "trend": trend if phase == "forecast" else None,
            "note": "; ".join(n for n in notes if n) or None}


def _total_net_rows(table, base, ctx) -> tuple[list[dict], dict]:
    """Net rows of the Dezernat III total from its 'Prognose Produktbudget' block (lines 268-269:
    plan and forecast, costs printed negative) and the check of its deviation (line 270)."""
    fb = table.forecast
    (plan, fc, dev), (l_plan, l_fc, l_dev) = fb.values, fb.lines
    rows = [_net_row(base, ctx, line=line, org_unit=TOTAL.org_unit, code=TOTAL.code, name="Prognose Produktbudget",
                     name_en=f"{TOTAL.name_en}: net budget", level="total", phase=phase, printed=v, trend=None)
            for line, phase, v in ((l_plan, "original_budget", plan), (l_fc, "forecast", fc))]
    for r in rows:
        r["note"] = "; ".join(x for x in [r["note"], f"line {l_dev} prints the deviation {fmt(dev)} (plan − forecast in "
                                          "the report's cost sign = forecast − plan in the contract's sign)"] if x)
    check = ctx.compare("Prognose Produktbudget: stored net forecast − net plan (contract sign) = printed deviation",
                        l_dev, (0.0 - fc) - (0.0 - plan), dev,
                        detail=f"{TOTAL.org_unit}: net rows of lines {l_plan} and {l_fc}; a positive deviation is "
                               "spending above plan (the narrative's Budgetüberschreitung)")
    return rows, check


def _product_budget_rows(products, subtotals, base, ctx) -> list[dict]:
    out = []
    for p in products:
        for phase, v in (("original_budget", p.plan), ("forecast", p.forecast)):
            out.append(_net_row(base, ctx, line=p.line, org_unit=p.area.org_unit, code=p.code, name=p.name,
                                name_en=PRODUCT_EN.get(p.code), level="product", phase=phase, printed=v,
                                trend=p.trend))
    for s in subtotals:
        for phase, v in (("original_budget", s.plan), ("forecast", s.forecast)):
            out.append(_net_row(base, ctx, line=s.line, org_unit=s.area.org_unit, code=s.area.code, name=s.label,
                                name_en=s.area.name_en, level="area", phase=phase, printed=v, trend=s.trend))
    return out


def _product_checks(products, subtotals, ctx) -> list[dict]:
    q = []
    for r in [*products, *subtotals]:
        what = r.code if isinstance(r, Product) else r.label
        q.append(ctx.compare("product table: Abweichung = Prognose − Plan", r.line, r.forecast - r.plan,
                             r.deviation, detail=f"{what}; deviation in the report's sign (positive = better)"))
    for s in subtotals:
        mine = [p for p in products if p.area is s.area]
        for name, attr in (("Plan", "plan"), ("Prognose", "forecast")):
            q.append(ctx.compare(f"product table: products sum to the area subtotal ({name})", s.line,
                                 getattr(s, attr), sum(getattr(p, attr) for p in mine),
                                 detail=f"{s.area.org_unit}: {len(mine)} products, lines "
                                        f"{mine[0].line}-{mine[-1].line}"))
    by_name: dict[str, list[Product]] = {}
    for p in products:
        by_name.setdefault(norm(p.name), []).append(p)
    for same in by_name.values():
        for p in same[1:]:
            q.append(ctx.row("product table: two products share a name", p.line, f"a name of its own for {p.code}",
                             f"'{p.name}' as {same[0].code} (line {same[0].line})", "warning",
                             f"{p.code} and {same[0].code} are both called '{p.name}'"))
    return q


# -------------------------------------------------------------------- indicators, goals

def _indicators(products, ctx) -> tuple[list[dict], list[dict]]:
    rows, q = [], []
    for p in products:
        label = p.cells[6]
        vals = [number(p.cells[k], ctx.path, p.line, PCOLS[k]) for k in (7, 8)]
        if not label:
            if any(v is not None for v in vals):
                raise InputError("indicator figures without an indicator name", path=str(ctx.path), line=p.line,
                                 column="Indikator", expected="an indicator name", found="")
            continue
        if norm(label) not in INDICATORS:
            raise InputError("unknown indicator", path=str(ctx.path), line=p.line, column="Indikator",
                             expected="one of " + ", ".join(INDICATORS), found=label)
        en, unit = INDICATORS[norm(label)]
        note = "indicator named, no figure printed" if all(v is None for v in vals) else None
        for phase, v in zip(("original_budget", "forecast"), vals):
            rows.append({"municipality_id": ctx.municipality_id, "document_id": ctx.document_id,
                         "fiscal_year": FISCAL_YEAR, "item_code": p.code, "indicator": label, "indicator_en": en,
                         "unit": unit, "phase": phase, "value": math.nan if v is None else v, "category": None,
                         "source_ref": ctx.ref(p.line), "period": str(FISCAL_YEAR), "note": note})
        if note:
            q.append(ctx.row("product table: indicator without figures", p.line, "Plan and Prognose",
                             "empty cells", "info", f"{p.code}: indicator '{label}' is named but no figure "
                                                    "is printed; values left missing"))
        plan, fc = vals
        if plan and fc and min(plan, fc) >= 10 and max(plan, fc) / min(plan, fc) > 5:
            q.append(ctx.row("product table: indicator forecast far from plan", p.line, fmt(plan), fmt(fc),
                             "warning", f"{p.code} '{label}': forecast is {fc / plan:.1f} times the plan; "
                                        "possibly a misprint"))
    return rows, q


REPORTED_TOLERANCE = 1.0  # percentage points: the report prints the degree in whole percent


def goal_status(target, result, direction, reported=None) -> str:
    """met / missed from target and result in the goal's direction; `contradiction` when the
    printed degree of achievement (`reported`) disagrees with them by more than 1 point."""
    if target is None:
        return "no_target"
    if result is None:
        return "not_measured"
    computed = percent(target, result, direction)
    if reported is not None and computed is not None and abs(reported - computed) > REPORTED_TOLERANCE:
        return "contradiction"
    met = result <= target if direction == _L else result >= target
    return "met" if met else "missed"


def _goals(products, ctx) -> tuple[list[dict], list[dict]]:
    """Goal rows (with helper keys 'area' and 'line', dropped by `extract`) and their checks."""
    rows, q = [], []
    for p in products:
        text = p.cells[9]
        if not text:
            if any(p.cells[10:14]):
                raise InputError("goal figures without a goal", path=str(ctx.path), line=p.line,
                                 column="Produktziel", expected="a goal text", found="")
            continue
        if norm(text) not in GOALS:
            raise InputError("unknown goal text (add its translation and classification)", path=str(ctx.path),
                             line=p.line, column="Produktziel", expected="a goal known to this importer",
                             found=text)
        en, perspective, gtype, direction = GOALS[norm(text)]
        metric = p.cells[10]
        if norm(metric) not in METRICS:
            raise InputError("unknown Messgröße", path=str(ctx.path), line=p.line, column="Messgröße",
                             expected="one of " + ", ".join(METRICS), found=metric)
        unit, metric_en = METRICS[norm(metric)]
        target, result, reported = (number(p.cells[k], ctx.path, p.line, PCOLS[k]) for k in (11, 12, 13))
        ach = percent(target, result, direction)
        marker = p.cells[14] or None
        notes = [f"Abweichung marker {marker}: {TREND.get(marker, 'unknown marker')}" if marker else None]
        if norm(metric) == "profiling":
            notes.append("Messgröße 'Profiling' prints no unit; read as a count")
        row = {"municipality_id": ctx.municipality_id, "document_id": ctx.document_id,
               "goal_id": f"peine-{p.code}-g1", "item_code": p.code, "goal": text, "goal_en": en,
               "perspective": perspective, "goal_type": gtype, "metric": metric, "unit": unit,
               "direction": direction, "target": target, "result": result,
               "result_phase": "forecast" if result is not None else None, "achievement_reported": reported,
               "achievement": ach, "status": goal_status(target, result, direction, reported), "quantified": True,
               "quote": text, "source_ref": ctx.ref(p.line), "target_year": FISCAL_YEAR, "metric_en": metric_en,
               "area": p.area, "line": p.line, "figures_status": goal_status(target, result, direction)}
        detail = f"{p.code}: target {fmt(target)}, result {fmt(result)}, {direction}"
        if reported is not None and ach is not None and abs(reported - ach) > 1 and direction == _H and target:
            twice = 200.0 * result / target
            if abs(twice - reported) <= 1:
                detail += (f"; the printed degree equals 2 × result / target ({twice:.1f} %): the 'Prognose' "
                           "looks like the half-year value, annualised only for the degree")
                notes.append("reported degree matches 2 × Prognose / Plan: the Prognose may be a half-year value")
        if row["status"] == "contradiction":
            notes.insert(0, f"status contradiction: printed degree {fmt(reported)} %, computed from target and "
                            f"forecast {ach:.1f} % (by the figures: {row['figures_status']})")
        row["note"] = "; ".join(n for n in notes if n) or None
        rows.append(row)
        q.append(ctx.compare("goal: reported degree of achievement vs computed", p.line, ach, reported,
                             tolerance=1.0, detail=detail + "; the report rounds to whole percent"))
    q += _goal_cross_checks(rows, products, ctx)
    return rows, q


def _goal_cross_checks(goals, products, ctx) -> list[dict]:
    q = []
    # identical figures under slightly different goal texts (copied row)
    for i, a in enumerate(goals):
        for b in goals[:i]:
            same = all(a[k] == b[k] for k in ("target", "result", "achievement_reported"))
            similar = SequenceMatcher(None, norm(a["goal"]), norm(b["goal"])).ratio() > 0.8
            if same and similar and a["target"] != a["result"] and norm(a["goal"]) != norm(b["goal"]):
                q.append(ctx.row("product table: goal figures repeat another product's", a["line"],
                                 f"figures of {a['item_code']} of its own",
                                 f"{fmt(a['target'])} / {fmt(a['result'])} / {fmt(a['achievement_reported'])} % as "
                                 f"{b['item_code']} (line {b['line']})", "warning",
                                 f"{a['item_code']} '{a['goal']}' and {b['item_code']} '{b['goal']}' print the same "
                                 "target, forecast and degree; the row may be copied"))
    # the same measure as indicator and goal metric, with different figures
    by_code = {p.code: p for p in products}
    for g in goals:
        p = by_code[g["item_code"]]
        label = norm(p.cells[6])
        if label and label in (norm(g["metric"]), norm(g["goal"])):
            ip = number(p.cells[7], ctx.path, p.line, PCOLS[7])
            ifc = number(p.cells[8], ctx.path, p.line, PCOLS[8])
            if (ip, ifc) != (g["target"], g["result"]):
                q.append(ctx.row("product table: indicator and goal of the same measure differ", p.line,
                                 f"indicator '{p.cells[6]}' {fmt(ip)} / {fmt(ifc)}",
                                 f"goal {g['metric']} {fmt(g['target'])} / {fmt(g['result'])}", "warning",
                                 f"{p.code}: the volume indicator and the goal both count '{p.cells[6]}' but print "
                                 "different plan / forecast figures (they may count different things)"))
    return q


# ---------------------------------------------------------------------------- narrative

AMOUNT = re.compile(r"(?:(?:ca\.|rund|knapp)\s+)?(?:\d+,\d+\s*Mio\.|\d{1,3}(?:\.\d{3})+)(?:,-)?\s*€?")
BETTER = re.compile(r"verbesserung|unterschreitung|unterschritten", re.I)
WORSE = re.compile(r"überschreitung|überschritten|verschlechterung", re.I)
NO_DEVIATION = re.compile(r"keine wesentlichen? abweichung(?:en)?|geringfügige abweichung", re.I)
PRODUCT_MENTION = re.compile(r"\*\*Produkt (\d+) „([^“]+)“\*\*|Produkt \*\*(\d+) „([^“]+)“\*\*")
SENTENCE_END = re.compile(r"(?<=[a-zäöüß)])\.\s+(?=[A-ZÄÖÜ])")


def _rounding_unit(text: str) -> float:
    """Rounding unit of a narrative amount: 0,1 Mio. for '1,8 Mio.', else the trailing zeros (max 10.000)."""
    m = re.search(r"\d+,(\d+)\s*Mio", text)
    if m:
        return 1_000_000 / 10 ** len(m.group(1))
    digits = re.sub(r"\D", "", re.search(r"\d{1,3}(?:\.\d{3})+", text).group(0))
    zeros = len(digits) - len(digits.rstrip("0"))
    return float(min(10 ** zeros, 10_000))


def narrative_checks(lines, products, sub_by_area, total_table, goals, ctx) -> list[dict]:
    """Narrative (Inhaltsbeschreibung to Anlagen) against the tables."""
    start = next((i for i, t in enumerate(lines) if t.strip() == "Inhaltsbeschreibung:"), None)
    end = next((i for i, t in enumerate(lines) if t.strip() == "Anlagen"), None)
    if start is None or end is None:
        return [ctx.row("narrative: found", 1, "'Inhaltsbeschreibung:' ... 'Anlagen'", "not found", "info",
                        "no narrative checks")]
    q = []
    by_code = {p.code: p for p in products}
    goal_by_code = {g["item_code"]: g for g in goals}
    subject = None
    for i in range(start + 1, end):
        no, text = i + 1, lines[i]
        if not text.strip():
            continue
        m = re.search(r"Teilbudgets? ([\d, und]+) berichtet", text)
        if m:
            listed = sorted(re.findall(r"\d+", m.group(1)))
            q.append(ctx.row("narrative: reported Teilbudgets", no, ", ".join(a.code for a in AREAS),
                             ", ".join(listed), "pass" if listed == [a.code for a in AREAS] else "warning",
                             "area codes used for item_code"))
        subject = _subject(text, no, by_code, ctx, q) or subject
        if subject is None:
            continue
        for sentence in SENTENCE_END.split(text):
            q += _amount_checks(sentence, no, subject, sub_by_area, total_table, ctx)
            q += _goal_statement(sentence, no, subject, goal_by_code, goals, ctx)
            m = re.search(r"sinken die Erträge im Produkt (\d+)", sentence)
            if m and m.group(1) in by_code:
                p = by_code[m.group(1)]
                q.append(ctx.row("narrative: direction of a deviation", no, "Abweichung < 0 (lower revenue)",
                                 f"{p.code} Abweichung {fmt(p.deviation)} (line {p.line})",
                                 "pass" if p.deviation < 0 else "contradiction", sentence.strip()))
    return q


def _subject(text, no, by_code, ctx, q):
    """The paragraph's subject: ('total'|'area'|'product', object, label) or None."""
    if TOTAL.narrative in text:
        return ("total", TOTAL, "Dezernat III")
    for a in AREAS:
        if a.narrative in text:
            return ("area", a, a.org_unit)
    m = PRODUCT_MENTION.search(text)
    if not m:
        return None
    code, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    p = by_code.get(code)
    if p is None:
        hits = [x for x in by_code.values() if norm(x.name) == norm(name)]
        if len(hits) != 1:
            q.append(ctx.row("narrative: product not in the table", no, f"product {code} in the table", "absent",
                             "info", f"'{name}' not found by number or name"))
            return ("none", None, code)
        p = hits[0]
        q.append(ctx.row("narrative: product number vs table", no, f"{p.code} (line {p.line})", code, "warning",
                         f"the narrative's 'Produkt {code} „{name}“' is product {p.code} in the table "
                         "(same name)"))
    tn, nn = norm(_expand(p.name)), norm(_expand(name))
    if not (tn == nn or tn.startswith(nn)):
        dup = [x.code for x in by_code.values() if x is not p and norm(x.name) == norm(p.name)]
        q.append(ctx.row("narrative: product name vs table", no, f"'{p.name}' (line {p.line})", f"'{name}'",
                         "warning", f"product {p.code} is named differently in narrative and table"
                         + (f"; the table's name duplicates product {', '.join(dup)}" if dup else "")))
    return ("product", p, p.code)


def _expand(name: str) -> str:
    return name.replace("n.d.", "nach dem")


def _table_deviation(subject, sub_by_area, total_table):
    kind, obj, _ = subject
    if kind == "product":
        return obj.deviation, obj.line, obj.plan
    if kind == "area" and obj in sub_by_area:
        s = sub_by_area[obj]
        return s.deviation, s.line, s.plan
    if kind == "total" and total_table is not None:
        plan, fc, _ = total_table.forecast.values
        return fc - plan, total_table.forecast.lines[1], plan
    return None, None, None


def _amount_checks(sentence, no, subject, sub_by_area, total_table, ctx) -> list[dict]:
    q = []
    dev, line, plan = _table_deviation(subject, sub_by_area, total_table)
    where = f"{subject[2]} (table line {line})" if line else subject[2]
    if NO_DEVIATION.search(sentence) and dev is not None:
        share = f" = {100 * abs(dev) / abs(plan):.1f} % of the plan" if plan else ""
        q.append(ctx.row("narrative amount vs table deviation", no, "no material deviation (not quantified)",
                         fmt(dev), "info", f"{where}: '{NO_DEVIATION.search(sentence).group(0)}'; table "
                                           f"Abweichung {fmt(dev)}{share}"))
    for m in AMOUNT.finditer(sentence):
        text = m.group(0).strip()
        value = number(text, ctx.path, no, "narrative")
        better, worse = bool(BETTER.search(sentence)), bool(WORSE.search(sentence))
        if better == worse or dev is None:
            q.append(ctx.row("narrative amount vs table deviation", no, "a budget deviation", text, "info",
                             f"{where}: '{sentence.strip()}' — not a plan/forecast deviation the tables give "
                             "(or its direction is not stated); not checkable"))
            continue
        signed = value if better else -value
        tol = _rounding_unit(text) / 2
        q.append(ctx.compare("narrative amount vs table deviation", no, dev, signed, tolerance=tol,
                             detail=f"{where}: '{text}' ({'better' if better else 'worse'} than plan); the "
                                    f"narrative rounds to {fmt(2 * tol)}: tolerance half of that"))
    return q


def _goal_statement(sentence, no, subject, goal_by_code, goals, ctx) -> list[dict]:
    s = sentence.lower()
    if "ziel" not in s or not re.search(r"erreicht|verfehlt|übertroffen", s):
        return []
    if re.search(r"nicht erreicht|verfehlt", s):
        says = "missed"
    elif "nur vereinzelt" in s:
        says = "few met"
    elif "nur teilweise" in s:
        says = "partly met"
    elif "übertroffen" in s:
        says = "exceeded"
    else:
        says = "met"
    kind, obj, label = subject
    if kind == "product":
        g = goal_by_code.get(obj.code)
        if g is None:
            return [ctx.row("narrative goal statement vs table", no, says, "no goal in the table", "info", label)]
        ach = "-" if g["achievement"] is None else f"{g['achievement']:.1f}"
        by_figures = g.get("figures_status", g["status"])  # the text is checked against target and forecast
        found = f"{by_figures}: target {fmt(g['target'])}, forecast {fmt(g['result'])}, " \
                f"{ach} % (printed {fmt(g['achievement_reported'])} %), line {obj.line}"
        if says in ("met", "exceeded"):
            if by_figures == "met":
                status = "pass"
            elif by_figures == "missed" and abs(g["target"] - g["result"]) <= 1:
                status = "warning"
            else:
                status = "contradiction"
        else:
            status = "pass" if by_figures == "missed" else "contradiction"
        detail = f"{obj.code}: '{sentence.strip()}'"
        if status == "warning":
            detail += "; the table forecast misses the target by one point only"
        return [ctx.row("narrative goal statement vs table", no, says, found, status, detail)]
    if kind == "area":
        mine = [g for g in goals if g["area"] is obj]
        met = sum(g.get("figures_status", g["status"]) == "met" for g in mine)
        found = f"{met} of {len(mine)} goals met"
        if says == "partly met":
            status = "pass" if 0 < met < len(mine) else "contradiction"
        elif says == "few met":
            status = "pass" if 0 < met <= len(mine) / 3 else "warning"
        elif says == "missed":
            status = "pass" if met == 0 else "contradiction"
        else:
            status = "pass" if met == len(mine) else "contradiction"
        return [ctx.row("narrative goal statement vs table", no, says, found, status,
                        f"{label}: '{sentence.strip()}'; met = forecast reaches the target"
                        + ("; 'nur vereinzelt' (only isolated goals) understates the table" if status == "warning"
                           else ""))]
    return []
