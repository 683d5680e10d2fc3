"""Importer for Aalborg Kommune, Regnskab 2014, Familie- og Beskæftigelsesforvaltningen.

The text holds tab-separated tables between prose. `extract` walks the file once: every
line with a tab must belong to a known table, and every row label must be in
`aalborg_vocab`; anything else raises `InputError` (file, line, column, expected).
Each table is checked as soon as it is read; the checks across tables, the goals and the
prose checks follow the walk.

Parts: `aalborg_tables` (cells, rows, table readers, budget rows), `aalborg_checks`
(consistency checks within and across tables), `aalborg_totals` (what 'I alt
driftsaktiviteter' adds up), `aalborg_capital` (capital project tables and their checks),
`aalborg_goals` (goals and prose checks), `aalborg_vocab` (known labels).

Conventions (see docs/helpers-brief.md): DKK in whole kroner ('1.000 kr.' x 1000,
'mio. kr.' x 1e6, `source_unit` keeps the printed unit); the document prints income and
refunds negative, the contract wants revenue positive, so revenue = -printed and a printed
positive income becomes a negative revenue (with a warning). Net is kept as printed.
'Afvigelse' columns, 'i alt' rows of activity tables and the 'Oprindeligt/Korrigeret budget'
lines of the change tables are not data but quality checks.
"""
from __future__ import annotations

from pathlib import Path

from analysis.sources.importers import ImportResult
from analysis.sources.importers import aalborg_vocab as V
from analysis.sources.importers.aalborg_capital import CapitalTables
from analysis.sources.importers.aalborg_checks import TableChecks
from analysis.sources.importers.aalborg_goals import GoalsAndText


def extract(path: Path, document: dict) -> ImportResult:
    """Read the Aalborg accounts text at `path`; return budget, budget_changes, indicators, goals, quality."""
    reader = _Reader(Path(path), document)
    reader.run()
    return ImportResult(budget=reader.budget, indicators=reader.indicators, goals=reader.goals,
                        budget_changes=reader.changes, quality=reader.quality)


class _Reader(TableChecks, CapitalTables, GoalsAndText):
    """Walks the file: dispatches each table to its reader and checks, then the cross-table checks."""

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
                self.overview_checks()
            elif first in V.SECTOR_TABLE_TITLES:
                ln = self.read_sector_table(ln)
                self.sector_checks(V.SECTOR_TABLE_TITLES[first])
            elif first in V.CHANGE_TABLE_TITLES:
                ln = self.read_change_table(ln)
                self.change_checks(V.CHANGE_TABLE_TITLES[first])
            elif first in V.ACTIVITY_TITLES:
                self.expect_title(ln, len(text.split("\t")))
                ln = self.read_activities(ln + 1, self.need(sector, ln))
                self.activity_checks(sector)
            elif first == "Beløb i mio. kr.":
                ln = self.read_activities(ln, self.need(sector, ln))
                self.activity_checks(sector)
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

    def cross_checks(self) -> None:
        self.overview_vs_sectors()
        self.changes_vs_sectors()
        self.activities_vs_sectors()
        self.indicator_checks()
        self.capital_checks()
