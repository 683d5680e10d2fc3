"""The municipality and document registries: who is in the workspace and from which documents.

Municipalities: one folder each under ``data/municipalities/<id>/`` with ``municipality.yml``.
Documents: ``data/raw/documents.csv`` for the raw source documents, plus an optional
``documents.csv`` in a municipality's folder (analyst-added municipalities).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import yaml

from analysis.contract import paths, schema
from analysis.contract.errors import InputError, Problem

MUNICIPALITY_FILE = "municipality.yml"


def municipality_dirs(root: Path | None = None) -> list[Path]:
    base = paths.municipalities_dir(root)
    return sorted(p for p in base.iterdir() if p.is_dir() and (p / MUNICIPALITY_FILE).exists()) if base.exists() else []


def read_municipality(folder: Path) -> dict:
    """Metadata of one municipality; errors name the file and key."""
    path = folder / MUNICIPALITY_FILE
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InputError("not valid YAML: " + str(exc).splitlines()[0], path=path,
                         line=None if line is None else line + 1) from None
    if not isinstance(meta, dict):
        raise InputError("expected a mapping of keys to values", path=path, line=1)
    problems = []
    for key in schema.COLUMNS["municipalities"]:
        if key == "region":
            continue
        if not meta.get(key):
            problems.append(Problem(str(path), "required key is missing", None, key,
                                    "keys " + ", ".join(schema.COLUMNS["municipalities"]), None))
    if meta.get("municipality_id") and meta["municipality_id"] != folder.name:
        problems.append(Problem(str(path), "municipality_id differs from the folder name", None,
                                "municipality_id", folder.name, meta["municipality_id"]))
    if problems:
        raise InputError(problems)
    keep = schema.COLUMNS["municipalities"] + schema.OPTIONAL["municipalities"]
    return {k: (str(v) if v is not None else None) for k, v in meta.items() if k in keep}


def municipalities(root: Path | None = None) -> pd.DataFrame:
    rows = [read_municipality(d) for d in municipality_dirs(root)]
    df = schema.conform(pd.DataFrame(rows), "municipalities") if rows else schema.empty("municipalities")
    schema.validate(df, "municipalities", str(paths.municipalities_dir(root) / "*" / MUNICIPALITY_FILE))
    return df.sort_values("municipality_id").reset_index(drop=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_documents_csv(path: Path, base: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})
    problems = schema.problems(schema.conform(df, "documents"), "documents", str(path))
    if problems:
        raise InputError(problems)
    df["_base"] = str(base)
    df["_list"] = str(path)
    return df


def documents(root: Path | None = None, *, verify: bool = True) -> pd.DataFrame:
    """All documents, with `path` relative to the repo and their sha256 verified."""
    root = paths.root(root)
    frames = []
    raw_list = paths.raw_dir(root) / "documents.csv"
    if raw_list.exists():
        frames.append(_read_documents_csv(raw_list, paths.raw_dir(root)))
    for folder in municipality_dirs(root):
        extra = folder / "documents.csv"
        if extra.exists():
            frames.append(_read_documents_csv(extra, folder))
    if not frames:
        return schema.empty("documents")
    df = pd.concat(frames, ignore_index=True)
    problems = []
    known = set(municipalities(root)["municipality_id"])
    for i, rec in df.iterrows():
        line = int((df.loc[:i, "_list"] == rec["_list"]).sum()) + 1
        if rec["municipality_id"] not in known:
            problems.append(Problem(rec["_list"], "unknown municipality", line, "municipality_id",
                                    "one of " + ", ".join(sorted(known)), rec["municipality_id"]))
        if rec.get("path") and re.match(r"^[a-z]+://", str(rec["path"])):
            continue  # a web address: nothing to hash
        file = Path(rec["_base"]) / str(rec["path"])
        if not rec.get("path") or not file.exists():
            if rec["_base"] == str(paths.raw_dir(root)):
                problems.append(Problem(rec["_list"], "document file not found", line, "path",
                                        "a file next to the list", rec.get("path")))
            continue
        if verify and isinstance(rec.get("sha256"), str) and rec["sha256"]:  # empty cells read as NaN
            digest = sha256(file)
            if digest != rec["sha256"]:
                problems.append(Problem(rec["_list"], f"{file.name} has changed (raw documents are immutable)",
                                        line, "sha256", rec["sha256"], digest))
    if problems:
        raise InputError(problems)
    dup = df[df.duplicated("document_id", keep="first")]
    if len(dup):
        raise InputError("document_id is used twice", path=dup.iloc[0]["_list"], column="document_id",
                         expected="unique ids", found=dup.iloc[0]["document_id"])
    df["path"] = [str((Path(b) / p).relative_to(root)) if p and not re.match(r"^[a-z]+://", p) else p
                  for b, p in zip(df["_base"], df["path"])]
    return df.drop(columns=["_base", "_list"])  # where the lists lie on this machine is not data
