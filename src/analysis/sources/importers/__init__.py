"""Importers: one module per source format, each a pure function of its input file.

Every importer module exposes ``extract(path: Path, document: dict) -> ImportResult``.
`document` is the document's row from ``data/raw/documents.csv`` (document_id,
municipality_id, path, ...). Importers read only `path` and return contract tables;
they raise `analysis.errors.InputError` (file, line, column, expected) on input they
cannot parse.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import pandas as pd

from analysis.contract import schema
from analysis.contract.refs import source_ref  # noqa: F401 (the importers' `source_ref`)

# importer name (documents.csv column `importer`) -> module under analysis.importers
REGISTRY = {
    "peine_product_report": "peine_product_report",
    "aalborg_accounts": "aalborg_accounts",
    "goals_only": None,  # prose documents: only curated goals (data/curated/goals/)
}


@dataclass
class ImportResult:
    """Tables produced from one document. Each value is a list of row dicts or a DataFrame."""

    budget: list | pd.DataFrame = field(default_factory=list)
    indicators: list | pd.DataFrame = field(default_factory=list)
    goals: list | pd.DataFrame = field(default_factory=list)
    budget_changes: list | pd.DataFrame = field(default_factory=list)
    quality: list | pd.DataFrame = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        rows = getattr(self, name)
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
        return schema.conform(df, name) if len(df) else schema.empty(name)


def get(importer: str):
    """Return the `extract` function registered as `importer`, or None for goals-only documents."""
    if importer not in REGISTRY:
        raise KeyError(f"unknown importer {importer!r}; known importers: {', '.join(sorted(REGISTRY))}")
    module = REGISTRY[importer]
    if module is None:
        return None
    return importlib.import_module(f"{__name__}.{module}").extract
