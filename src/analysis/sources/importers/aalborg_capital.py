"""Capital projects of the Aalborg accounts: the mio. kr. project table, the final and the
preliminary capital accounts (1.000 kr.), and their checks.

Each project becomes an 'anlaeg' budget line. Within a table: Primo + årets forbrug = Forbrug
i alt, and the projects sum to the function total. Across tables (`capital_checks`, after the
whole file): the function total against the overview and the sector table's Anlæg line, each
project's Regnskab against its årets forbrug, and project numbers quoted in the remarks.
"""
from __future__ import annotations

import re

from analysis.sources.importers import aalborg_vocab as V
from analysis.sources.importers.aalborg_tables import MIO, TSD, Row, Source, half_digit, or0


class CapitalTables(Source):
    """Readers and checks of the three capital project tables."""

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
                     (or0(vals[5]) + or0(vals[6])) * TSD, or0(vals[7]) * TSD, 500, band=1500)
            self.cmp(f"preliminary capital accounts: Forbrug i alt + restforbrug = Anlægssum ({number})", ln,
                     (or0(vals[7]) + or0(vals[8])) * TSD, or0(vals[2]) * TSD, 500, band=1500)
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
                         ov.vals[oc] * MIO, total.vals[k] * MIO,
                         half_digit(total.cells[k], MIO) + half_digit(ov.cells[oc], MIO),
                         f"overview line {ov.line}")
        if total is not None and "Udgifter" in bu:
            for k, (col, sc) in enumerate((("Korrigeret budget", 2), ("Regnskab", 1))):
                self.cmp(f"capital projects: function total vs sector table Anlæg Udgifter ({col})", total.line,
                         bu["Udgifter"].vals[sc] * TSD, total.vals[k] * MIO, half_digit(total.cells[k], MIO) + 500,
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
                     spent * TSD, mio.vals[1] * MIO, half_digit(mio.cells[1], MIO) + 500,
                     f"final/preliminary line {ln}")
        for number, (name, v, ln) in self.capital["final"].items():
            mio = self.capital["mio"].get(V.CAPITAL_PROJECTS[name][0])
            if mio is not None:
                self.cmp(f"capital projects: Korrigeret budget (mio. kr.) vs appropriation - primo ({number})",
                         mio.line, (v[2] - v[3]) * TSD, mio.vals[0] * MIO, half_digit(mio.cells[0], MIO) + 1000,
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
