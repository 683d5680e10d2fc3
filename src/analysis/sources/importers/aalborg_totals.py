"""What an activity table's 'I alt driftsaktiviteter' row adds up, checked column by column.

The document does not say which groups the row covers, and the tables differ: lines 470 and 659
add all groups, line 167's amounts leave out the budgetgaranterede group while its Afvigelse
includes it. So each column is tested against two compositions, all groups and all groups except
budgetgaranterede. The one matching most columns is taken as the table's and named in `detail`
(ties: all groups). Columns that match only the other composition make one contradiction (the
row mixes compositions); a column that matches neither is a contradiction of its own. The same
rule compares the row with the sector table's operating groups.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from analysis.contract import checks
from analysis.sources.importers import aalborg_vocab as V
from analysis.sources.importers.aalborg_tables import MIO, TSD, Row, TableReader, half_digit, or0, sum_present

EXCLUDABLE = "budgetgaranterede"  # the group a table total may leave out
# activity table column -> (sector table column, 0 Udgifter / 1 Indtægter + Refusion / 2 Netto)
SECTOR_COLUMN = {0: (0, 0), 1: (0, 1), 2: (1, 0), 3: (1, 1), 4: (2, 0), 5: (2, 1), 6: (3, 2)}


@dataclass
class Candidate:
    """A composition of the table total and, per activity column, its figure in kroner."""

    name: str
    groups: list[str]              # activity groups it covers
    where: str                     # the lines it sums, for `detail`
    expected: dict = field(default_factory=dict)
    tol: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)   # printed terms, e.g. '-21,7 + 0,9 + 0,8'
    notes: dict = field(default_factory=dict)


class ActivityTotals(TableReader):
    """Composition checks of 'I alt driftsaktiviteter', within its table and against the sector table."""

    def group_figure(self, g: dict, c: int) -> tuple[float | None, list[str], str | None]:
        """Group `g` in column c: figure (mio. kr.), the printed cells it comes from, a note.

        The group's 'I alt' cell; when that cell is empty while the group's rows print figures,
        the sum of the rows, with a note."""
        part = g["total"] or self.synthetic_total(g["rows"])
        if part.vals[c] is None and g["total"] is not None and any(r.vals[c] for r in g["rows"]):
            rows = [r for r in g["rows"] if r.cells[c]]
            cells = " + ".join(r.cells[c] for r in rows)
            return (sum_present(r.vals[c] for r in rows), [r.cells[c] for r in rows],
                    f"line {part.line} leaves {V.ACTIVITY_COLUMNS[c]} empty while line "
                    f"{', '.join(str(r.line) for r in rows)} prints {cells}: the group counts with {cells}")
        return part.vals[c], [part.cells[c]], None

    @staticmethod
    def compositions(groups: dict, noun: str) -> list[tuple[str, list[str]]]:
        out = [(f"all {noun}", list(groups))]
        if EXCLUDABLE in groups and len(groups) > 1:
            out.append((f"all {noun} except {EXCLUDABLE}", [g for g in groups if g != EXCLUDABLE]))
        return out

    def group_line(self, code: str, group: str) -> int:
        g = self.activities[code]["groups"][group]
        return (g["total"] or self.synthetic_total(g["rows"])).line

    # ---- within the activity table ----------------------------------------------------------
    def activity_total_checks(self, code: str) -> None:
        """'I alt driftsaktiviteter' against the sum of the group totals."""
        groups, total = self.activities[code]["groups"], self.activities[code]["total"]
        cands = []
        for name, use in self.compositions(groups, "groups"):
            parts = [groups[g]["total"] or self.synthetic_total(groups[g]["rows"]) for g in use]
            cand = Candidate(name, use, f"groups {', '.join(use)} (lines {', '.join(str(p.line) for p in parts)})")
            for c in range(len(V.ACTIVITY_COLUMNS)):
                figs = [self.group_figure(groups[g], c) for g in use]
                s = sum_present(f[0] for f in figs)
                cand.expected[c] = None if s is None else s * MIO
                cand.tol[c] = sum(half_digit(x, MIO) for f in figs for x in f[1]) + half_digit(total.cells[c], MIO)
                cand.terms[c] = " + ".join(x or "0" for f in figs for x in f[1])
                cand.notes[c] = [f[2] for f in figs if f[2]]
                printed = sum_present(p.vals[c] for p in parts)
                if cand.notes[c] and abs(or0(printed) - or0(total.vals[c])) * MIO <= cand.tol[c]:
                    cand.notes[c].append("the printed total equals the sum with the empty cell counted as 0")
            cands.append(cand)
        what = f"activities {code}: group totals sum to 'I alt driftsaktiviteter'"
        self.composition_rows(
            code, total, cands, {c: f"{what} [{col}]" for c, col in enumerate(V.ACTIVITY_COLUMNS)},
            lambda cols: f"{what} [{', '.join(V.ACTIVITY_COLUMNS[c] for c in cols)}]",
            "tolerance: half a printed digit per figure")

    # ---- against the sector table -------------------------------------------------------------
    def activity_total_vs_sector(self, code: str) -> None:
        """'I alt driftsaktiviteter' against the sector table's operating groups.

        The sector table may hold an activity group inside another group (BU: the refund of
        line 165 is in its Budgetgaranterede udgifter), so a composition that leaves out an
        activity group is compared with all operating sector groups less that group's activity
        figures."""
        groups, total = self.activities[code]["groups"], self.activities[code]["total"]
        ops = [g for g in self.sector_tables[code]["groups"] if V.GROUPS[g][1] == "operating"]
        where = f"sector groups {', '.join(ops)} (lines {self.sector_lines(code, ops)})"
        cands = []
        for name, use in self.compositions(groups, "operating groups"):
            left_out = [g for g in groups if g not in use]
            less = "".join(f" less the activity table's {g} group (line {self.group_line(code, g)})"
                           for g in left_out)
            cand = Candidate(name, use, where + less)
            rows = [r for g in use for r in groups[g]["rows"]]
            for c, (k, j) in SECTOR_COLUMN.items():
                sv = sum_present(self.sector_figures(code, g, k)[j] for g in ops)
                figs = [self.group_figure(groups[g], c) for g in left_out]
                cand.expected[c] = None if sv is None else sv * TSD - sum(or0(f[0]) for f in figs) * MIO
                cand.tol[c] = (max(sum(half_digit(r.cells[c], MIO) for r in rows), half_digit(total.cells[c], MIO))
                               + 500 * len(ops) * (2 if j == 1 else 1)
                               + sum(half_digit(x, MIO) for f in figs for x in f[1]))
                cand.terms[c] = None
                cand.notes[c] = [f[2] for f in figs if f[2]]
            cands.append(cand)
        name = "I alt driftsaktiviteter vs operating groups"
        phases = ("Oprindeligt budget", "Regnskab", "Korrigeret budget")
        labels = {c: f"{('Udgift', 'Indtægt vs Indtægter + Refusion')[c % 2]} ({name}, {phases[c // 2]})"
                  for c in range(6)}
        labels[6] = f"Afvigelse netto vs Netto Afvigelse ({name})"
        what = f"activities {code} vs sector table"
        self.composition_rows(
            code, total, cands, {c: f"{what}: {label}" for c, label in labels.items()},
            lambda cols: f"{what}: {name} [{', '.join(V.ACTIVITY_COLUMNS[c] for c in cols)}]",
            "tolerance: half a printed digit for each activity row summed into the total, plus 500 kr. per "
            "1.000 kr. figure", sign_note=True)

    # ---- the rows -------------------------------------------------------------------------------
    def composition_rows(self, code: str, total: Row, cands: list[Candidate], names: dict, joint_name,
                         tolerance: str, sign_note: bool = False) -> None:
        """Quality rows for `total` against the candidate compositions (see the module docstring)."""
        found = {c: None if v is None else v * MIO for c, v in enumerate(total.vals)}
        cols = [c for c in names if found[c] is not None or any(x.expected[c] is not None for x in cands)]

        def match(cand: Candidate, c: int) -> bool:
            e, f = cand.expected[c], found[c]
            return e is not None and f is not None and abs(e - f) <= cand.tol[c]

        score = [sum(match(x, c) for c in cols) for x in cands]
        best = cands[score.index(max(score))]
        others = [x for x in cands if x is not best]
        chosen = (f"composition '{best.name}': {best.where}; it matches {max(score)} of {len(cols)} columns"
                  + "".join(f" ('{x.name}': {s})" for x, s in zip(cands, score) if x is not best))
        mixed = []
        for c in cols:
            notes = "".join(f"; {n}" for n in best.notes[c])
            if match(best, c):
                self.cmp(names[c], total.line, best.expected[c], found[c], best.tol[c],
                         f"{chosen}{notes}; {tolerance}")
            elif any(match(x, c) for x in others):
                mixed.append(c)
            else:
                alt = "".join(f"; '{x.name}' gives {checks._fmt(x.expected[c])}" for x in others)
                detail = f"{chosen}{notes}{alt}; no composition matches; {tolerance}"
                if found[c] is None:
                    self.q(names[c], total.line, best.expected[c], "(empty cell)", "contradiction", detail,
                           best.tol[c])
                    continue
                r = self.cmp(names[c], total.line, best.expected[c], found[c], best.tol[c], detail)
                if sign_note and c == 6 and abs(found[c] + or0(best.expected[c])) <= best.tol[c]:
                    r["detail"] += "; the sign is reversed (Korrigeret budget - Regnskab)"
        if not mixed:
            return
        # one row for the columns that add up another composition than the rest of the row
        other = next((x for x in others if all(match(x, c) for c in mixed)),
                     next(x for x in others if match(x, mixed[0])))
        agree = [V.ACTIVITY_COLUMNS[c] for c in cols if match(best, c)]
        odd = [V.ACTIVITY_COLUMNS[c] for c in mixed]
        narrower = set(best.groups) < set(other.groups)
        diff = sorted(set(best.groups) ^ set(other.groups), key=list(self.activities[code]["groups"]).index)
        group = ", ".join(f"the {g} group (line {self.group_line(code, g)})" for g in diff)
        verb = {("leave out", True): "leaves out", ("leave out", False): "leave out",
                ("include", True): "includes", ("include", False): "include"}
        a_verb, o_verb = ("leave out", "include") if narrower else ("include", "leave out")
        sums = "; ".join(
            f"{V.ACTIVITY_COLUMNS[c]} {total.cells[c]} fits '{other.name}' "
            f"({other.terms[c] + ', ' if other.terms[c] else ''}{other.where}: {checks._fmt(other.expected[c])}), "
            f"'{best.name}' gives {checks._fmt(best.expected[c])}" for c in mixed)
        detail = (f"the row mixes compositions: {', '.join(agree)} {verb[a_verb, len(agree) == 1]} {group}, "
                  f"{' and '.join(odd)} {verb[o_verb, len(odd) == 1]} it; {sums}")
        one, c0 = len(mixed) == 1, mixed[0]
        self.q(names[c0] if one else joint_name(mixed), total.line,
               best.expected[c0] if one else "; ".join(checks._fmt(best.expected[c]) for c in mixed),
               found[c0] if one else "; ".join(checks._fmt(found[c]) for c in mixed),
               "contradiction", detail, best.tol[c0] if one else None)
