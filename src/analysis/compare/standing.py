"""The part of a municipality profile that compares it with all the others, computed once for all.

Every profile shows where its municipality stands: per category among the municipalities whose
documents cover it completely (`scope.standing`), and the key facts of every municipality
(`profile.standing`). Both read the whole budget; computed per page they make each profile cost
O(N) and a build O(N^2). `compute` does the shared work once:

    s = standing.compute(cb_all, goals, indicators, all_ids, names, coverage, fiscal_year, phase)
    s.facts                      profile.standing of every municipality (one table, shared)
    s.by_category(mid)           scope.standing(comp_all, coverage, mid, names)
    s.rows_behind(by_category)   caveats.subset(cb_all, by_category), with cb_all's attrs (left_out)

`analysis.api.Workspace.standing` caches it per build (analysis.report.standing_cache).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.compare import caveats, profile, scope, spending


@dataclass
class Standing:
    facts: pd.DataFrame
    composition: pd.DataFrame                      # spending.composition(cb_all, "group", ...)
    coverage: pd.DataFrame | None
    names: dict
    budget_parts: dict = field(default_factory=dict)   # municipality_id -> its rows of cb_all (index kept)
    budget_attrs: dict = field(default_factory=dict)   # cb_all.attrs (left_out)
    load_part: object = None                         # mid -> DataFrame, when the parts live on disk
    categories: dict = field(default_factory=dict)   # mid -> by_category (computed on demand)
    _covered: pd.DataFrame | None = field(default=None, repr=False)

    def by_category(self, mid: str) -> pd.DataFrame:
        if mid not in self.categories:
            if self._covered is None:  # the coverage of every row, once for all municipalities
                self._covered = scope.with_coverage(self.composition, self.coverage)
            self.categories[mid] = scope.standing(self.composition, self.coverage, mid, self.names,
                                                  covered=self._covered)
        return self.categories[mid]

    def part(self, mid: str) -> pd.DataFrame | None:
        if mid not in self.budget_parts and self.load_part is not None:
            self.budget_parts[mid] = self.load_part(mid)
        return self.budget_parts.get(mid)

    def rows_behind(self, shown: pd.DataFrame) -> pd.DataFrame:
        """The rows of cb_all behind a table (`caveats.subset`), in cb_all's order, with its attrs."""
        ids = [] if "municipality_id" not in shown.columns else list(dict.fromkeys(shown["municipality_id"].dropna()))
        parts = [p for p in (self.part(m) for m in ids) if p is not None]
        template = next(iter(self.budget_parts.values()), None)
        if parts:
            rows = pd.concat(parts).sort_index()
        elif template is not None:
            rows = template.iloc[0:0]
        else:
            rows = pd.DataFrame(columns=["municipality_id", "fiscal_year", "phase"])
        rows.attrs = dict(self.budget_attrs)
        return caveats.subset(rows, shown)


def compute(cb_all: pd.DataFrame, goals: pd.DataFrame, indicators: pd.DataFrame, ids: list[str],
            names: dict, cofog: pd.DataFrame, coverage: pd.DataFrame | None,
            fiscal_year=None, phase=None) -> Standing:
    """The shared tables of every profile's standing section (see the module docstring)."""
    comp_all = spending.composition(cb_all, "group", cofog, names=names, fiscal_year=fiscal_year, phase=phase)
    facts = profile.standing(cb_all, goals, indicators, ids, names, coverage=coverage,
                             fiscal_year=fiscal_year, phase=phase)
    parts = {m: part for m, part in cb_all.groupby("municipality_id", sort=False)} if len(cb_all) else {}
    return Standing(facts=facts, composition=comp_all, coverage=coverage, names=dict(names),
                    budget_parts=parts, budget_attrs=dict(cb_all.attrs))
