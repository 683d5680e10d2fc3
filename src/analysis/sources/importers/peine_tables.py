"""Tab-separated tables of the Peine product report: lines, numbers, monthly tables, forecast blocks.

Helpers for `peine_product_report`. The report prints, per budget area, a monthly table with an
"Erträge" block and an "Aufwendungen" block (header: Plan, Januar..Dezember, Ergebnis, Prognose;
rows '2024', economic lines, '2023', '2022') followed by a "Prognose Produktbudget" block of three
numbers (plan, forecast, deviation). The tables carry no area name; the caller assigns them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.contract import checks
from analysis.contract.errors import InputError
from analysis.contract.numbers import parse_number
from analysis.sources.importers import source_ref

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]
COLUMNS = ["Plan", *MONTHS, "Ergebnis", "Prognose"]  # cell index = position + 1
SIDES = {"Erträge": "revenue", "Aufwendungen": "expenditure"}
SIDE_EN = {"Erträge": "Revenue", "Aufwendungen": "Expenses"}
# economic lines per block: label -> (economic_type, English)
LINES = {
    "Aufwendungen": {
        "Personal": ("personnel", "personnel expenses"),
        "Sachaufwand": ("goods_services", "goods and services"),
        "Transferaufwand": ("transfers", "transfer expenses"),
        "sonstige": ("other", "other expenses"),
        "Abschreibungen, Zinsen": ("depreciation", "depreciation and interest"),
        "ILV-Aufwand": ("internal", "internal service charges (expense)"),
        "außerordentlich": ("other", "extraordinary expenses"),
    },
    "Erträge": {
        "ordentlich": ("other", "ordinary revenue"),
        "außerordentlich": ("other", "extraordinary revenue"),
        "ILV-Erträge": ("internal", "internal service charges (revenue)"),
    },
}
YEAR = re.compile(r"^(19|20)\d\d$")


def read_lines(path: Path) -> list[str]:
    """The file's lines without line ends; element i is line i + 1."""
    return Path(path).read_text(encoding="utf-8").split("\n")


def number(text: str, path, line: int, column: str, required: bool = False) -> float | None:
    """A German number from a cell; None for an empty cell unless `required`."""
    return parse_number(text.strip(), "de", path=str(path), line=line, column=column,
                        allow_missing=not required)


@dataclass
class Ctx:
    """Where rows come from, and quality-row helpers bound to the document."""

    path: Path
    municipality_id: str
    document_id: str

    def ref(self, line: int) -> str:
        return source_ref(self.path, line)

    def compare(self, check, line, expected, found, **kw) -> dict:
        return checks.compare(check, self.municipality_id, self.document_id, self.ref(line), expected, found, **kw)

    def row(self, check, line, expected, found, status, detail=None, tolerance=None) -> dict:
        return checks.row(check, self.municipality_id, self.document_id, self.ref(line), expected, found,
                          status, detail, tolerance)


@dataclass
class MonthlyRow:
    line: int
    label: str
    year: int
    is_total: bool
    values: dict[str, float | None]


@dataclass
class Block:
    label: str            # 'Erträge' or 'Aufwendungen'
    line: int
    rows: list[MonthlyRow] = field(default_factory=list)

    def total(self, year: int) -> MonthlyRow | None:
        return next((r for r in self.rows if r.is_total and r.year == year), None)

    def lines_of(self, year: int) -> list[MonthlyRow]:
        return [r for r in self.rows if not r.is_total and r.year == year]


@dataclass
class ForecastBlock:
    title_line: int
    lines: list[int]                 # plan, forecast, deviation
    values: list[float]
    markers: list[str | None]


@dataclass
class MonthlyTable:
    revenue: Block
    expenditure: Block
    forecast: ForecastBlock

    @property
    def line(self) -> int:
        return self.revenue.line

    def net(self, column: str, year: int) -> float | None:
        """Erträge − Aufwendungen of the year's total rows (the report's sign: negative = cost)."""
        rev, exp = self.revenue.total(year), self.expenditure.total(year)
        if rev is None or exp is None or rev.values.get(column) is None or exp.values.get(column) is None:
            return None
        return rev.values[column] - exp.values[column]


def parse_monthly_tables(lines: list[str], path, year: int) -> list[MonthlyTable]:
    """Every Erträge/Aufwendungen table with its Prognose Produktbudget block, in document order."""
    tables: list[MonthlyTable] = []
    i = 0
    while i < len(lines):
        label = lines[i].split("\t")[0].strip()
        if label != "Erträge":
            if label == "Aufwendungen":
                raise InputError("an Aufwendungen block without an Erträge block before it", path=str(path),
                                 line=i + 1, column="1", expected="'Erträge' block first", found=label)
            i += 1
            continue
        revenue, i = _parse_block(lines, i, path, year)
        j = _next_nonblank(lines, i)
        if j is None or lines[j].split("\t")[0].strip() != "Aufwendungen":
            raise InputError("an Erträge block must be followed by an Aufwendungen block", path=str(path),
                             line=(j if j is not None else len(lines) - 1) + 1, column="1",
                             expected="'Aufwendungen'", found=None if j is None else lines[j][:40])
        expenditure, i = _parse_block(lines, j, path, year)
        forecast, i = _parse_forecast_block(lines, i, path)
        tables.append(MonthlyTable(revenue, expenditure, forecast))
    return tables


def _next_nonblank(lines, i):
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i if i < len(lines) else None


def _parse_block(lines, i, path, year) -> tuple[Block, int]:
    """Parse the block starting at index `i`; return it and the index after its last row."""
    path = str(path)
    block_cells = [c.strip() for c in lines[i].split("\t")]
    label = block_cells[0]
    block = Block(label, i + 1)
    h = _next_nonblank(lines, i + 1)
    if h is None:
        raise InputError("table header missing", path=path, line=i + 1, column="Plan", expected="a header row")
    header = [c.strip() for c in lines[h].split("\t")]
    width = len(header)
    for k, name in enumerate(["Plan", *MONTHS, "Ergebnis"], start=1):
        found = header[k] if k < len(header) else None
        if found != name:
            raise InputError("table header lacks a column", path=path, line=h + 1, column=name,
                             expected=f"'{name}' in column {k + 1}", found=found)
    prognose_here = len(header) > 15 and header[15] == "Prognose"
    prognose_above = "Prognose" in block_cells[15:]
    if not (prognose_here or prognose_above):
        raise InputError("table header lacks a column", path=path, line=h + 1, column="Prognose",
                         expected="'Prognose' in column 16 of the header or on the block line "
                                  f"{i + 1}", found=header[15] if len(header) > 15 else None)
    if any(header[16:]):
        raise InputError("unexpected header cell", path=path, line=h + 1, column=str(17),
                         expected="no column after 'Prognose'", found=next(c for c in header[16:] if c))
    current_year = None
    j = h + 1
    while j < len(lines) and lines[j].strip():
        cells = lines[j].split("\t")
        name = cells[0].strip()
        if len(cells) != width:  # a tab lost or added in the copy would shift the months
            position = ["label", "Plan", *MONTHS, "Ergebnis", "Prognose"]
            raise InputError(f"row has {len(cells)} tab-separated cells but its header (line {h + 1}) has {width}",
                             path=path, line=j + 1, column=position[min(len(cells), len(position) - 1)],
                             expected=f"{width} cells like the header (label, Plan, 12 months, Ergebnis, Prognose; "
                                      "a tab lost or added?)", found=f"{len(cells)} cells")
        if YEAR.match(name):
            current_year, is_total = int(name), True
        elif name in LINES[label]:
            if current_year is None:
                raise InputError("economic line before a year row", path=path, line=j + 1, column="1",
                                 expected="a year row such as '2024' first", found=name)
            is_total = False
        else:
            raise InputError("unknown row label", path=path, line=j + 1, column="1",
                             expected="a year or one of " + ", ".join(LINES[label]), found=name)
        block.rows.append(MonthlyRow(j + 1, name, current_year, is_total,
                                     _row_values(cells, path, j + 1, current_year == year)))
        j += 1
    if not block.rows:
        raise InputError("table without rows", path=path, line=h + 1, column="1", expected="rows under the header")
    if block.rows[0].label != str(year):
        raise InputError("table does not start with the report year", path=path, line=block.rows[0].line,
                         column="1", expected=f"'{year}'", found=block.rows[0].label)
    return block, j


def _row_values(cells, path, line, has_forecast) -> dict[str, float | None]:
    if len(cells) < 15:
        missing = (["Plan", *MONTHS, "Ergebnis"])[len(cells) - 1]
        raise InputError("row is missing a column", path=path, line=line, column=missing,
                         expected="16 tab-separated cells (label, Plan, 12 months, Ergebnis, Prognose)",
                         found=f"{len(cells)} cells")
    values = {name: number(cells[k], path, line, name) for k, name in enumerate(COLUMNS[:-1], start=1)}
    prognose = cells[15].strip() if len(cells) > 15 else ""
    if has_forecast:
        values["Prognose"] = number(prognose, path, line, "Prognose")
    elif prognose:
        raise InputError("a forecast for a past year", path=path, line=line, column="Prognose",
                         expected="an empty cell", found=prognose)
    extra = [c for c in cells[16:] if c.strip()]
    if extra:
        raise InputError("unexpected cell after 'Prognose'", path=path, line=line, column="17",
                         expected="no cell after 'Prognose'", found=extra[0])
    return values


def _parse_forecast_block(lines, i, path) -> tuple[ForecastBlock, int]:
    """The 'Prognose Produktbudget' block after a table: three numbers, optional markers (● □)."""
    path = str(path)
    j = _next_nonblank(lines, i)
    if j is None or lines[j].strip().strip("*") != "Prognose" or \
            (lines[j + 1].strip().strip("*") if j + 1 < len(lines) else "") != "Produktbudget:":
        raise InputError("the 'Prognose Produktbudget' block is missing after the table", path=path,
                         line=(j if j is not None else len(lines) - 1) + 1, column="1",
                         expected="'**Prognose' / 'Produktbudget:**'",
                         found=None if j is None else lines[j][:40])
    title = j + 1
    nums, refs, markers = [], [], []
    k = j + 2
    while k < len(lines) and len(nums) <= 3:
        cells = [c.strip() for c in lines[k].split("\t")]
        if any(re.search(r"[A-Za-zÄÖÜäöü]", c) for c in cells):
            break  # text ('Zielkennzahlen', 'Erläuterung/Prognose:', the next table) ends the block
        filled = [c for c in cells if c]
        found_number = False
        marker = None
        for c in filled:
            if re.fullmatch(r"-?[\d.]+", c):
                nums.append(number(c, path, k + 1, "Prognose Produktbudget", required=True))
                refs.append(k + 1)
                markers.append(None)
                found_number = True
            else:
                marker = c
        if marker is not None:
            if not markers:
                raise InputError("marker before the numbers", path=path, line=k + 1, column="1",
                                 expected="a number", found=marker)
            markers[-1] = marker if found_number or markers[-1] is None else markers[-1] + marker
        k += 1
    if len(nums) != 3:
        raise InputError("the 'Prognose Produktbudget' block needs three numbers", path=path, line=title,
                         column="Prognose Produktbudget", expected="plan, forecast and deviation",
                         found=f"{len(nums)} numbers")
    return ForecastBlock(title, refs, nums, markers), k


# ----------------------------------------------------------------- rows and checks

def fmt(v) -> str:
    """A figure for quality text, grouped like `checks.row` does (-1,234,567; 35.07); '-' if missing."""
    if v is None or v != v:
        return "-"
    return f"{int(v):,}" if v == int(v) else f"{v:,.2f}".rstrip("0").rstrip(".")


def _period(year: int, column: str) -> str:
    return f"{year}-{MONTHS.index(column) + 1:02d}" if column in MONTHS else str(year)


def _phase(year: int, report_year: int, column: str) -> str:
    if column == "Plan":
        return "original_budget"
    if column == "Prognose":
        return "forecast"
    return "actual_to_date" if year == report_year else "actual"


def budget_rows(table: MonthlyTable, base: dict, org_unit: str, item_code: str, level: str,
                report_year: int, ctx: Ctx) -> list[dict]:
    """One row per printed figure: year rows at `level`, economic lines at level 'line'."""
    out = []
    for block in (table.revenue, table.expenditure):
        for r in block.rows:
            if r.is_total:
                name, name_en, etype, lvl = block.label, SIDE_EN[block.label], "all", level
            else:
                etype, name_en = LINES[block.label][r.label]
                name, lvl = r.label, "line"
            for column, value in r.values.items():
                note = None
                if r.year == report_year and column in MONTHS[6:]:
                    note = "month after the report's reference date (end of June 2024); figure as printed"
                out.append({**base, "fiscal_year": r.year, "period": _period(r.year, column), "org_unit": org_unit,
                            "item_code": item_code, "item_name": name, "item_name_en": name_en, "level": lvl,
                            "direction": SIDES[block.label], "economic_type": etype,
                            "phase": _phase(r.year, report_year, column), "amount": value,
                            "source_ref": ctx.ref(r.line), "note": note})
    return out


def table_checks(table: MonthlyTable, area: str, report_year: int, ctx: Ctx) -> list[dict]:
    """Arithmetic of one monthly table and its forecast block (no comparison with other tables)."""
    q = []
    for block in (table.revenue, table.expenditure):
        for r in block.rows:
            months = [r.values[m] for m in MONTHS]
            if all(v is not None for v in months):
                q.append(ctx.compare("monthly table: months sum to Ergebnis", r.line, r.values["Ergebnis"],
                                     sum(months), tolerance=6.0,
                                     detail=f"{area}, {block.label} {r.label}; figures printed in whole euros: "
                                            "tolerance 0.5 per summed term (12)"))
        years = sorted({r.year for r in block.rows if not r.is_total})
        for year in years:
            total, parts = block.total(year), block.lines_of(year)
            for column, value in total.values.items():
                vals = [p.values.get(column) for p in parts]
                if value is None or any(v is None for v in vals):
                    continue
                tol = 0.5 * len(vals)
                q.append(ctx.compare("monthly table: lines sum to the block total", total.line, value, sum(vals),
                                     tolerance=tol,
                                     detail=f"{area}, {block.label} {year}, column {column}: lines "
                                            f"{parts[0].line}-{parts[-1].line} "
                                            f"({' + '.join(p.label for p in parts)}); whole euros: tolerance "
                                            f"0.5 per summed term ({len(vals)})"))
        q += _repeated_years(block, area, ctx)
        q += _late_postings(block, area, report_year, ctx)
    fb = table.forecast
    plan, fc, dev = fb.values
    q.append(ctx.compare("Prognose Produktbudget: plan = Erträge − Aufwendungen (Plan)", fb.lines[0],
                         table.net("Plan", report_year), plan,
                         detail=f"{area}; Erträge line {table.revenue.total(report_year).line}, "
                                f"Aufwendungen line {table.expenditure.total(report_year).line}"))
    q.append(ctx.compare("Prognose Produktbudget: forecast = Erträge − Aufwendungen (Prognose)", fb.lines[1],
                         table.net("Prognose", report_year), fc, detail=area))
    q.append(ctx.compare("Prognose Produktbudget: deviation = plan − forecast", fb.lines[2], plan - fc, dev,
                         detail=f"{area}; the block prints plan − forecast (cost sign: negative = below plan), "
                                "the opposite sign of the product table's Abweichung (forecast − plan)"
                                + (f"; markers as printed: {', '.join(m or '-' for m in fb.markers)}"
                                   if any(fb.markers) else "")))
    return q


def _repeated_years(block: Block, area: str, ctx: Ctx) -> list[dict]:
    """Warn where a year's twelve months repeat another year's (copied rows)."""
    out = []
    totals = [r for r in block.rows if r.is_total]
    for a in totals:
        for b in totals:
            if b.year >= a.year:
                continue
            if all(a.values[m] == b.values[m] for m in MONTHS):
                same = [c for c in ("Plan", "Ergebnis") if a.values[c] == b.values[c]]
                out.append(ctx.row("monthly table: a year's months repeat another year's", b.line,
                                   f"{b.year} months of their own", f"the 12 months of {a.year} (line {a.line})",
                                   "warning",
                                   f"{area}, {block.label}: all 12 monthly values of {b.year} equal those of "
                                   f"{a.year}"
                                   + (f", and so does {' and '.join(same)}" if same else
                                      f", while the Plan differs ({fmt(a.values['Plan'])} vs "
                                      f"{fmt(b.values['Plan'])})")
                                   + "; the row looks copied"))
    return out


def _late_postings(block: Block, area: str, report_year: int, ctx: Ctx) -> list[dict]:
    """Figures in months after the reference date (June) of the report year."""
    total = block.total(report_year)
    late = [m for m in MONTHS[6:] if total.values[m] not in (None, 0)]
    if not late:
        return []
    beyond_july = [m for m in late if m != "Juli"]
    status = "warning" if beyond_july else "info"
    return [ctx.row("monthly table: postings after the reference month",
                    total.line, "0 after Juni (Stand Ende Juni 2024)",
                    ", ".join(f"{m} {fmt(total.values[m])}" for m in late), status,
                    f"{area}, {block.label} {report_year}: the report is 'Stand 30. Juni 2024' but prints figures for "
                    f"{', '.join(late)}; the Ergebnis column includes them")]
