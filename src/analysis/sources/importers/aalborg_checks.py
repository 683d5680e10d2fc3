"""Consistency checks of the Aalborg accounts tables, written as quality rows.

Within a table: row sums against printed totals, Udgift + Indtægt = Netto, Afvigelse against
Regnskab - Korrigeret budget, original budget + changes = corrected budget. Across tables: the
overview against the sector tables, the budget changes and the activity tables against the
sector tables, and the indicator tables' sums and coverage rates. What an activity table's
'I alt driftsaktiviteter' adds up is checked in `aalborg_totals`. Printed figures are never
corrected here; a disagreement is a `contradiction` row naming both lines.
"""
from __future__ import annotations

from analysis.sources.importers import aalborg_vocab as V
from analysis.sources.importers.aalborg_tables import MIO, TSD, Row, half_digit, or0, sum_present
from analysis.sources.importers.aalborg_totals import ActivityTotals


class TableChecks(ActivityTotals):
    """Checks run after each table is read (`*_checks`) and after the whole file (`cross_checks`)."""

    # ---- 1. department overview -----------------------------------------------------------
    def overview_checks(self) -> None:
        """Per row Udgift + Indtægt = Netto and Afvigelse; group and department totals against their rows."""
        for row, group, total in self.overview_rows:
            self.overview_row_checks(row, group)
            if total is not None:
                check, parts = total
                self.check_sum(check, parts, row, V.OVERVIEW_COLUMNS, MIO)
        self.overview_rows = []

    def overview_row_checks(self, row: Row, group: str | None) -> None:
        for start, phase in ((0, "Regnskab"), (3, "Korrigeret budget")):
            u, i, n = row.vals[start:start + 3]
            self.cmp(f"overview: Udgift + Indtægt = Netto ({row.label}, {group or 'drift'}, {phase})", row.line,
                     (or0(u) + or0(i)) * MIO, None if n is None else n * MIO,
                     sum(half_digit(c, MIO) for c in row.cells[start:start + 3]),
                     "tolerance: half a printed digit (0,05 mio. kr.) per figure")
        exp = (or0(row.vals[2]) - or0(row.vals[5])) * MIO
        self.cmp(f"overview: Afvigelse = Regnskab Netto - Korrigeret Netto ({row.label}, {group or 'drift'})",
                 row.line, exp, None if row.vals[6] is None else row.vals[6] * MIO,
                 sum(half_digit(row.cells[c], MIO) for c in (2, 5, 6)),
                 "tolerance: half a printed digit (0,05 mio. kr.) per figure")

    # ---- 2. sector tables ----------------------------------------------------------------
    def sector_checks(self, code: str) -> None:
        groups, totals = self.sector_tables[code]["groups"], self.sector_tables[code]["totals"]
        what = f"sector table {code}"
        for group, lines in groups.items():
            for label, row in lines.items():
                exp = (or0(row.vals[1]) - or0(row.vals[2])) * TSD
                self.cmp(f"{what}: Afvigelse = Regnskab - Korrigeret budget ({group}, {label})", row.line, exp,
                         or0(row.vals[3]) * TSD, 500, "empty cells count as 0", band=1000)
            net = lines.get("Netto")
            if net is None:
                continue
            parts = [lines[k] for k in ("Udgifter", "Indtægter", "Refusion") if k in lines]
            for k, col in enumerate(V.SECTOR_HEADER[1:4]):
                s = sum_present(p.vals[k] for p in parts)
                if s is None and net.vals[k] is None:
                    continue
                self.cmp(f"{what}: Udgifter + Indtægter + Refusion = Netto ({group}, {col})", net.line,
                         or0(s) * TSD, or0(net.vals[k]) * TSD, 500, "empty cells count as 0",
                         band=500 * (len(parts) + 1))
        nets = {g: lines["Netto"] for g, lines in groups.items() if "Netto" in lines}
        for label, row in totals.items():
            use = [g for g in nets if label == "Sektor i alt" or V.GROUPS[g][1] == "operating"]
            parts = [nets[g] for g in use]
            for k, col in enumerate(V.SECTOR_HEADER[1:]):
                s = sum_present(p.vals[k] for p in parts)
                r = self.cmp(f"{what}: group nets sum to '{label}' ({col})", row.line, or0(s) * TSD,
                             or0(row.vals[k]) * TSD, 500, f"groups: {', '.join(use)}", band=500 * (len(parts) + 1))
                if r["status"] == "contradiction":
                    for g in use:
                        rest = sum_present(nets[x].vals[k] for x in use if x != g)
                        if rest is not None and row.vals[k] is not None and abs(rest - row.vals[k]) < 0.5:
                            r["detail"] += f"; the printed figure equals the sum without {g}"

    # ---- 3. budget changes ---------------------------------------------------------------
    def change_checks(self, code: str) -> None:
        table = self.change_tables[code]
        what = f"budget changes {code}"
        cols = V.CHANGE_HEADER[1:]
        for group, g in ((k, v) for k, v in table.items() if k != "_total"):
            rows = [r for r in [g["original"], *g["changes"], g["corrected"]] if r is not None]
            for row in rows:
                if row.vals[2] is None and row.vals[0] is None and row.vals[1] is None:
                    continue
                self.cmp(f"{what}: Udgift + Indtægt = Netto ({group}, {row.label})", row.line,
                         (or0(row.vals[0]) + or0(row.vals[1])) * TSD, or0(row.vals[2]) * TSD, 500,
                         "empty cells count as 0", band=1500)
            if g["original"] is None or g["corrected"] is None:
                raise self.error("change table group without 'Oprindeligt budget 2014' and 'Korrigeret budget'",
                                 (g["original"] or g["corrected"] or rows[0]).line if rows else None, "label",
                                 "both lines", group)
            for k, col in enumerate(cols):
                s = or0(g["original"].vals[k]) + sum(or0(r.vals[k]) for r in g["changes"])
                self.cmp(f"{what}: original + changes = corrected ({group}, {col})", g["corrected"].line,
                         s * TSD, or0(g["corrected"].vals[k]) * TSD, 500,
                         f"{len(g['changes'])} change rows; empty cells count as 0",
                         band=500 * (len(g["changes"]) + 2))
            for sub, start in g["subtotals"]:
                following = g["changes"][start:]
                s = sum(or0(r.vals[2]) for r in following)
                self.cmp(f"{what}: subtotal '{sub.label}' = sum of the change rows below it ({group}, Netto)",
                         sub.line, s * TSD, or0(sub.vals[2]) * TSD, 500,
                         f"rows {following[0].line}-{following[-1].line}" if following else None)
        total = table.get("_total")
        if total is not None:
            corr = [g["corrected"] for k, g in table.items() if k != "_total"]
            self.check_sum(f"{what}: corrected budgets sum to 'Sektor i alt'", corr, total, ["label"] + cols, TSD)

    # ---- 4. activities -------------------------------------------------------------------
    def activity_checks(self, code: str) -> None:
        groups, table_total = self.activities[code]["groups"], self.activities[code]["total"]
        what = f"activities {code}"
        for group, g in groups.items():
            for row in g["rows"] + ([g["total"]] if g["total"] else []):
                self.activity_deviation(what, group, row)
            if g["total"] is not None:
                self.check_sum(f"{what}: rows sum to 'I alt' ({group})", g["rows"], g["total"],
                               ["label"] + V.ACTIVITY_COLUMNS, MIO)
        if table_total is not None:
            self.activity_deviation(what, "all groups", table_total)
            self.activity_total_checks(code)

    def activity_deviation(self, what: str, group: str, row: Row) -> None:
        v, c = row.vals, row.cells
        exp = (or0(v[2]) + or0(v[3]) - or0(v[4]) - or0(v[5])) * MIO
        found = None if v[6] is None else v[6] * MIO
        if found is None and not any(x for x in v[2:6] if x):
            return
        tol = sum(half_digit(c[i], MIO) for i in range(2, 7))
        name = f"{what}: Afvigelse netto = Regnskab - Korrigeret budget ({group}, {row.label})"
        if found is not None and abs(found - exp) > tol and abs(found + exp) <= tol:
            self.q(name, row.line, exp, found, "contradiction",
                   "the sign is reversed: the figure equals Korrigeret budget - Regnskab, while the document's "
                   "Afvigelse is Regnskab - Korrigeret budget elsewhere (sector tables, overview)", tol)
            return
        self.cmp(name, row.line, exp, found, tol, "empty cells count as 0; tolerance: half a printed digit per figure")

    # ---- 5. indicators -------------------------------------------------------------------
    def indicator_checks(self) -> None:
        for phase in ("actual", "original_budget"):
            for total, parts, prefix in V.INDICATOR_SUMS:
                tv, tln, tcell = self.ind[(total, phase)]
                terms = [self.ind[(prefix + p, phase)] for p in parts]
                tol = sum(half_digit(t[2], 1) for t in terms) + half_digit(tcell, 1)
                self.cmp(f"indicators: rows sum to '{total}' ({phase})", tln, sum(or0(t[0]) for t in terms), tv,
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

    # ---- cross-table checks -----------------------------------------------------------
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
                             half_digit(row.cells[start + j], MIO) + 500 * max(terms, 1),
                             f"sector table line {lines['Netto'].line if 'Netto' in lines else '?'}; "
                             "tolerance: 0,05 mio. kr. + 500 kr. per 1.000 kr. figure",
                             band=(half_digit(row.cells[start], MIO) + half_digit(row.cells[start + 1], MIO) + 1000
                                   if j == 2 else None))
            net = lines.get("Netto")
            if net is not None:
                self.cmp(f"overview vs sector table {code}: Afvigelse Netto ({group})", row.line, net.vals[3] * TSD,
                         row.vals[6] * MIO, half_digit(row.cells[6], MIO) + 500, f"sector table line {net.line}",
                         band=sum(half_digit(row.cells[c], MIO) for c in (0, 1, 3, 4)) + 500)

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
                                 or0(sv) * TSD, or0(row.vals[j]) * TSD, 500,
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
            if act["total"] is not None:
                self.activity_total_vs_sector(code)

    def activity_vs_sector(self, code, name, parts: list[Row], groups: list[str], rows: list[Row]) -> None:
        """Activity totals (`parts`, sums of the rounded `rows`) vs the sector table's `groups`."""
        detail = (f"sector groups {', '.join(groups)} (lines {self.sector_lines(code, groups)}); tolerance: half a "
                  "printed digit for each activity row summed into the total, plus 500 kr. per 1.000 kr. figure")
        checks_ = [(2 * k + j, k, j, f"{label} ({name}, {phase})")
                   for k, phase in enumerate(("Oprindeligt budget", "Regnskab", "Korrigeret budget"))
                   for j, label in ((0, "Udgift"), (1, "Indtægt vs Indtægter + Refusion"))]
        checks_.append((6, 3, 2, f"Afvigelse netto vs Netto Afvigelse ({name})"))
        for c, k, j, label in checks_:
            sv = sum_present(self.sector_figures(code, g, k)[j] for g in groups)
            av = sum_present(p.vals[c] for p in parts)
            if sv is None and av is None:
                continue
            tol = max(sum(half_digit(r.cells[c], MIO) for r in rows), sum(half_digit(p.cells[c], MIO) for p in parts))
            tol += 500 * len(groups) * (2 if j == 1 else 1)
            r = self.cmp(f"activities {code} vs sector table: {label}", parts[0].line,
                         None if sv is None else sv * TSD, None if av is None else av * MIO, tol, detail)
            if r["status"] == "contradiction" and c == 6 and abs(av * MIO + sv * TSD) <= tol:
                r["detail"] += "; the sign is reversed (Korrigeret budget - Regnskab)"
