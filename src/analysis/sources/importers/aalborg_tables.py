"""Tab-separated tables of the Aalborg accounts text: cells, rows, and a reader per table kind.

`Source` holds the file, the output lists and the helpers every part uses (cells, Danish
numbers, errors, quality rows, budget rows). `TableReader` reads the department overview,
the sector tables, the budget change tables, the activity tables and the indicator tables:
it checks headers, cell counts and labels (`aalborg_vocab`), keeps the parsed rows for the
checks and writes budget, budget_changes and indicators rows. Its only quality rows say how
cells were read (extra column, figures in a heading, positive income); the consistency checks
are in `aalborg_checks`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.contract import checks
from analysis.contract.errors import InputError
from analysis.contract.numbers import parse_number
from analysis.sources.importers import aalborg_vocab as V
from analysis.sources.importers import source_ref

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


def kroner(printed: float | None, direction: str, scale: int) -> float | None:
    """Printed figure -> whole kroner in the contract's sign (revenue positive)."""
    if printed is None:
        return None
    value = float(round(printed * scale))
    return (-value if direction == "revenue" else value) + 0.0


def half_digit(cell: str, scale: int) -> float:
    """Half the last printed digit of `cell`, in kroner (0 for an empty cell)."""
    cell = cell.strip()
    if not cell:
        return 0.0
    decimals = len(cell.split(",", 1)[1]) if "," in cell else 0
    return 0.5 * 10 ** -decimals * scale


def or0(v):
    """None (an empty cell) counts as 0."""
    return 0.0 if v is None else v


def sum_present(values):
    """Sum treating empty cells as 0; None when every cell is empty."""
    vals = [v for v in values if v is not None]
    return sum(vals) if vals else None


class Source:
    """The document being read: its lines, the output rows, and helpers shared by all parts."""

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
        self.overview_rows: list = []  # (row, group, (sum check, parts) or None) in reading order
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

    def find_line(self, text: str) -> int:
        hits = [i for i, line in enumerate(self.lines, 1) if text in line]
        if len(hits) != 1:
            raise self.error("quoted goal text not found exactly once", None, "text", "one line containing "
                             f"{text!r}", f"{len(hits)} lines")
        return hits[0]

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


    def check_sum(self, check, parts: list[Row], total: Row, columns: list[str], scale: int,
                  cols: range | None = None) -> None:
        """Each column of `total` equals the sum of `parts` (empty cells count as 0)."""
        for c in cols if cols is not None else range(len(total.vals)):
            terms = [p.vals[c] for p in parts]
            s = sum_present(terms)
            found = total.vals[c]
            name = f"{check} [{columns[c + 1]}]"
            tol = sum(half_digit(p.cells[c], scale) for p in parts) + half_digit(total.cells[c], scale)
            if s is None and found is None:
                continue
            if found is None:
                self.q(name, total.line, s * scale, "(empty cell)", "contradiction" if s else "pass",
                       "the total cell is empty while its rows print figures", tol)
                continue
            where = f"rows {parts[0].line}-{parts[-1].line}" if parts else None
            if scale == TSD:  # whole thousands: tolerance 0.5 (printed unit); the rounding band goes to detail
                r = self.cmp(name, total.line, or0(s) * scale, found * scale, 500, where, band=tol)
            else:
                r = self.cmp(name, total.line, or0(s) * scale, found * scale, tol,
                             (where + "; " if where else "") + "tolerance: half a printed digit per figure")
            if r["status"] == "contradiction" and len(parts) > 1:
                for p in parts:
                    rest = or0(s) - or0(p.vals[c])
                    if p.vals[c] and abs(rest - found) * scale <= tol:
                        r["detail"] += f"; the printed total equals the sum without line {p.line} ({p.label})"


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
            "amount": kroner(printed, direction, scale), "currency": CURRENCY, "category": None,
            "source_ref": self.ref(line), "budget_type": budget_type, "budget_group": budget_group,
            "revenue_kind": revenue_kind, "source_unit": UNIT[scale], "trend": None, "note": note,
        })

    def positive_income(self, row: Row, col: int, column: str, scale: int, what: str) -> None:
        v = row.vals[col]
        if v is not None and v > 0:
            self.q(f"{what}: income printed positive ({row.label}, {column})", row.line, "a negative figure "
                   "(the document prints income negative)", v * scale, "warning",
                   f"printed {row.cells[col]}; kept as a negative revenue of {checks._fmt(v * scale)} kr.")


class TableReader(Source):
    """Readers of the overview, sector, budget change, activity and indicator tables."""

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
                self.overview_rows.append((row, group, None))
            elif group and row.label == f"{group_label} i alt":
                self.overview[("FB", group)] = row
                self.overview_budget(row, "FB", group)
                self.overview_rows.append((row, group, (f"overview: sectors sum to '{row.label}'",
                                                        list(members[group]))))
            elif row.label == V.OVERVIEW_TOTAL:
                self.overview[("FB", "drift")] = row
                self.overview_budget(row, "FB", None)
                parts = [self.overview[("FB", g)] for g in members if ("FB", g) in self.overview]
                self.overview_rows.append((row, None, ("overview: group totals sum to 'I alt Drift'", parts)))
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
                        "amount": kroner(row.vals[k], direction, TSD), "currency": CURRENCY,
                        "source_ref": self.ref(ln), "source_unit": UNIT[TSD]})
            elif row.label == V.CHANGE_SECTOR_TOTAL:
                table["_total"] = row
            else:
                raise self.unknown(row, "a budget change table",
                                   "a group heading, 'Oprindeligt budget 2014', 'Korrigeret budget ...', "
                                   "'Sektor i alt' or a change label listed in aalborg_vocab.CHANGE_EN")
            ln += 1
        self.change_tables[code] = table
        return ln

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

    def synthetic_total(self, rows: list[Row]) -> Row:
        """A group without an 'I alt' row: its single row stands for the group."""
        if len(rows) != 1:
            raise self.error("activity group without an 'I alt' row", rows[-1].line if rows else None, "label",
                             "'I alt' after a group of several rows", rows[-1].label if rows else None)
        return rows[0]

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

    # ---- figures of a sector table ------------------------------------------------------
    def sector_figures(self, code: str, group: str, k: int):
        """Udgifter, Indtægter+Refusion, Netto of a sector table group in column k (printed signs, 1.000 kr.)."""
        lines = self.sector_tables[code]["groups"][group]
        get = lambda label: lines[label].vals[k] if label in lines else None  # noqa: E731
        refs = [lines[x].line for x in ("Indtægter", "Refusion") if x in lines]
        return get("Udgifter"), sum_present([get("Indtægter"), get("Refusion")]), get("Netto"), refs

    def sector_lines(self, code: str, groups: list[str]) -> str:
        lines = [r.line for g in groups for r in self.sector_tables[code]["groups"][g].values()]
        return f"{min(lines)}-{max(lines)}" if lines else "?"
