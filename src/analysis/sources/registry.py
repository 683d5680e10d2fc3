"""The municipality and document registries: who is in the workspace and from which documents.

Municipalities: one folder each under ``data/municipalities/<id>/`` with ``municipality.yml``.
Documents: ``data/raw/documents.csv`` for the raw source documents, plus an optional
``documents.csv`` in a municipality's folder (analyst-added municipalities).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.contract import paths, schema
from analysis.contract.errors import InputError
from analysis.sources import documents_list, municipality_tables, run_cache

MUNICIPALITY_FILE = "municipality.yml"


def municipality_dirs(root: Path | None = None) -> list[Path]:
    base = paths.municipalities_dir(root)
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / MUNICIPALITY_FILE).exists()) if base.exists() else []


def read_municipality(folder: Path, root: Path | None = None) -> dict:
    """Metadata of one municipality, read and checked as `analysis validate` does
    (`municipality_tables.read_meta`); errors name the file, line and key."""
    meta, problems = municipality_tables.read_meta(Path(folder), root)
    if problems:
        raise InputError(problems)
    keep = schema.COLUMNS["municipalities"] + schema.OPTIONAL["municipalities"]
    return {k: v for k, v in meta.values.items() if k in keep}


def municipalities(root: Path | None = None) -> pd.DataFrame:
    dirs = municipality_dirs(root)
    municipality_tables.read_metas(dirs, root)  # one contract pass over all rows (inside a run)
    rows = [read_municipality(d, root) for d in dirs]
    df = schema.conform(pd.DataFrame(rows), "municipalities") if rows else schema.empty("municipalities")
    schema.validate(df, "municipalities", str(paths.municipalities_dir(root) / "*" / MUNICIPALITY_FILE))
    return df.sort_values("municipality_id").reset_index(drop=True)


sha256 = documents_list.sha256


def list_key(folder: Path, verify: bool = True) -> tuple:
    """The run_cache key of a folder's documents.csv as `document_lists` reads it (the known ids
    are the same for every folder of one run)."""
    return ("registry.document_list", str(folder), verify)


def document_lists(root: Path | None = None, *, verify: bool = True,
                   known: set[str] | None = None) -> list[documents_list.DocumentList]:
    """data/raw/documents.csv and every municipality's documents.csv, each read and checked."""
    root = paths.root(root)
    if known is None:
        known = {d.name for d in municipality_dirs(root)}
    out = []
    raw_list = paths.raw_dir(root) / documents_list.LIST
    if raw_list.exists() or raw_list.is_symlink():
        out.append(documents_list.read(raw_list, paths.raw_dir(root), root, known=known, verify=verify))
    raw_ids = documents_list.owners(raw_list)
    dirs = municipality_dirs(root)
    documents_list.prefetch([(raw_list, paths.raw_dir(root))] + [(d / documents_list.LIST, d) for d in dirs], root)
    for folder in dirs:
        extra = folder / documents_list.LIST
        if extra.exists() or extra.is_symlink():
            out.append(run_cache.shared(list_key(folder, verify), lambda: documents_list.read(
                extra, folder, root, owner=folder.name, known=known, raw_ids=raw_ids, verify=verify)))
    return out


def documents(root: Path | None = None, *, verify: bool = True) -> pd.DataFrame:
    """All documents, with `path` relative to the workspace and their sha256 verified; raises
    InputError listing every problem of every list (the same checks as `analysis validate`)."""
    root = paths.root(root)
    known = set(municipalities(root)["municipality_id"])
    lists = document_lists(root, verify=verify, known=known)
    problems = [p for lst in lists for p in lst.errors]
    if problems:
        raise InputError(problems)
    read = [lst.df.assign(_list=lst.shown) for lst in lists if lst.df is not None]
    columns = list(dict.fromkeys(c for f in read for c in f.columns))   # a list's columns even without rows
    frames = [f for f in read if len(f)]
    if not frames:
        return schema.empty("documents") if not read else pd.DataFrame(columns=columns).drop(columns=["_row", "_list"])
    df = pd.concat(frames, ignore_index=True).reindex(columns=columns)
    dup = df[df.duplicated("document_id", keep="first")]
    if len(dup):
        d = dup.iloc[0]
        first = df[df["document_id"] == d["document_id"]].iloc[0]
        raise InputError(f"document_id is used twice (also in {first['_list']}:{first['_row']})", path=d["_list"],
                         line=int(d["_row"]), column="document_id", expected="unique ids", found=d["document_id"])
    return df.drop(columns=["_row", "_list"])  # where the lists lie on this machine is not data
