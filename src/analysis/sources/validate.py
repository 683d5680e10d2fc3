"""`analysis validate [ID ...]`: check a municipality's tables against the contract.

Reports every problem of every file at once, each with file, row and column: reading errors,
required columns, types, vocabularies, duplicate keys, unknown documents and categories
(with the closest COFOG code), items that do not add up to the total the file gives, goals
whose status or reported achievement contradicts target and result, and reference data
(population, exchange rates, price indices) missing for the years used, naming the row to add.
Warnings do not fail: population, exchange rates or price indices missing for a year (the
municipality is then left out of per-inhabitant, EUR or real figures, and the warning names the
reference row that would add it), budget items mostly without a category, a document without a
date, a published file that contradicts itself. Exit code 1 when there is any error.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.contract import paths
from analysis.contract.errors import Problem
from analysis.sources import documents_list, folder_rules, run_cache, spreadsheet
from analysis.sources import municipality_tables as mt
from analysis.sources.consistency import AS_PRINTED, GOAL_TOLERANCE, Finding, consistency, goal_checks, sum_checks  # noqa: F401
from analysis.sources.folder_rules import category_problems, document_problems, reference_problems  # noqa: F401


@dataclass
class Report:
    municipality_id: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loaded: "mt.Loaded | None" = None  # what was read (extract uses it instead of reading again)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        head = (f"{self.municipality_id}: {len(self.errors)} error{'s' * (len(self.errors) != 1)}, "
                f"{len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}")
        lines = [head]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  error: {e}" for e in self.errors]
        return "\n".join(lines)


# --- the command -------------------------------------------------------------------------------

def check(municipality_id: str, root=None) -> Report:
    """Validate one municipality's folder; never raises on bad input (everything is in the report).

    The rules are `municipality_tables.check` (the same that `analysis extract` enforces), plus
    the rows of data/raw/documents.csv that belong to this municipality."""
    return check_many([municipality_id], root)[0]


def check_many(ids: list[str], root=None) -> list[Report]:
    """`check` of several municipalities, their tables read and checked together
    (`municipality_tables.check_many`: one contract pass per table over all of them)."""
    base = paths.municipalities_dir(root)
    found = [i for i in ids if (base / i / mt.MUNICIPALITY_FILE).exists()]
    loaded = dict(zip(found, mt.check_many([base / i for i in found], root)))
    return [_report(i, root, loaded.get(i)) for i in ids]


def _report(municipality_id: str, root, loaded) -> Report:
    report = Report(municipality_id)
    folder = paths.municipalities_dir(root) / municipality_id
    if not (folder / mt.MUNICIPALITY_FILE).exists():
        stray = [p for p in folder_rules.folder_problems(root)[0] if p.path.startswith(paths.rel(folder, root) + "/")]
        if stray:
            report.errors += stray
            return report
        known = ", ".join(p.name for p in _folders(root))
        report.errors.append(Problem(paths.rel(folder, root), "no such municipality", None, "ID",
                                     f"one of {known} (or create it: analysis new-municipality {municipality_id} ...)",
                                     municipality_id))
        return report
    report.notes += loaded.notes
    report.errors += raw_list_problems(root, municipality_id) + loaded.problems
    report.warnings += loaded.warnings
    if loaded.meta is None:
        return report
    if not loaded.files and not loaded.tables:
        report.notes.append("no tables in this folder: its figures come from the importers of "
                            "data/raw/documents.csv" if municipality_id in _raw_municipalities(root)
                            else "no tables filled in yet (budget.csv, indicators.csv, goals.csv are empty or absent)")
    report.loaded = loaded
    return report


def raw_list_problems(root=None, municipality_id: str | None = None) -> list[Problem]:
    """Errors of data/raw/documents.csv (those of one municipality's rows when an id is given)."""
    path = paths.raw_dir(root) / documents_list.LIST
    if not path.exists() and not path.is_symlink():
        return []
    known = {p.name for p in _folders(root)}
    lst = run_cache.shared(("raw_list", str(path)),
                           lambda: documents_list.read(path, paths.raw_dir(root), root, known=known))
    if municipality_id is None or lst.df is None:
        return lst.errors  # all of them, or the one that the file cannot be read
    rows = {int(r) for r, m in zip(lst.df[spreadsheet.ROW], lst.df["municipality_id"]) if m == municipality_id}
    return [p for p in lst.errors if p.line in rows]


def _folders(root=None) -> list[Path]:
    base = paths.municipalities_dir(root)
    return list(run_cache.shared(("folders", str(base)), lambda: sorted(
        p for p in base.iterdir() if (p / mt.MUNICIPALITY_FILE).exists()) if base.exists() else []))


def _raw_municipalities(root=None) -> set[str]:
    return set(documents_list.owners(paths.raw_dir(root) / documents_list.LIST).values())


def check_all(root=None) -> list[Report]:
    """Every municipality, plus a report for the workspace's own lists when they have problems
    (data/raw/documents.csv, folders without municipality.yml)."""
    with run_cache.scope():
        reports = check_many([p.name for p in _folders(root)], root)
        raw = raw_list_problems(root)
    errors, warnings = folder_rules.folder_problems(root)
    if errors or warnings or raw:
        reports.insert(0, Report("data/", raw + errors, warnings))
    return reports


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="municipality ids (default: all)")


def run_cli(args) -> int:
    root = getattr(args, "root", None)
    with run_cache.scope():
        reports = check_many(args.ids, root) if args.ids else check_all(root)
    for r in reports:
        print(r.text())
    n_err = sum(len(r.errors) for r in reports)
    n_warn = sum(len(r.warnings) for r in reports)
    n_munis = sum(1 for r in reports if r.municipality_id != "data/")
    if len(reports) > 1:
        print(f"{n_munis} municipalities: {n_err} error{'s' * (n_err != 1)}, "
              f"{n_warn} warning{'s' * (n_warn != 1)}")
    if n_err:
        print("validation failed: fix the errors above (each names file, row and column)", file=sys.stderr)
    return 1 if n_err else 0
