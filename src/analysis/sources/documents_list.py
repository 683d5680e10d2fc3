"""documents.csv: the lists of source documents (data/raw/documents.csv, and the documents.csv of an
analyst-added municipality), read and checked by one function for `validate`, `extract` and `build`.

A list is read like every other table (`spreadsheet.read`: ',' ';' or tab, UTF-8 or Windows-1252,
an empty file or an unclosed quote named by line). Then each row is checked: the contract's
columns and values (a calendar date, a slug id), the municipality (known, and the folder's own),
the importer name, the path (a web address or a file inside the list's folder, never absolute,
never through '..' or a link out of it), the file's sha256.

    read(path, folder, root, owner=..., known=..., raw_ids=...)  -> DocumentList (rows, errors, warnings)
    owners(path)                                                  -> {document_id: municipality_id}
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.contract import paths, safe_paths, schema
from analysis.contract.errors import InputError, Problem
from analysis.sources import importers, run_cache, spreadsheet

LIST = "documents.csv"


@dataclass
class DocumentList:
    """One documents.csv: its rows (`path` relative to the workspace, `_row` = line), problems, notes."""

    path: Path
    shown: str
    df: pd.DataFrame
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """False when the file itself could not be read (then its rows are unknown)."""
        return self.df is not None


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _sheet(path: Path, folder: Path, shown: str, root) -> tuple[spreadsheet.Sheet | None, list[Problem]]:
    problems = safe_paths.file_problems(path, folder, shown, root)
    if problems:
        return None, problems
    try:
        return spreadsheet.read(path, display=shown), []
    except InputError as exc:
        header = ",".join(schema.COLUMNS["documents"])
        return None, [Problem(p.path, p.message, p.line, p.column,
                              f"the header row {header}" if p.message == "the file is empty" else p.expected, p.found)
                      for p in exc.problems]


def prefetch(lists: list[tuple[Path, Path]], root=None) -> None:
    """Inside a `run_cache.scope()`: read the lists [(path, folder)] and check their rows against
    the contract in one pandera pass (`schema.all_clean`); `read` then skips its own pass for
    them. When the pass finds a problem, every list is checked alone by `read` as before."""
    if not run_cache.active() or len(lists) < 2:
        return
    root = paths.root(root)
    frames = []
    for path, folder in lists:
        path, folder = Path(path), Path(folder)
        if not path.exists() and not path.is_symlink():
            continue
        sheet, _ = run_cache.shared(("documents_list.sheet", str(path), str(folder), str(root)),
                                    lambda: _sheet(path, folder, paths.rel(path, root), root))
        if sheet is None:
            return
        frames.append((path, sheet.df.drop(columns=[spreadsheet.ROW])))
    if schema.all_clean([f for _, f in frames], "documents"):
        for path, _ in frames:
            run_cache.prime(("documents_list.clean", str(path), str(root)), True)


def owners(path: Path) -> dict[str, str]:
    """{document_id: municipality_id} of a list, or {} when it cannot be read (`read` says why)."""
    return dict(run_cache.shared(("documents_list.owners", str(path)), lambda: _owners(Path(path))))


def _owners(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        sheet = spreadsheet.read(path)
    except InputError:
        return {}
    df = sheet.df
    if "document_id" not in df.columns:
        return {}
    mids = df["municipality_id"] if "municipality_id" in df.columns else [None] * len(df)
    return {d: m for d, m in zip(df["document_id"], mids) if d}


def read(path: Path, folder: Path, root=None, *, owner: str | None = None, known: set[str] | None = None,
         raw_ids: dict[str, str] | None = None, verify: bool = True) -> DocumentList:
    """Read and check one documents.csv; never raises on bad input (see `DocumentList.errors`).

    folder: where its files lie (data/raw/ or the municipality's folder); owner: the municipality
    whose folder it is (None for data/raw/documents.csv); known: the municipality ids;
    raw_ids: {id: municipality} of data/raw/documents.csv (a folder's list may not reuse them).
    """
    root = paths.root(root)
    path, folder = Path(path), Path(folder)
    shown = paths.rel(path, root)
    where = safe_paths.folder_text(folder, root)
    sheet, problems = run_cache.shared(("documents_list.sheet", str(path), str(folder), str(root)),
                                       lambda: _sheet(path, folder, shown, root))
    if sheet is None:
        return DocumentList(path, shown, None, problems)
    plain = sheet.delimiter == "," and str(sheet.encoding).upper() in ("UTF-8", "UTF-8-SIG")
    out = DocumentList(path, shown, None, notes=[] if plain else list(sheet.notes))  # say only what is unusual
    df = sheet.df.drop(columns=[spreadsheet.ROW])
    rows = list(sheet.df[spreadsheet.ROW])
    clean = run_cache.peek(("documents_list.clean", str(path), str(root)))  # checked with others (prefetch)
    for p in [] if clean else schema.problems(schema.conform(df, "documents"), "documents", shown, row_offset=0):
        line = rows[p.line] if p.line is not None and p.line < len(rows) else (1 if p.line is None else p.line)
        out.errors.append(Problem(shown, p.message, line, p.column, p.expected, p.found))
    if any(p.message == "required column is missing" for p in out.errors):
        return out
    kept_paths = []
    for rec, row in zip(df.to_dict("records"), rows):
        mid, doc = rec.get("municipality_id"), rec.get("document_id")
        if owner is not None and mid and mid != owner:
            out.errors.append(Problem(shown, "document of another municipality", row, "municipality_id", owner, mid))
        elif known is not None and mid and mid not in known:
            out.errors.append(Problem(shown, "unknown municipality", row, "municipality_id",
                                      "one of " + ", ".join(sorted(known)), mid))
        if owner is not None and raw_ids and doc in raw_ids:
            out.errors.append(Problem(shown, "document_id is already used in data/raw/documents.csv", row,
                                      "document_id", "a new id", doc))
        if owner is not None and doc and not rec.get("date"):
            out.warnings.append(Problem(shown, "the document has no date: the methods page and the profile list it "
                                               "without one", row, "date",
                                        "the date of the council decision or publication (YYYY-MM-DD)", None))
        name = rec.get("importer")
        if name and name not in importers.REGISTRY:
            close = difflib.get_close_matches(str(name), sorted(importers.REGISTRY), n=1, cutoff=0.6)
            out.errors.append(Problem(shown, "unknown importer" + (f" (did you mean {close[0]}?)" if close else ""),
                                      row, "importer", "one of " + ", ".join(sorted(importers.REGISTRY)), name))
        kept_paths.append(_path(rec, row, folder, where, shown, owner, root, verify, out))
    df["path"] = kept_paths
    df[spreadsheet.ROW] = rows
    out.df = df
    return out


def _path(rec: dict, row: int, folder: Path, where: str, shown: str, owner, root, verify: bool,
          out: DocumentList) -> str | None:
    """The row's path as the processed table gives it (relative to the workspace), checking the file."""
    value = rec.get("path")
    if not value:
        return value
    what = "this municipality's folder" if owner is not None else where
    file, problems = safe_paths.document_file(value, folder, shown, row, root, what=what)
    if problems:
        out.errors += problems
        return value
    if file is None:
        return value  # a web address
    if not file.is_file():
        if owner is None:
            out.errors.append(Problem(shown, "document file not found", row, "path",
                                      f"a file in {where}", value))
        else:
            out.warnings.append(Problem(shown, "document file not found in the folder", row, "path",
                                        "a file next to documents.csv or a web address", value))
        return paths.rel(file, root)
    if verify and isinstance(rec.get("sha256"), str) and rec["sha256"]:  # empty cells may read as NaN
        digest = sha256(file)
        if digest != rec["sha256"]:
            if owner is None:
                out.errors.append(Problem(shown, f"{file.name} has changed (raw documents are immutable)", row,
                                          "sha256", rec["sha256"], digest))
            else:
                out.errors.append(Problem(shown, f"{file.name} does not match its sha256", row, "sha256",
                                          digest, rec["sha256"]))
    return paths.rel(file, root)
