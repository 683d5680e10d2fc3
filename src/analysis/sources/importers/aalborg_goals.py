"""Goals and prose checks of the Aalborg accounts.

`read_goals` turns each goal of `aalborg_vocab.GOALS` into a goals row; the goal, its quote
and its figures must be printed verbatim (else InputError). `text_checks` checks the changes
and sums stated in the prose, figures read as 'mio.' that are thousands, and prose figures
against the tables.
"""
from __future__ import annotations

import re

from analysis.contract import checks
from analysis.contract.achievement import percent
from analysis.sources.importers import aalborg_vocab as V
from analysis.sources.importers.aalborg_tables import FISCAL_YEAR, MIO, TSD, Source, half_digit


class GoalsAndText(Source):
    """Goals rows and the checks of figures stated in the prose."""

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
            achievement = percent(target, result, spec["direction"]) if status in ("met", "missed") else None
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

    # ---- prose checks ---------------------------------------------------------------------
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
                 sum(half_digit(f, MIO) for _, f in figs) + 500, f"stated total on line {ln}")
        ln = self.find_line("I 2014 var dette reduceret til 129.")
        v = self.ind.get(("Antal 6-årige der udsætter skolestart (forudsat i budgettet)", "actual"))
        if v is not None:
            self.cmp("text vs indicators: children deferring school start 2014", ln, v[0],
                     self.phrase_value(ln, "reduceret til 129.", "129"), 0.5, f"indicator line {v[1]}")
