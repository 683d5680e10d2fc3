"""Importer for Aalborg Kommune, Regnskab 2014, Familie- og Beskæftigelsesforvaltningen.

The text holds tab-separated tables between prose. `extract` walks the file once: every
line with a tab must belong to a known table, and every row label must be in
`aalborg_vocab`; anything else raises `InputError` (file, line, column, expected).

Conventions (see docs/helpers-brief.md): DKK in whole kroner ('1.000 kr.' x 1000,
'mio. kr.' x 1e6, `source_unit` keeps the printed unit); the document prints income and
refunds negative, the contract wants revenue positive, so revenue = -printed and a printed
positive income becomes a negative revenue (with a warning). Net is kept as printed.
'Afvigelse' columns, 'i alt' rows of activity tables and the 'Oprindeligt/Korrigeret budget'
lines of the change tables are not data but quality checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import checks
from ..errors import InputError
from ..numbers import parse_number
from . import ImportResult, source_ref
from . import aalborg_vocab as V

FISCAL_YEAR = 2014
PERIOD = "2014"
CURRENCY = "DKK"
MIO = 1_000_000
TSD = 1_000
UNIT = {MIO: "mio. kr.", TSD: "1.000 kr."}
PHASES3 = ["original_budget", "actual", "adjusted_budget"]  # column order of sector and activity tables
NOTE_INCOME_INCL_REFUSION = "Indtægt in this table includes Refusion"


@dataclass
class Row:
    """One parsed table row: label, raw value cells, parsed values (None for empty cells)."""

    label: str
    cells: list[str]
    vals: list[float | None]
    line: int

    @property
    def empty(self) -> bool:
        return all(c == "" for c in self.cells)


def extract(path: Path, document: dict) -> ImportResult:
    """Read the Aalborg accounts text at `path`; return budget, budget_changes, indicators, goals, quality."""
    reader = _Reader(Path(path), document)
    reader.run()
    return ImportResult(budget=reader.budget, indicators=reader.indicators, goals=reader.goals,
                        budget_changes=reader.changes, quality=reader.quality)


def _amount(printed: float | None, direction: str, scale: int) -> float | None:
    """Printed figure -> whole kroner in the contract's sign (revenue positive)."""
    if printed is None:
        return None
    value = float(round(printed * scale))
    return (-value if direction == "revenue" else value) + 0.0


def _half(cell: str, scale: int) -> float:
    """Half the last printed digit of `cell`, in kroner (0 for an empty cell)."""
    cell = cell.strip()
    if not cell:
        return 0.0
    decimals = len(cell.split(",", 1)[1]) if "," in cell else 0
    return 0.5 * 10 ** -decimals * scale


def _z(v):
    return 0.0 if v is None else v


def _sum(values):
    """Sum treating empty cells as 0; None when every cell is empty."""
    vals = [v for v in values if v is not None]
    return sum(vals) if vals else None


class _Reader:
    def __init__(self, path: Path, document: dict):
        self.path = path
        self.name = path.name
        self.lines = path.read_text(encoding="utf-8").split("\n")
        self.muni = document["municipality_id"]
        self.doc = document["document_id"]
        self.budget: list[dict] = []
        self.changes: list[dict] = []
        self.indicators: list[dict] = []
        self.goals: list[dict] = []
        self.quality: list[dict] = []
        self.overview: dict = {}       # (code, group) -> Row; code 'FB' for totals
        self.sector_tables: dict = {}  # code -> {"groups": {group: {label: Row}}, "totals": {label: Row}}
        self.change_tables: dict = {}  # code -> {group: {"original", "changes", "corrected"}}, "_total"
        self.activities: dict = {}     # code -> {"groups": {group: {"rows", "total"}}, "total": Row}
        self.capital: dict = {"mio": {}, "mio_total": None, "final": {}, "prelim": {}}
        self.ind: dict = {}            # (indicator, phase) -> (value, line, cell)

    # ---- low-level helpers --------------------------------------------------------
    def line(self, ln: int) -> str:
        return self.lines[ln - 1] if 1 <= ln <= len(self.lines) else ""

    def ref(self, ln) -> str:
        return source_ref(self.path, ln) if isinstance(ln, int) else f"{self.name}:{ln}"

    def error(self, message, ln, column=None, expected=None, found=None):
        return InputError(message, path=str(self.path), line=ln, column=column, expected=expected, found=found)

    def num(self, cell: str, ln: int, column: str) -> float | None:
        return parse_number(cell, "da", path=str(self.path), line=ln, column=column)

    def cells(self, ln: int, count: int | None = None, columns: list[str] | None = None) -> list[str]:
        cells = self.line(ln).split("\t")
        if count is not None and len(cells) != count:
            col = (columns[len(cells)] if columns and len(cells) < len(columns) else f"cell {count + 1}")
            raise self.error("wrong number of tab-separated cells", ln, col,
                             f"{count} cells", f"{len(cells)} cells")
        return cells

    def expect_header(self, ln: int, expected: list[str], what: str) -> None:
        cells = self.cells(ln)
        if cells != expected:
            col = next((f"cell {i + 1}" for i, (a, b) in enumerate(zip(cells, expected)) if a != b),
                       f"cell {min(len(cells), len(expected)) + 1}")
            raise self.error(f"unexpected {what} header", ln, col, repr("\t".join(expected)),
                             "\t".join(cells))

    def expect_title(self, ln: int, count: int) -> None:
        cells = self.cells(ln, count)
        if any(cells[1:]):
            raise self.error("table title row with figures", ln, "cell 2", "empty cells", "\t".join(cells[1:]))

    def parse_row(self, ln: int, columns: list[str], skip: int = 0) -> Row:
        """Split line `ln` into label + values; `skip` extra empty cells after the label."""
        cells = self.cells(ln, len(columns) + skip, ["label"] + ["extra"] * skip + columns[1:])
        for i in range(1, 1 + skip):
            if cells[i] != "":
                raise self.error("figure in the unnamed extra column", ln, "extra column '1000'", "an empty cell",
                                 cells[i])
        raw = cells[1 + skip:]
        vals = [self.num(c, ln, col) for c, col in zip(raw, columns[1:])]
        return Row(cells[0].strip(), raw, vals, ln)

    def unknown(self, row: Row, what: str, expected) -> InputError:
        exp = expected if isinstance(expected, str) else "one of " + ", ".join(repr(e) for e in expected)
        return self.error(f"unknown row label in {what}", row.line, "label", exp, row.label)

    def end(self, ln: int) -> bool:
        return ln > len(self.lines) or not self.line(ln).strip()

    # ---- quality rows -------------------------------------------------------------
    def q(self, check, ln, expected, found, status, detail=None, tolerance=None):
        self.quality.append(checks.row(check, self.muni, self.doc, self.ref(ln), expected, found, status,
                                       detail, tolerance))

    def cmp(self, check, ln, expected, found, tol, detail=None, band=None, on_fail="contradiction"):
        """Compare in kroner; a failing difference within `band` (the rounding of the terms) says so in detail."""
        r = checks.compare(check, self.muni, self.doc, self.ref(ln), expected, found, tolerance=tol,
                           detail=detail, on_fail=on_fail)
        if r["status"] == on_fail and band is not None and abs(found - expected) <= band + 1e-6:
            r["detail"] += (f"; the difference is within the rounding of the printed terms ({checks._fmt(band)} kr.),"
                            " but the printed figures disagree")
        self.quality.append(r)
        return r

    # ---- output rows --------------------------------------------------------------
    def add_budget(self, *, org_unit, item_code, item_name, item_name_en, level, direction, phase, printed,
                   scale, line, budget_group, budget_type, revenue_kind=None, note=None, cell=None):
        if direction == "revenue" and printed is not None and printed > 0:
            note = "; ".join(x for x in [note, f"printed as a positive income ({cell or printed}): kept as a "
                                               "negative revenue"] if x)
        self.budget.append({
            "municipality_id": self.muni, "document_id": self.doc, "fiscal_year": FISCAL_YEAR, "period": PERIOD,
            "org_unit": org_unit, "item_code": item_code, "item_name": item_name, "item_name_en": item_name_en,
            "level": level, "direction": direction, "economic_type": "all", "phase": phase,
            "amount": _amount(printed, direction, scale), "currency": CURRENCY, "category": None,
            "source_ref": self.ref(line), "budget_type": budget_type, "budget_group": budget_group,
            "revenue_kind": revenue_kind, "source_unit": UNIT[scale], "trend": None, "note": note,
        })

    def positive_income(self, row: Row, col: int, column: str, scale: int, what: str) -> None:
        v = row.vals[col]
        if v is not None and v > 0:
            self.q(f"{what}: income printed positive ({row.label}, {column})", row.line, "a negative figure "
                   "(the document prints income negative)", v * scale, "warning",
                   f"printed {row.cells[col]}; kept as a negative revenue of {checks._fmt(v * scale)} kr.")

    # ---- walk the document ----------------------------------------------------------
    def run(self) -> None:
        ln, sector, ind_index = 1, None, 0
        while ln <= len(self.lines):
            text = self.line(ln)
            if "\t" not in text:
                if text.startswith(("Sektor ", "Sektor:")):
                    if text not in V.SECTOR_HEADINGS:
                        raise self.error("unknown sector heading", ln, "heading",
                                         "one of " + ", ".join(repr(h) for h in V.SECTOR_HEADINGS), text)
                    sector = V.SECTOR_HEADINGS[text]
                ln += 1
                continue
            first = text.split("\t")[0]
            if first == "Beløb i mio. kr." and text.split("\t")[1:2] == ["Regnskab"]:
                ln = self.read_overview(ln)
            elif first in V.SECTOR_TABLE_TITLES:
                ln = self.read_sector_table(ln)
            elif first in V.CHANGE_TABLE_TITLES:
                ln = self.read_change_table(ln)
            elif first in V.ACTIVITY_TITLES:
                self.expect_title(ln, len(text.split("\t")))
                ln = self.read_activities(ln + 1, self.need(sector, ln))
            elif first == "Beløb i mio. kr.":
                ln = self.read_activities(ln, self.need(sector, ln))
            elif first == V.CAPITAL_TITLE:
                ln = self.read_capital_mio(ln, self.need(sector, ln))
            elif first == V.CAPITAL_FINAL_HEADER[0]:
                ln = self.read_capital_final(ln, self.need(sector, ln))
            elif first == V.CAPITAL_PRELIM_HEADER[0]:
                ln = self.read_capital_prelim(ln, self.need(sector, ln))
            elif first in {t["title"] for t in V.INDICATOR_TABLES}:
                ln = self.read_indicators(ln, self.need(sector, ln), ind_index)
                ind_index += 1
            else:
                raise self.error("table row outside any known table", ln, "cell 1",
                                 "a known table title or header", first)
        self.cross_checks()
        self.read_goals()
        self.text_checks()

    def need(self, sector, ln):
        if sector is None:
            raise self.error("table before any sector heading", ln, "cell 1", "a 'Sektor ...' heading first",
                             self.line(ln).split("\t")[0])
        return sector

    # ---- 1. department overview (mio. kr.) ------------------------------------------
    def read_overview(self, ln: int) -> int:
        self.expect_header(ln, V.OVERVIEW_HEADER, "overview")
        self.expect_header(ln + 1, V.OVERVIEW_SUBHEADER, "overview")
        ln += 2
        group = group_label = None
        members: dict[str, list[Row]] = {}
        while not self.end(ln):
            row = self.parse_row(ln, V.OVERVIEW_COLUMNS)
            if row.label in V.OVERVIEW_SECTIONS and row.empty:
                group = group_label = None
            elif row.label in V.GROUP_LABELS and row.empty:
                group, group_label = V.GROUP_LABELS[row.label], row.label
                members[group] = []
            elif row.label in V.OVERVIEW_SECTORS and group:
                code = V.OVERVIEW_SECTORS[row.label]
                self.overview[(code, group)] = row
                members[group].append(row)
                self.overview_budget(row, code, group)
            elif group and row.label == f"{group_label} i alt":
                self.overview[("FB", group)] = row
                self.overview_budget(row, "FB", group)
                self.check_sum(f"overview: sectors sum to '{row.label}'", members[group], row, V.OVERVIEW_COLUMNS,
                               MIO)
            elif row.label == V.OVERVIEW_TOTAL:
                self.overview[("FB", "drift")] = row
                self.overview_budget(row, "FB", None)
                parts = [self.overview[("FB", g)] for g in members if ("FB", g) in self.overview]
                self.check_sum("overview: group totals sum to 'I alt Drift'", parts, row, V.OVERVIEW_COLUMNS, MIO)
                group = group_label = None
            else:
                raise self.unknown(row, "the department overview",
                                   list(V.OVERVIEW_SECTORS) + list(V.GROUP_LABELS) + ["<group> i alt",
                                                                                      V.OVERVIEW_TOTAL])
            ln += 1
        return ln

    def overview_budget(self, row: Row, code: str, group: str | None) -> None:
        if code == "FB":
            org_unit, org_en, level = V.DEPARTMENT, V.DEPARTMENT_EN, "total"
        else:
            org_unit, org_en = V.SECTORS[code]
            level = "area"
        group_en, budget_type = V.GROUPS[group] if group else ("operating total", "operating")
        item_code = f"{code}.{group or 'drift'}"
        note = "label truncated in the document (line 12); org_unit completed" if row.label != org_unit and \
            code == "ADM" else None
        for phase, start in (("actual", 0), ("adjusted_budget", 3)):
            for k, direction in enumerate(("expenditure", "revenue", "net")):
                self.add_budget(org_unit=org_unit, item_code=item_code, item_name=row.label,
                                item_name_en=f"{org_en}: {group_en}", level=level, direction=direction,
                                phase=phase, printed=row.vals[start + k], scale=MIO, line=row.line,
                                budget_group=group, budget_type=budget_type,
                                note="; ".join(x for x in [note, NOTE_INCOME_INCL_REFUSION
                                                           if direction == "revenue" else None] if x) or None)
        for start, phase in ((0, "Regnskab"), (3, "Korrigeret budget")):
            u, i, n = row.vals[start:start + 3]
            self.cmp(f"overview: Udgift + Indtægt = Netto ({row.label}, {group or 'drift'}, {phase})", row.line,
                     (_z(u) + _z(i)) * MIO, None if n is None else n * MIO,
                     sum(_half(c, MIO) for c in row.cells[start:start + 3]),
                     "tolerance: half a printed digit (0,05 mio. kr.) per figure")
        exp = (_z(row.vals[2]) - _z(row.vals[5])) * MIO
        self.cmp(f"overview: Afvigelse = Regnskab Netto - Korrigeret Netto ({row.label}, {group or 'drift'})",
                 row.line, exp, None if row.vals[6] is None else row.vals[6] * MIO,
                 sum(_half(row.cells[c], MIO) for c in (2, 5, 6)),
                 "tolerance: half a printed digit (0,05 mio. kr.) per figure")

    def check_sum(self, check, parts: list[Row], total: Row, columns: list[str], scale: int,
                  cols: range | None = None) -> None:
        """Each column of `total` equals the sum of `parts` (empty cells count as 0)."""
        for c in cols if cols is not None else range(len(total.vals)):
            terms = [p.vals[c] for p in parts]
            s = _sum(terms)
            found = total.vals[c]
            name = f"{check} [{columns[c + 1]}]"
            tol = sum(_half(p.cells[c], scale) for p in parts) + _half(total.cells[c], scale)
            if s is None and found is None:
                continue
            if found is None:
                self.q(name, total.line, s * scale, "(empty cell)", "contradiction" if s else "pass",
                       "the total cell is empty while its rows print figures", tol)
                continue
            where = f"rows {parts[0].line}-{parts[-1].line}" if parts else None
            if scale == TSD:  # whole thousands: tolerance 0.5 (printed unit); the rounding band goes to detail
                r = self.cmp(name, total.line, _z(s) * scale, found * scale, 500, where, band=tol)
            else:
                r = self.cmp(name, total.line, _z(s) * scale, found * scale, tol,
                             (where + "; " if where else "") + "tolerance: half a printed digit per figure")
            if r["status"] == "contradiction" and len(parts) > 1:
                for p in parts:
                    rest = _z(s) - _z(p.vals[c])
                    if p.vals[c] and abs(rest - found) * scale <= tol:
                        r["detail"] += f"; the printed total equals the sum without line {p.line} ({p.label})"

    # ---- 2. sector account tables (1.000 kr.) -------------------------------------------
    def read_sector_table(self, ln: int) -> int:
        code = V.SECTOR_TABLE_TITLES[self.line(ln).split("\t")[0]]
        self.expect_title(ln, 5)
        self.expect_header(ln + 1, V.SECTOR_HEADER, "sector table")
        cols = ["label"] + V.SECTOR_HEADER[1:]
        ln += 2
        groups: dict[str, dict[str, Row]] = {}
        totals: dict[str, Row] = {}
        group = None
        while not self.end(ln):
            row = self.parse_row(ln, cols)
            if row.label in V.GROUP_LABELS and row.empty:
                group = V.GROUP_LABELS[row.label]
                if group in groups:
                    raise self.error("group repeated in the sector table", ln, "label", "each group once", row.label)
                groups[group] = {}
            elif row.label in V.SECTOR_LINES and group:
                if row.label in groups[group]:
                    raise self.error("line repeated within a group", ln, "label", "each line once per group",
                                     row.label)
                groups[group][row.label] = row
            elif row.label in V.SECTOR_TOTALS:
                totals[row.label] = row
            else:
                raise self.unknown(row, "a sector table", list(V.GROUP_LABELS) + list(V.SECTOR_LINES)
                                   + list(V.SECTOR_TOTALS))
            ln += 1
        self.sector_tables[code] = {"groups": groups, "totals": totals}
        self.sector_budget(code, groups, totals)
        self.sector_checks(code, groups, totals)
        return ln

    def sector_budget(self, code, groups, totals) -> None:
        org_unit, org_en = V.SECTORS[code]
        for group, lines in groups.items():
            group_en, budget_type = V.GROUPS[group]
            for label, row in lines.items():
                direction, kind, en = V.SECTOR_LINES[label]
                for k, phase in enumerate(PHASES3):
                    self.add_budget(org_unit=org_unit, item_code=f"{code}.{group}", item_name=label,
                                    item_name_en=f"{org_en}: {group_en}, {en}", level="line",
                                    direction=direction, phase=phase, printed=row.vals[k], scale=TSD,
                                    line=row.line, budget_group=group, budget_type=budget_type, revenue_kind=kind,
                                    cell=row.cells[k])
                    if direction == "revenue":
                        self.positive_income(row, k, V.SECTOR_HEADER[k + 1], TSD, f"sector table {code}")
        for label, row in totals.items():
            suffix, en = V.SECTOR_TOTALS[label]
            budget_type = "operating" if suffix or "anlaeg" not in groups else None
            for k, phase in enumerate(PHASES3):
                self.add_budget(org_unit=org_unit, item_code=f"{code}.{suffix}" if suffix else code, item_name=label,
                                item_name_en=f"{org_en}: {en}", level="area", direction="net", phase=phase,
                                printed=row.vals[k], scale=TSD, line=row.line, budget_group=None,
                                budget_type=budget_type,
                                note=None if budget_type else "operating and capital (Anlæg)")

    def sector_checks(self, code, groups, totals) -> None:
        what = f"sector table {code}"
        for group, lines in groups.items():
            for label, row in lines.items():
                exp = (_z(row.vals[1]) - _z(row.vals[2])) * TSD
                self.cmp(f"{what}: Afvigelse = Regnskab - Korrigeret budget ({group}, {label})", row.line, exp,
                         _z(row.vals[3]) * TSD, 500, "empty cells count as 0", band=1000)
            net = lines.get("Netto")
            if net is None:
                continue
            parts = [lines[k] for k in ("Udgifter", "Indtægter", "Refusion") if k in lines]
            for k, col in enumerate(V.SECTOR_HEADER[1:4]):
                s = _sum(p.vals[k] for p in parts)
                if s is None and net.vals[k] is None:
                    continue
                self.cmp(f"{what}: Udgifter + Indtægter + Refusion = Netto ({group}, {col})", net.line,
                         _z(s) * TSD, _z(net.vals[k]) * TSD, 500, "empty cells count as 0",
                         band=500 * (len(parts) + 1))
        nets = {g: lines["Netto"] for g, lines in groups.items() if "Netto" in lines}
        for label, row in totals.items():
            use = [g for g in nets if label == "Sektor i alt" or V.GROUPS[g][1] == "operating"]
            parts = [nets[g] for g in use]
            for k, col in enumerate(V.SECTOR_HEADER[1:]):
                s = _sum(p.vals[k] for p in parts)
                r = self.cmp(f"{what}: group nets sum to '{label}' ({col})", row.line, _z(s) * TSD,
                             _z(row.vals[k]) * TSD, 500, f"groups: {', '.join(use)}", band=500 * (len(parts) + 1))
                if r["status"] == "contradiction":
                    for g in use:
                        rest = _sum(nets[x].vals[k] for x in use if x != g)
                        if rest is not None and row.vals[k] is not None and abs(rest - row.vals[k]) < 0.5:
                            r["detail"] += f"; the printed figure equals the sum without {g}"

    # ---- 3. approved budget changes (1.000 kr.) -----------------------------------------
    def read_change_table(self, ln: int) -> int:
        code = V.CHANGE_TABLE_TITLES[self.line(ln).split("\t")[0]]
        self.expect_title(ln, 4)
        self.expect_header(ln + 1, V.CHANGE_HEADER, "budget change table")
        cols = ["label"] + V.CHANGE_HEADER[1:]
        ln += 2
        table: dict = {}
        group = None
        org_unit = V.SECTORS[code][0]
        while not self.end(ln):
            row = self.parse_row(ln, cols)
            g = table.get(group)
            if row.label in V.GROUP_LABELS and row.empty:
                group = V.GROUP_LABELS[row.label]
                table[group] = {"original": None, "changes": [], "corrected": None, "subtotals": []}
            elif g is not None and row.label == V.CHANGE_ORIGINAL:
                g["original"] = row
            elif g is not None and row.label in V.CHANGE_CORRECTED:
                if V.CHANGE_CORRECTED[row.label] != group:
                    raise self.error("corrected budget line of another group", ln, "label",
                                     f"'Korrigeret budget' for {group}", row.label)
                g["corrected"] = row
            elif g is not None and row.label in V.CHANGE_SUBHEADINGS and row.empty:
                pass
            elif g is not None and row.label in V.CHANGE_SUBTOTALS and row.cells[:2] == ["", ""]:
                g["subtotals"].append((row, len(g["changes"])))
            elif g is not None and row.label in V.CHANGE_EN:
                g["changes"].append(row)
                for k, direction in enumerate(("expenditure", "revenue", "net")):
                    self.changes.append({
                        "municipality_id": self.muni, "document_id": self.doc, "fiscal_year": FISCAL_YEAR,
                        "org_unit": org_unit, "budget_group": group, "change": row.label,
                        "change_en": V.CHANGE_EN[row.label], "direction": direction,
                        "amount": _amount(row.vals[k], direction, TSD), "currency": CURRENCY,
                        "source_ref": self.ref(ln), "source_unit": UNIT[TSD]})
            elif row.label == V.CHANGE_SECTOR_TOTAL:
                table["_total"] = row
            else:
                raise self.unknown(row, "a budget change table",
                                   "a group heading, 'Oprindeligt budget 2014', 'Korrigeret budget ...', "
                                   "'Sektor i alt' or a change label listed in aalborg_vocab.CHANGE_EN")
            ln += 1
        self.change_tables[code] = table
        self.change_checks(code, table)
        return ln

    def change_checks(self, code, table) -> None:
        what = f"budget changes {code}"
        cols = V.CHANGE_HEADER[1:]
        for group, g in ((k, v) for k, v in table.items() if k != "_total"):
            rows = [r for r in [g["original"], *g["changes"], g["corrected"]] if r is not None]
            for row in rows:
                if row.vals[2] is None and row.vals[0] is None and row.vals[1] is None:
                    continue
                self.cmp(f"{what}: Udgift + Indtægt = Netto ({group}, {row.label})", row.line,
                         (_z(row.vals[0]) + _z(row.vals[1])) * TSD, _z(row.vals[2]) * TSD, 500,
                         "empty cells count as 0", band=1500)
            if g["original"] is None or g["corrected"] is None:
                raise self.error("change table group without 'Oprindeligt budget 2014' and 'Korrigeret budget'",
                                 (g["original"] or g["corrected"] or rows[0]).line if rows else None, "label",
                                 "both lines", group)
            for k, col in enumerate(cols):
                s = _z(g["original"].vals[k]) + sum(_z(r.vals[k]) for r in g["changes"])
                self.cmp(f"{what}: original + changes = corrected ({group}, {col})", g["corrected"].line,
                         s * TSD, _z(g["corrected"].vals[k]) * TSD, 500,
                         f"{len(g['changes'])} change rows; empty cells count as 0",
                         band=500 * (len(g["changes"]) + 2))
            for sub, start in g["subtotals"]:
                following = g["changes"][start:]
                s = sum(_z(r.vals[2]) for r in following)
                self.cmp(f"{what}: subtotal '{sub.label}' = sum of the change rows below it ({group}, Netto)",
                         sub.line, s * TSD, _z(sub.vals[2]) * TSD, 500,
                         f"rows {following[0].line}-{following[-1].line}" if following else None)
        total = table.get("_total")
        if total is not None:
            corr = [g["corrected"] for k, g in table.items() if k != "_total"]
            self.check_sum(f"{what}: corrected budgets sum to 'Sektor i alt'", corr, total, ["label"] + cols, TSD)

    # ---- 4. operating activities (mio. kr.) ------------------------------------------
    def read_activities(self, ln: int, code: str) -> int:
        head = self.cells(ln)
        skip = 1 if head[1:2] == ["1000"] else 0
        self.expect_header(ln, ["Beløb i mio. kr."] + ["1000"] * skip + V.ACTIVITY_HEADER, "activity table")
        self.expect_header(ln + 1, [""] * (1 + skip) + V.ACTIVITY_SUBHEADER, "activity table")
        if skip:
            self.q(f"activities {code}: extra column '1000' in the header", ln, "8 columns", "9 columns", "info",
                   "the column is empty in every row and is ignored; the figures are mio. kr.")
        cols = ["label"] + V.ACTIVITY_COLUMNS
        ln += 2
        groups: dict = {}
        group = None
        table_total = None
        known = V.ACTIVITIES[code]
        while not self.end(ln):
            row = self.parse_row(ln, cols, skip)
            self.cell_quirks(row, code)
            g = groups.get(group)
            if row.label in V.GROUP_LABELS and (row.empty or (row.label not in known and
                                                              all(v == 0 for v in row.vals))):
                group = V.GROUP_LABELS[row.label]
                groups[group] = {"rows": [], "total": None, "line": ln}
                if not row.empty:
                    self.q(f"activities {code}: group heading '{row.label}' prints figures", ln, "empty cells",
                           " / ".join(row.cells), "warning",
                           "a heading row prints 0,0 in every column; its rows and 'I alt' carry the figures")
            elif row.label == V.PLACEHOLDER:
                if any(v for v in row.vals if v is not None):
                    raise self.error("placeholder row '...' with figures", ln, "label", "no figures other than 0",
                                     "\t".join(row.cells))
                self.q(f"activities {code}: placeholder row '...' skipped", ln, None, " / ".join(row.cells),
                       "info", "no budget rows are produced for it")
            elif g is not None and row.label == V.ACTIVITY_GROUP_TOTAL and g["total"] is None:
                g["total"] = row
            elif g is not None and row.label in known:
                g["rows"].append(row)
            elif row.label == V.ACTIVITY_TABLE_TOTAL:
                table_total = row
            else:
                raise self.unknown(row, f"the activity table of sector {code}",
                                   list(known) + [V.ACTIVITY_GROUP_TOTAL, V.ACTIVITY_TABLE_TOTAL])
            ln += 1
        self.activities[code] = {"groups": groups, "total": table_total}
        self.activity_budget(code, groups)
        self.activity_checks(code, groups, table_total)
        return ln

    def cell_quirks(self, row: Row, code: str) -> None:
        for cell, col in zip(row.cells, V.ACTIVITY_COLUMNS):
            c = cell.lstrip("-")
            if re.fullmatch(r"\d+,\d{2,}", c):
                self.q(f"activities {code}: figure with {len(c.split(',')[1])} decimals in a mio. kr. table "
                       f"({row.label}, {col})", row.line, "one decimal (mio. kr.)", cell, "warning",
                       f"read as {cell} mio. kr. = {checks._fmt(self.num(cell, row.line, col) * MIO)} kr. "
                       "(thousand-kroner precision)")
            elif re.fullmatch(r"\d{4,}(,\d+)?", c):
                self.q(f"activities {code}: figure without thousands separator ({row.label}, {col})", row.line,
                       "1.034,0 style", cell, "info", "parsed as printed")

    def activity_codes(self, code: str, groups: dict) -> dict:
        slugs: dict[str, set] = {}
        for group, g in groups.items():
            for row in g["rows"]:
                slugs.setdefault(V.slug(row.label), set()).add(group)
        return {(group, row.label): (f"{code}.{group}.{V.slug(row.label)}" if len(slugs[V.slug(row.label)]) > 1
                                     else f"{code}.{V.slug(row.label)}")
                for group, g in groups.items() for row in g["rows"]}

    def activity_budget(self, code: str, groups: dict) -> None:
        org_unit, _ = V.SECTORS[code]
        item_codes = self.activity_codes(code, groups)
        for group, g in groups.items():
            budget_type = V.GROUPS[group][1]
            for row in g["rows"]:
                reimb = row.label.startswith("Refusion") or group == "refusion_100"
                function = V.ACTIVITY_FUNCTIONS.get((code, row.label))
                fnote = None
                if function:
                    fnote = f"kontoplan function {function[0]} (line {self.find_line(function[1])})"
                for k, phase in enumerate(PHASES3):
                    for j, direction in enumerate(("expenditure", "revenue")):
                        c = 2 * k + j
                        self.add_budget(org_unit=org_unit, item_code=item_codes[(group, row.label)],
                                        item_name=row.label, item_name_en=V.ACTIVITIES[code][row.label],
                                        level="product", direction=direction, phase=phase, printed=row.vals[c],
                                        scale=MIO, line=row.line, budget_group=group, budget_type=budget_type,
                                        revenue_kind="reimbursement" if reimb and direction == "revenue" else None,
                                        note="; ".join(x for x in [
                                            fnote, NOTE_INCOME_INCL_REFUSION if direction == "revenue" and not reimb
                                            else None] if x) or None, cell=row.cells[c])
                        if direction == "revenue":
                            self.positive_income(row, c, V.ACTIVITY_COLUMNS[c], MIO, f"activities {code}")

    def activity_checks(self, code: str, groups: dict, table_total: Row | None) -> None:
        what = f"activities {code}"
        for group, g in groups.items():
            for row in g["rows"] + ([g["total"]] if g["total"] else []):
                self.activity_deviation(what, group, row)
            if g["total"] is not None:
                self.check_sum(f"{what}: rows sum to 'I alt' ({group})", g["rows"], g["total"],
                               ["label"] + V.ACTIVITY_COLUMNS, MIO)
        if table_total is not None:
            parts = [g["total"] or self.synthetic_total(g["rows"]) for g in groups.values()]
            self.activity_deviation(what, "all groups", table_total)
            self.check_sum(f"{what}: group totals sum to 'I alt driftsaktiviteter'", parts, table_total,
                           ["label"] + V.ACTIVITY_COLUMNS, MIO)

    def synthetic_total(self, rows: list[Row]) -> Row:
        """A group without an 'I alt' row: its single row stands for the group."""
        if len(rows) != 1:
            raise self.error("activity group without an 'I alt' row", rows[-1].line if rows else None, "label",
                             "'I alt' after a group of several rows", rows[-1].label if rows else None)
        return rows[0]

    def activity_deviation(self, what: str, group: str, row: Row) -> None:
        v, c = row.vals, row.cells
        exp = (_z(v[2]) + _z(v[3]) - _z(v[4]) - _z(v[5])) * MIO
        found = None if v[6] is None else v[6] * MIO
        if found is None and not any(x for x in v[2:6] if x):
            return
        tol = sum(_half(c[i], MIO) for i in range(2, 7))
        name = f"{what}: Afvigelse netto = Regnskab - Korrigeret budget ({group}, {row.label})"
        if found is not None and abs(found - exp) > tol and abs(found + exp) <= tol:
            self.q(name, row.line, exp, found, "contradiction",
                   "the sign is reversed: the figure equals Korrigeret budget - Regnskab, while the document's "
                   "Afvigelse is Regnskab - Korrigeret budget elsewhere (sector tables, overview)", tol)
            return
        self.cmp(name, row.line, exp, found, tol, "empty cells count as 0; tolerance: half a printed digit per figure")

    # ---- 5. indicators ------------------------------------------------------------------
    def read_indicators(self, ln: int, code: str, index: int) -> int:
        title = self.line(ln).split("\t")[0]
        if index >= len(V.INDICATOR_TABLES):
            raise self.error("more indicator tables than known", ln, "cell 1", "no further indicator table", title)
        spec = V.INDICATOR_TABLES[index]
        if spec["title"] != title or spec["sector"] != code:
            raise self.error("unexpected indicator table", ln, "cell 1",
                             f"'{spec['title']}' of sector {spec['sector']}", f"'{title}' in sector {code}")
        header = spec["header"]
        self.expect_title(ln, len(header))
        self.expect_header(ln + 1, header, "indicator table")
        ln += 2
        measures = spec.get("measures")
        if measures:
            self.expect_header(ln, ["", measures[0][0], measures[1][0], measures[0][0], measures[1][0]],
                               "indicator table")
            ln += 1
        phase_cols = [(i, "actual" if h == "Regnskab" else "original_budget") for i, h in enumerate(header)
                      if h in ("Regnskab", "Oprindeligt budget")]
        previous = None
        for label, meta in spec["rows"]:
            if self.end(ln):
                raise self.error("indicator table ends early", ln, "label", repr(label), self.line(ln))
            cells = self.cells(ln, len(header), ["label"] + header[1:])
            if cells[0] != label:
                raise self.error("unknown row label in an indicator table", ln, "label", repr(label), cells[0])
            if meta is None:
                if any(cells[1:]):
                    raise self.error("heading row with figures", ln, header[1] or "cell 2", "empty cells",
                                     "\t".join(cells[1:]))
            elif measures:
                for i, phase in phase_cols:
                    for j, (m, m_en, group) in enumerate(measures):
                        self.add_indicator(code, f"{m}: {label}", f"{m_en}: {meta[0]} ({meta[1]})", "places", phase,
                                           cells[i + j], ln, f"{header[i]} {m}", group)
            else:
                for i, c in enumerate(cells[1:], 1):
                    if c and i not in dict(phase_cols):
                        raise self.error("figure in a column without a phase", ln, header[i], "an empty cell", c)
                for i, phase in phase_cols:
                    self.add_indicator(code, meta[0], meta[1], meta[2], phase, cells[i], ln, header[i], meta[3],
                                       spec.get("note"))
            previous = label
            ln += 1
        if not self.end(ln):
            raise self.error("row beyond the known indicator table", ln, "label", "an empty line after "
                             f"'{previous}'", self.line(ln).split("\t")[0])
        return ln

    def add_indicator(self, code, indicator, indicator_en, unit, phase, cell, ln, column, group, note=None):
        value = self.num(cell, ln, column)
        self.ind[(indicator, phase)] = (value, ln, cell)
        self.indicators.append({
            "municipality_id": self.muni, "document_id": self.doc, "fiscal_year": FISCAL_YEAR, "item_code": code,
            "indicator": indicator, "indicator_en": indicator_en, "unit": unit, "phase": phase, "value": value,
            "category": None, "source_ref": self.ref(ln), "indicator_group": group, "period": PERIOD, "note": note})

    def indicator_checks(self) -> None:
        for phase in ("actual", "original_budget"):
            for total, parts, prefix in V.INDICATOR_SUMS:
                tv, tln, tcell = self.ind[(total, phase)]
                terms = [self.ind[(prefix + p, phase)] for p in parts]
                tol = sum(_half(t[2], 1) for t in terms) + _half(tcell, 1)
                self.cmp(f"indicators: rows sum to '{total}' ({phase})", tln, sum(_z(t[0]) for t in terms), tv,
                         tol if tol < 0.5 else 0.5, f"rows {terms[0][1]}-{terms[-1][1]}")
            for age, children in (("0-2", "Antal børn 0-2 år"),
                                  ("3-5", "Børn i alt 3-5 år (inkl. 6-årige der udsætter skolestart)")):
                places = self.ind[(f"Antal pladser {age} år: I alt", phase)]
                kids = self.ind[(children, phase)]
                rate = self.ind[(f"Dækningsgrad {age} år", phase)]
                self.cmp(f"indicators: Dækningsgrad {age} år = places / children x 100 ({phase})", rate[1],
                         round(places[0] / kids[0] * 100, 3), rate[0], 0.05,
                         f"{places[2]} / {kids[2]} (lines {places[1]}, {kids[1]}); tolerance half a printed digit")
            a = self.ind[("Antal børn 3-5 år", phase)]
            b = self.ind[("Antal 6-årige der udsætter skolestart (forudsat i budgettet)", phase)]
            t = self.ind[("Børn i alt 3-5 år (inkl. 6-årige der udsætter skolestart)", phase)]
            self.cmp(f"indicators: Antal børn 3-5 år + 6-årige = Børn i alt ({phase})", t[1], a[0] + b[0], t[0],
                     0.5)
            for age in ("0-2", "3-5"):
                x = self.ind[(f"Antal børn {age} år (gennemsnit af 2014)", phase)]
                y = self.ind[(f"Antal børn {age} år", phase)]
                self.cmp(f"indicators: children {age} in the key figures = Antal børn in the coverage table ({phase})",
                         y[1], x[0], y[0], 0.5, f"line {x[1]}")
            for (name, ph), (v, ln, _) in list(self.ind.items()):
                if ph == phase and name.endswith(" - heraf solgt til Aalborg Kommune"):
                    parent = self.ind[(name.removesuffix(" - heraf solgt til Aalborg Kommune"), phase)]
                    ok = v <= parent[0]
                    self.q(f"indicators: 'heraf solgt til Aalborg Kommune' <= places ({name}, {phase})", ln,
                           f"<= {parent[2]} (line {parent[1]})", v, "pass" if ok else "contradiction")

    # ---- 7. capital projects --------------------------------------------------------------
    def read_capital_mio(self, ln: int, code: str) -> int:
        cells = self.cells(ln, 4)
        if cells != [V.CAPITAL_TITLE, "", "", "Beløb i mio. kr."]:
            raise self.error("unexpected capital table title", ln, "cell 4", "'Beløb i mio. kr.'", cells[3])
        self.expect_header(ln + 1, V.CAPITAL_HEADER, "capital project table")
        cols = ["label", "Korrigeret budget", "Regnskab"]
        ln += 2
        func = None
        org_unit = V.SECTORS[code][0]
        while not self.end(ln):
            cells = self.cells(ln, 4, cols + ["Korte bemærkninger"])
            label, remark = cells[0], cells[3]
            row = Row(label, cells[1:3], [self.num(c, ln, col) for c, col in zip(cells[1:3], cols[1:])], ln)
            m_total = re.fullmatch(r"(\d\d\.\d\d) (.+), i alt", label)
            m_func = re.fullmatch(r"(\d\d\.\d\d) (.+)", label)
            if m_total and func == m_total.group(1):
                self.capital["mio_total"] = row
            elif m_func and row.empty and not remark:
                func = m_func.group(1)
                if func not in V.FUNCTIONS:
                    raise self.error("unknown function number", ln, "label", "one of " + ", ".join(V.FUNCTIONS), func)
            elif func and label in V.CAPITAL_PROJECTS:
                key, en = V.CAPITAL_PROJECTS[label]
                self.capital["mio"][key] = row
                for k, phase in ((0, "adjusted_budget"), (1, "actual")):
                    self.add_budget(org_unit=org_unit, item_code=f"{code}.{func}.{key}", item_name=label,
                                    item_name_en=en, level="line", direction="expenditure", phase=phase,
                                    printed=row.vals[k], scale=MIO, line=ln, budget_group="anlaeg",
                                    budget_type="capital",
                                    note=f"function {func} {V.FUNCTIONS[func]}; remark: {remark}" if remark
                                    else f"function {func} {V.FUNCTIONS[func]}")
            else:
                raise self.unknown(row, "the capital project table", list(V.CAPITAL_PROJECTS)
                                   + ["<function> <name>", "<function> <name>, i alt"])
            ln += 1
        total = self.capital["mio_total"]
        if total is not None:
            parts = list(self.capital["mio"].values())
            self.check_sum("capital projects: projects sum to the function total", parts, total,
                           ["label", "Korrigeret budget", "Regnskab"], MIO)
        return ln

    def read_capital_final(self, ln: int, code: str) -> int:
        self.expect_header(ln, V.CAPITAL_FINAL_HEADER, "final capital accounts")
        self.expect_header(ln + 1, V.CAPITAL_FINAL_SUBHEADER, "final capital accounts")
        cols = V.CAPITAL_FINAL_COLUMNS
        ln += 2
        func = None
        while not self.end(ln):
            cells = self.cells(ln, len(cols), cols)
            m_proj = re.fullmatch(r"(\d{10}) (.+)", cells[0])
            if re.fullmatch(r"\d\d\.\d\d .+", cells[0]) and not any(cells[1:]):
                func = cells[0][:5]
                if func not in V.FUNCTIONS:
                    raise self.error("unknown function number", ln, cols[0], "one of " + ", ".join(V.FUNCTIONS), func)
            elif func and m_proj and m_proj.group(2) in V.CAPITAL_PROJECTS:
                vals = self.capital_row(cells, ln, cols, [2, 3, 4, 5, 6], [7, 8])
                number, name = m_proj.groups()
                self.capital["final"][number] = (name, vals, ln)
                note = (f"final capital accounts (1.000 kr.): appropriation {cells[2]}, spent before 2014 {cells[3]}, "
                        f"total spent {cells[5]}, variance {cells[6]}, started {cells[7]}, finished {cells[8]}; "
                        f"function {func}")
                self.capital_budget(code, number, name, cells[1], vals[4], ln, note)
                self.cmp(f"final capital accounts: Primo + årets forbrug = Forbrug i alt ({number})", ln,
                         (vals[3] + vals[4]) * TSD, vals[5] * TSD, 500, band=1500)
                self.cmp(f"final capital accounts: Forbrug i alt - bevilling = Afvigelse ({number})", ln,
                         (vals[5] - vals[2]) * TSD, vals[6] * TSD, 500, band=1500)
            else:
                raise self.error("unknown row in the final capital accounts", ln, cols[0],
                                 "'<function> <name>' or '<10-digit project number> <known project name>'", cells[0])
            ln += 1
        return ln

    def read_capital_prelim(self, ln: int, code: str) -> int:
        self.expect_header(ln, V.CAPITAL_PRELIM_HEADER, "preliminary capital accounts")
        self.expect_header(ln + 1, V.CAPITAL_PRELIM_SUBHEADER, "preliminary capital accounts")
        cols = V.CAPITAL_PRELIM_COLUMNS
        ln += 2
        while not self.end(ln):
            cells = self.cells(ln, len(cols), cols)
            m = re.fullmatch(r"(\d\d\.\d\d) (.+?) (\d{10}) (.+)", cells[0])
            if not (m and m.group(1) in V.FUNCTIONS and m.group(4) in V.CAPITAL_PROJECTS):
                raise self.error("unknown row in the preliminary capital accounts", ln, cols[0],
                                 "'<function> <name> <10-digit project number> <known project name>'", cells[0])
            vals = self.capital_row(cells, ln, cols, [2, 4, 5, 6, 7, 8], [9])
            func, _, number, name = m.groups()
            self.capital["prelim"][number] = (name, vals, ln)
            note = (f"preliminary capital accounts (1.000 kr.): total project sum {cells[2]}, appropriation "
                    f"{cells[4] or 'empty'} (date {cells[3] or 'empty'}), spent before 2014 {cells[5]}, total spent "
                    f"{cells[7]}, expected remaining {cells[8]}, to finish {cells[9]}; function {func}")
            self.capital_budget(code, number, name, cells[1], vals[6], ln, note)
            self.cmp(f"preliminary capital accounts: Primo + årets forbrug = Forbrug i alt ({number})", ln,
                     (_z(vals[5]) + _z(vals[6])) * TSD, _z(vals[7]) * TSD, 500, band=1500)
            self.cmp(f"preliminary capital accounts: Forbrug i alt + restforbrug = Anlægssum ({number})", ln,
                     (_z(vals[7]) + _z(vals[8])) * TSD, _z(vals[2]) * TSD, 500, band=1500)
            ln += 1
        return ln

    def capital_row(self, cells, ln, cols, numeric, dates) -> dict:
        if cells[1] not in ("U", "I"):
            raise self.error("unknown U/I marker", ln, cols[1], "'U' (expenditure) or 'I' (income)", cells[1])
        for i in dates:
            if not re.fullmatch(r"[a-zæøå]{3}-\d\d", cells[i]):
                raise self.error("not a month like 'jan-14'", ln, cols[i], "a month like 'jan-14'", cells[i])
        return {i: self.num(cells[i], ln, cols[i]) for i in numeric}

    def capital_budget(self, code, number, name, ui, printed, ln, note) -> None:
        key, en = V.CAPITAL_PROJECTS[name]
        direction = "expenditure" if ui == "U" else "revenue"
        self.add_budget(org_unit=V.SECTORS[code][0], item_code=number, item_name=name, item_name_en=en,
                        level="line", direction=direction, phase="actual",
                        printed=printed if direction == "expenditure" else -printed, scale=TSD, line=ln,
                        budget_group="anlaeg", budget_type="capital", note=note)

    def capital_checks(self) -> None:
        total = self.capital["mio_total"]
        bu = self.sector_tables.get("BU", {}).get("groups", {}).get("anlaeg", {})
        ov = self.overview.get(("BU", "anlaeg"))
        if total is not None and ov is not None:
            for k, (col, oc) in enumerate((("Korrigeret budget", 3), ("Regnskab", 0))):
                self.cmp(f"capital projects: function total vs overview Anlæg Udgift ({col})", total.line,
                         ov.vals[oc] * MIO, total.vals[k] * MIO, _half(total.cells[k], MIO) + _half(ov.cells[oc], MIO),
                         f"overview line {ov.line}")
        if total is not None and "Udgifter" in bu:
            for k, (col, sc) in enumerate((("Korrigeret budget", 2), ("Regnskab", 1))):
                self.cmp(f"capital projects: function total vs sector table Anlæg Udgifter ({col})", total.line,
                         bu["Udgifter"].vals[sc] * TSD, total.vals[k] * MIO, _half(total.cells[k], MIO) + 500,
                         f"sector table line {bu['Udgifter'].line}")
        projects = {**{n: (nm, v[4], ln) for n, (nm, v, ln) in self.capital["final"].items()},
                    **{n: (nm, v[6], ln) for n, (nm, v, ln) in self.capital["prelim"].items()}}
        for number, (name, spent, ln) in projects.items():
            key = V.CAPITAL_PROJECTS[name][0]
            mio = self.capital["mio"].get(key)
            if mio is None:
                self.q(f"capital projects: project {number} missing from the mio. kr. project table", ln,
                       name, None, "info")
                continue
            self.cmp(f"capital projects: Regnskab (mio. kr.) vs årets forbrug ({number} {name})", mio.line,
                     spent * TSD, mio.vals[1] * MIO, _half(mio.cells[1], MIO) + 500, f"final/preliminary line {ln}")
        for number, (name, v, ln) in self.capital["final"].items():
            mio = self.capital["mio"].get(V.CAPITAL_PROJECTS[name][0])
            if mio is not None:
                self.cmp(f"capital projects: Korrigeret budget (mio. kr.) vs appropriation - primo ({number})",
                         mio.line, (v[2] - v[3]) * TSD, mio.vals[0] * MIO, _half(mio.cells[0], MIO) + 1000,
                         f"derived relation (not stated in the text); line {ln}", on_fail="warning")
        if "Udgifter" in bu and projects:
            s = sum(spent for _, spent, _ in projects.values())
            row = bu["Udgifter"]
            self.cmp("capital projects: årets forbrug of all projects = sector table Anlæg Udgifter (Regnskab)",
                     row.line, s * TSD, row.vals[1] * TSD, 500,
                     f"{len(projects)} projects (final and preliminary accounts)", band=500 * (len(projects) + 1))
        # project numbers in the remarks text vs the table
        by_name = {nm: n for n, (nm, _, _) in self.capital["final"].items()}
        for ln, text in enumerate(self.lines, 1):
            m = re.fullmatch(r"Projekt nr\. (\d{10}) - (.+)\.", text.strip())
            if not m:
                continue
            number, name = m.groups()
            table_number = by_name.get(name)
            if table_number is None:
                continue
            self.q(f"capital projects: project number in the remarks vs the final accounts ({name})", ln,
                   table_number, number, "pass" if table_number == number else "warning",
                   None if table_number == number else
                   f"the final accounts table (line {self.capital['final'][table_number][2]}) numbers the project "
                   f"{table_number}; budget rows use the table's number")

    # ---- cross-table checks -----------------------------------------------------------
    def cross_checks(self) -> None:
        self.overview_vs_sectors()
        self.changes_vs_sectors()
        self.activities_vs_sectors()
        self.indicator_checks()
        self.capital_checks()

    def sector_figures(self, code: str, group: str, k: int):
        """Udgifter, Indtægter+Refusion, Netto of a sector table group in column k (printed signs, 1.000 kr.)."""
        lines = self.sector_tables[code]["groups"][group]
        get = lambda label: lines[label].vals[k] if label in lines else None  # noqa: E731
        refs = [lines[x].line for x in ("Indtægter", "Refusion") if x in lines]
        return get("Udgifter"), _sum([get("Indtægter"), get("Refusion")]), get("Netto"), refs

    def overview_vs_sectors(self) -> None:
        for (code, group), row in self.overview.items():
            if code == "FB" or code not in self.sector_tables:
                continue
            lines = self.sector_tables[code]["groups"].get(group)
            if lines is None:
                self.q(f"overview vs sector table: group missing in sector table {code} ({group})", row.line,
                       group, None, "contradiction")
                continue
            for phase, start, k in (("Regnskab", 0, 1), ("Korrigeret budget", 3, 2)):
                u, i, n, refs = self.sector_figures(code, group, k)
                for j, (name, sv, terms) in enumerate((("Udgift", u, 1), ("Indtægt incl. Refusion", i, len(refs)),
                                                      ("Netto", n, 1))):
                    self.cmp(f"overview vs sector table {code}: {name} ({group}, {phase})", row.line,
                             None if sv is None else sv * TSD,
                             None if row.vals[start + j] is None else row.vals[start + j] * MIO,
                             _half(row.cells[start + j], MIO) + 500 * max(terms, 1),
                             f"sector table line {lines['Netto'].line if 'Netto' in lines else '?'}; "
                             "tolerance: 0,05 mio. kr. + 500 kr. per 1.000 kr. figure",
                             band=(_half(row.cells[start], MIO) + _half(row.cells[start + 1], MIO) + 1000
                                   if j == 2 else None))
            net = lines.get("Netto")
            if net is not None:
                self.cmp(f"overview vs sector table {code}: Afvigelse Netto ({group})", row.line, net.vals[3] * TSD,
                         row.vals[6] * MIO, _half(row.cells[6], MIO) + 500, f"sector table line {net.line}",
                         band=sum(_half(row.cells[c], MIO) for c in (0, 1, 3, 4)) + 500)

    def changes_vs_sectors(self) -> None:
        for code, table in self.change_tables.items():
            sector = self.sector_tables.get(code)
            if sector is None:
                continue
            for group, g in ((k, v) for k, v in table.items() if k != "_total"):
                if group not in sector["groups"]:
                    self.q(f"budget changes {code} vs sector table: group missing ({group})", g["original"].line,
                           group, None, "contradiction")
                    continue
                for label, row, k in (("original", g["original"], 0), ("corrected", g["corrected"], 2)):
                    u, i, n, refs = self.sector_figures(code, group, k)
                    for j, (name, sv) in enumerate((("Udgift", u), ("Indtægt vs Indtægter + Refusion", i),
                                                    ("Netto", n))):
                        if sv is None and row.vals[j] is None:
                            continue
                        self.cmp(f"budget changes {code} vs sector table: {label} {name} ({group})", row.line,
                                 _z(sv) * TSD, _z(row.vals[j]) * TSD, 500,
                                 f"sector table line {sector['groups'][group]['Netto'].line}; empty cells count as 0",
                                 band=1000 if j == 1 else None)
            total, st = table.get("_total"), sector["totals"].get("Sektor i alt")
            if total is not None and st is not None:
                self.cmp(f"budget changes {code} vs sector table: 'Sektor i alt' Netto (corrected)", total.line,
                         st.vals[2] * TSD, total.vals[2] * TSD, 500, f"sector table line {st.line}")

    def activities_vs_sectors(self) -> None:
        for code, act in self.activities.items():
            sector = self.sector_tables.get(code)
            if sector is None:
                continue
            totals: dict[str, list] = {}
            rows: dict[str, list] = {}
            for group, g in act["groups"].items():
                target = V.ACTIVITY_GROUP_IN_SECTOR.get((code, group), group)
                totals.setdefault(target, []).append(g["total"] or self.synthetic_total(g["rows"]))
                rows.setdefault(target, []).extend(g["rows"])
            for group, parts in totals.items():
                if group not in sector["groups"]:
                    self.q(f"activities {code} vs sector table: group missing ({group})", parts[0].line, group, None,
                           "contradiction")
                    continue
                self.activity_vs_sector(code, group, parts, [group], rows[group])
            total = act["total"]
            if total is not None:
                ops = [g for g in sector["groups"] if V.GROUPS[g][1] == "operating"]
                self.activity_vs_sector(code, "I alt driftsaktiviteter vs operating groups", [total], ops,
                                        [r for rs in rows.values() for r in rs])

    def sector_lines(self, code: str, groups: list[str]) -> str:
        lines = [r.line for g in groups for r in self.sector_tables[code]["groups"][g].values()]
        return f"{min(lines)}-{max(lines)}" if lines else "?"

    def activity_vs_sector(self, code, name, parts: list[Row], groups: list[str], rows: list[Row]) -> None:
        """Activity totals (`parts`, sums of the rounded `rows`) vs the sector table's `groups`."""
        detail = (f"sector groups {', '.join(groups)} (lines {self.sector_lines(code, groups)}); tolerance: half a "
                  "printed digit for each activity row summed into the total, plus 500 kr. per 1.000 kr. figure")
        checks_ = [(2 * k + j, k, j, f"{label} ({name}, {phase})")
                   for k, phase in enumerate(("Oprindeligt budget", "Regnskab", "Korrigeret budget"))
                   for j, label in ((0, "Udgift"), (1, "Indtægt vs Indtægter + Refusion"))]
        checks_.append((6, 3, 2, f"Afvigelse netto vs Netto Afvigelse ({name})"))
        for c, k, j, label in checks_:
            sv = _sum(self.sector_figures(code, g, k)[j] for g in groups)
            av = _sum(p.vals[c] for p in parts)
            if sv is None and av is None:
                continue
            tol = max(sum(_half(r.cells[c], MIO) for r in rows), sum(_half(p.cells[c], MIO) for p in parts))
            tol += 500 * len(groups) * (2 if j == 1 else 1)
            r = self.cmp(f"activities {code} vs sector table: {label}", parts[0].line,
                         None if sv is None else sv * TSD, None if av is None else av * MIO, tol, detail)
            if r["status"] == "contradiction" and c == 6 and abs(av * MIO + sv * TSD) <= tol:
                r["detail"] += "; the sign is reversed (Korrigeret budget - Regnskab)"

    # ---- 6. goals -------------------------------------------------------------------------
    def find_line(self, text: str) -> int:
        hits = [i for i, line in enumerate(self.lines, 1) if text in line]
        if len(hits) != 1:
            raise self.error("quoted goal text not found exactly once", None, "text", "one line containing "
                             f"{text!r}", f"{len(hits)} lines")
        return hits[0]

    def figure(self, spec, lines: list[int], column: str) -> float | None:
        if spec is None:
            return None
        printed, phrase = spec
        text = " ".join(self.line(ln) for ln in lines)
        if phrase.format(printed) not in text:
            raise self.error("goal figure not found", lines[0], column, repr(phrase.format(printed)), None)
        return self.num(printed, lines[0], column)

    def read_goals(self) -> None:
        for n, spec in enumerate(V.GOALS, 1):
            gline, qline = self.find_line(spec["goal"]), self.find_line(spec["quote"])
            lines = sorted({gline, qline})
            ref = self.ref(lines[0] if len(lines) == 1 else f"{lines[0]}-{lines[1]}")
            target = self.figure(spec["target"], lines, "target")
            result = self.figure(spec["result"], lines, "result")
            baseline = self.figure(spec["baseline"], lines, "baseline")
            status = spec.get("status") or self.goal_status(spec, target, result)
            achievement = None
            if status in ("met", "missed") and target and result:
                ratio = result / target if spec["direction"] == "higher_is_better" else target / result
                achievement = ratio * 100  # percent, unrounded (as the other sources)
            self.goals.append({
                "municipality_id": self.muni, "document_id": self.doc, "goal_id": f"{self.muni}-{FISCAL_YEAR}-g{n:02d}",
                "item_code": spec["item_code"], "goal": spec["goal"], "goal_en": spec["goal_en"],
                "perspective": spec["perspective"], "goal_type": spec["goal_type"], "metric": spec["metric"],
                "unit": spec["unit"], "direction": spec["direction"], "target": target, "result": result,
                "result_phase": "actual" if result is not None else None, "achievement_reported": None,
                "achievement": achievement, "status": status, "quantified": target is not None,
                "quote": spec["quote"], "source_ref": ref, "target_year": spec["target_year"],
                "baseline": baseline, "baseline_year": spec["baseline_year"], "metric_en": spec["metric_en"],
                "perspective_original": spec["perspective_original"], "note": spec["note"]})

    @staticmethod
    def goal_status(spec, target, result) -> str:
        if target is None:
            return "no_target"
        if result is None or (spec["target_year"] or FISCAL_YEAR) > FISCAL_YEAR:
            return "pending"
        better = result <= target if spec["direction"] == "lower_is_better" else result >= target
        return "met" if better else "missed"

    # ---- prose checks ------------------------------------------------------------------
    def phrase_value(self, ln: int, phrase: str, number: str, scale: float = 1.0) -> float:
        if phrase not in self.line(ln) or number not in phrase:
            raise self.error("expected phrase not found", ln, "text", repr(phrase), None)
        return self.num(number, ln, "text") * scale

    def text_checks(self) -> None:
        for anchor, a, b, diff, pct in V.TEXT_CHANGES:
            ln = self.find_line(anchor)
            text = self.line(ln)
            for fig in (a, b, diff, pct):
                if fig is not None and not re.search(rf"(?<![\d.,]){re.escape(fig)}(?![\d,]|\.\d)", text):
                    raise self.error("stated figure not found", ln, "text", repr(fig), None)
            x, y = self.num(a, ln, "text"), self.num(b, ln, "text")
            if diff is not None:
                self.cmp(f"text: stated change {diff} = {a} - {b}", ln, x - y, self.num(diff, ln, "text"), 0.5)
            self.cmp(f"text: stated change {pct} % = ({a} - {b}) / {a}", ln, round((x - y) / x * 100, 2),
                     self.num(pct, ln, "text"), 0.5, "percent printed as a whole number")
        for ln, text in enumerate(self.lines, 1):
            if "\t" in text:
                continue
            for m in re.finditer(r"(?<![\d,])(\d{1,3}(?:\.\d{3})+)\s?(mill\.|mio\.?\s?kr\.?)", text):
                v = self.num(m.group(1), ln, "text")
                self.q(f"text: '{m.group(0).strip()}' reads as {checks._fmt(v)} million kroner", ln, v * TSD,
                       v * MIO, "warning", f"the '.' is a decimal point here: {m.group(1).replace('.', ',')} mio. kr. "
                       "fits the tables (1.000 kr.)")
        # line 173: 4.900 = 2.543 + 6.115 - 3.758 (thousand kroner, see the warnings above)
        ln = self.find_line("overføres der samlet mindreudgifter på 4.900 mill.")
        total = self.phrase_value(ln, "mindreudgifter på 4.900 mill.", "4.900", TSD)
        parts = (self.phrase_value(ln, "hjælpe midler 2.543 mio kr", "2.543", TSD)
                 + self.phrase_value(ln, "kost og logi på 6.115 mio kr", "6.115", TSD)
                 - self.phrase_value(ln, "dækker 3.758 mio kr.", "3.758", TSD))
        self.cmp("text: net underspend 4.900 = 2.543 + 6.115 - 3.758 (specialised children's area)", ln, parts,
                 total, 500 * 4)
        ln = self.find_line("er der i alt et mindre forbrug på 12,6 mio. kr.")
        self.cmp("text: 12,6 mio. kr. = 11,2 + 1,4 mio. kr. (function 05.25)", ln,
                 self.phrase_value(ln, "mindre forbrug på 11,2 mio. kr.", "11,2", MIO)
                 + self.phrase_value(ln, "dagtilbud på 1,4 mio. kr.", "1,4", MIO),
                 self.phrase_value(ln, "i alt et mindre forbrug på 12,6 mio. kr.", "12,6", MIO), 150_000)
        day = next((r for r in self.activities.get("BU", {}).get("groups", {}).get("serviceudgifter", {})
                    .get("rows", []) if r.label == "Dagpleje og daginstitutioner"), None)
        if day is not None:
            self.q("text vs activities: underspend on function 05.25 vs Afvigelse of 'Dagpleje og daginstitutioner'",
                   ln, -day.vals[6] * MIO, 12.6 * MIO, "info",
                   f"activity line {day.line}; the function may cover more than the activity")
        ln = self.find_line("administrations sektoren udgør netto 25.216 mio. kr.")
        stated = self.phrase_value(ln, "netto 25.216 mio. kr.", "25.216", TSD)
        adm = self.sector_tables.get("ADM", {}).get("totals", {}).get("Sektor i alt")
        if adm is not None:
            self.cmp("text vs sector table ADM: underspend 25.216 (thousand) = -Afvigelse 'Sektor i alt'", ln,
                     -adm.vals[3] * TSD, stated, 500, f"sector table line {adm.line}")
        ln2 = self.find_line("Mindreudgifterne skyldes disponerede udgifter til implementering af DUBU")
        figs = [("DUBU (udsat fra 2014) 2,6 mio. kr.", "2,6"), ("5 kvartaler i 2015 3 mio. kr.", "3"),
                ("ledelsesinformation 1,5 mio. kr.", "1,5"), ("Jobcentret 4 mio. kr.", "4"),
                ("mindreforbrug på 14,1 mio. kr.", "14,1")]
        s = sum(self.phrase_value(ln2, p, f, MIO) for p, f in figs)
        self.cmp("text: the explained items sum to the underspend of 25.216 (thousand)", ln2, stated, s,
                 sum(_half(f, MIO) for _, f in figs) + 500, f"stated total on line {ln}")
        ln = self.find_line("I 2014 var dette reduceret til 129.")
        v = self.ind.get(("Antal 6-årige der udsætter skolestart (forudsat i budgettet)", "actual"))
        if v is not None:
            self.cmp("text vs indicators: children deferring school start 2014", ln, v[0],
                     self.phrase_value(ln, "reduceret til 129.", "129"), 0.5, f"indicator line {v[1]}")
