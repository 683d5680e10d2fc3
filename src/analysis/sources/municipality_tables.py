"""Tables that analysts fill in for a municipality: data/municipalities/<id>/{budget,indicators,goals}.

Each table is a file ``<table>.csv`` (or .tsv, .txt, .xlsx) in the municipality's folder with the
contract's columns, plus any wide files mapped under ``input: wide:`` in municipality.yml (see
`analysis.sources.wide`). `load()` returns the contract tables for `analysis extract`; `read()` returns
them with the file and row of every record, for `analysis validate`.

Defaults for empty cells: municipality_id = the folder's id; document_id = the only document of
the folder's documents.csv; period = fiscal_year; economic_type = all; currency = the
municipality's; source_ref = '<table file>:<row>'; goals' quantified = target or result given;
achievement = computed from target and result (`analysis.contract.achievement`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis.contract import achievement as achievement_
from analysis.contract import paths, schema
from analysis.contract.codes import check_country, check_currency
from analysis.contract.errors import InputError, Problem
from analysis.sources import consistency, spreadsheet, wide

TABLES = ("budget", "indicators", "goals")
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
PRIVATE = ["_file", "_row", "_unit"]
MUNICIPALITY_FILE = "municipality.yml"
# Contract columns a table file may leave out or leave empty (filled as the module docstring says).
DEFAULTED = {
    "budget": {"municipality_id", "document_id", "period", "item_name_en", "economic_type", "currency",
               "category", "source_ref"},
    "indicators": {"municipality_id", "document_id", "item_code", "indicator_en", "category", "source_ref"},
    "goals": {"municipality_id", "document_id", "item_code", "metric", "unit", "target", "result",
              "result_phase", "achievement_reported", "achievement", "quantified", "source_ref"},
}
_TRUE = {"true", "yes", "ja", "1", "x", "wahr", "y", "j"}
_FALSE = {"false", "no", "nein", "0", "falsch", "n", "nej"}


# --- where things are ---------------------------------------------------------------------------

# --- municipality.yml --------------------------------------------------------------------------

def yaml_lines(text: str) -> dict[tuple, int]:
    """Line (1-based) of every key in a YAML text, by key path ('input', 'wide', 0, 'file')."""
    out: dict[tuple, int] = {}

    def walk(node, prefix):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = prefix + (k.value,)
                out[key] = k.start_mark.line + 1
                walk(v, key)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                out[prefix + (i,)] = v.start_mark.line + 1
                walk(v, prefix + (i,))

    try:
        walk(yaml.compose(text), ())
    except yaml.YAMLError:
        pass
    return out


@dataclass
class Meta:
    """municipality.yml: metadata, the `input:` section and the line of each key."""

    path: Path
    display: str
    values: dict
    input: dict
    lines: dict

    def line(self, keys: tuple) -> int | None:
        return self.lines.get(keys)


def read_meta(folder: Path, root=None) -> tuple[Meta | None, list[Problem]]:
    """Read and check municipality.yml; return it and every problem found."""
    path = folder / MUNICIPALITY_FILE
    shown = paths.rel(path, root)
    if not path.exists():
        return None, [Problem(shown, "file not found", None, None,
                              "municipality.yml (create the folder with: analysis new-municipality)", None)]
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(shown, "not valid YAML: " + str(exc).splitlines()[0],
                              None if mark is None else mark.line + 1, None, None, None)]
    if not isinstance(data, dict):
        return None, [Problem(shown, "expected a mapping of keys to values", 1, None, "key: value", None)]
    lines = yaml_lines(text)
    inp = data.pop("input", None) or {}
    meta = Meta(path, shown, {k: (None if v is None else str(v)) for k, v in data.items()}, inp, lines)
    problems = []
    for key in schema.COLUMNS["municipalities"]:
        if key != "region" and not meta.values.get(key):
            problems.append(Problem(shown, "required key is missing", None, key,
                                    "keys " + ", ".join(schema.COLUMNS["municipalities"]), None))
    if problems:
        return meta, problems
    if meta.values["municipality_id"] != folder.name:
        problems.append(Problem(shown, "municipality_id differs from the folder name",
                                lines.get(("municipality_id",)), "municipality_id", folder.name,
                                meta.values["municipality_id"]))
    row = pd.DataFrame([{k: meta.values.get(k) for k in schema.COLUMNS["municipalities"]}])
    for p in schema.problems(schema.conform(row, "municipalities"), "municipalities", shown):
        problems.append(Problem(shown, p.message, lines.get((p.column,)), p.column, p.expected, p.found))
    seen = {p.column for p in problems}
    if "country" not in seen:
        problems += check_country(meta.values["country"], shown, "country", lines.get(("country",)))
    if "currency" not in seen:
        problems += check_currency(meta.values["currency"], shown, "currency", lines.get(("currency",)))
    if not isinstance(inp, dict) or set(inp) - {"files", "wide", "long"}:
        problems.append(Problem(shown, "the input section has the keys files, wide and long", lines.get(("input",)),
                                "input", "files: {...}, wide: [...], long: [...]", str(inp)))
        meta.input = {}
    else:
        if not isinstance(inp.get("files") or {}, dict):
            problems.append(Problem(shown, "input.files maps file names to options", lines.get(("input", "files")),
                                    "input.files", "budget.csv: {delimiter: ';'}", str(inp.get("files"))))
            meta.input["files"] = {}
        for section in ("wide", "long"):
            if not isinstance(inp.get(section) or [], list):
                problems.append(Problem(shown, f"input.{section} is a list of mappings",
                                        lines.get(("input", section)), f"input.{section}",
                                        "- file: haushalt.csv ...", str(inp.get(section))))
                meta.input[section] = []
    return meta, problems


# --- documents ---------------------------------------------------------------------------------

def document_ids(folder: Path, root=None) -> tuple[list[str], list[str]]:
    """(ids in the folder's documents.csv, ids in data/raw/documents.csv)."""
    def ids(path: Path) -> list[str]:
        if not path.exists():
            return []
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError):
            return []
        return [d for d in df.get("document_id", pd.Series(dtype=str)).tolist() if d]
    return ids(folder / "documents.csv"), ids(paths.raw_dir(root) / "documents.csv")


# --- tables ------------------------------------------------------------------------------------

@dataclass
class Loaded:
    """Everything read from one municipality's folder; tables keep `_file`, `_row` and `_unit`."""

    municipality_id: str
    meta: Meta | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    quality: list[dict] = field(default_factory=list)  # checks of mapped files against themselves (Saldo)


class Tables(dict):
    """{table name: DataFrame} with the reading notes in `.notes` (what was detected or assumed)."""

    notes: list[str]

    def __init__(self, *args, notes=None, **kw):
        super().__init__(*args, **kw)
        self.notes = list(notes or [])


def table_files(folder: Path) -> dict[str, list[Path]]:
    return {t: sorted(p for p in folder.glob(f"{t}.*") if p.suffix.lower() in SUFFIXES) for t in TABLES}


def read(folder: Path | str, root=None) -> Loaded:
    """Read and check the tables of one folder, collecting every problem (never raises on bad input)."""
    folder = Path(folder)
    meta, problems = read_meta(folder, root)
    out = Loaded(folder.name, meta, problems=problems)
    if meta is None or problems:
        return out
    files_opts = meta.input.get("files") or {}
    folder_docs, raw_docs = document_ids(folder, root)
    defaults = {"municipality_id": folder.name, "currency": meta.values["currency"],
                "document_id": folder_docs[0] if len(folder_docs) == 1 else None}
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    mapped = [(section, i, spec) for section in ("wide", "long")
              for i, spec in enumerate(meta.input.get(section) or [])]
    wide_files = {str((s or {}).get("file")) for _, _, s in mapped if isinstance(s, dict)}
    for table, found in table_files(folder).items():
        if len(found) > 1:
            out.problems.append(Problem(paths.rel(found[1], root), f"two files for the {table} table", None, None,
                                        "one of " + ", ".join(p.name for p in found), found[1].name))
            continue
        if not found:
            continue
        if found[0].name in wide_files:
            continue  # a wide file named like a table; mapped below
        df = _read_long(table, found[0], meta, files_opts.get(found[0].name), defaults, out, root)
        if df is not None and len(df):
            out.files.append(found[0].name)
            parts[table].append(df)
    sheets: dict = {}  # a file mapped twice (e.g. product totals and their economic breakdown) is read once
    for section, i, spec in mapped:
        file = spec.get("file") if isinstance(spec, dict) else None
        got = wide.read(spec, i, folder, meta=meta.values, options=files_opts.get(file), yml=meta.display,
                        line=meta.line, display=lambda p: paths.rel(p, root), defaults=defaults, section=section,
                        cache=sheets)
        out.notes += got.notes
        out.problems += got.problems
        out.warnings += got.warnings
        out.quality += got.quality
        if file and str(file) not in out.files:
            out.files.append(str(file))
        if got.rows is not None and len(got.rows):
            parts[spec.get("table", "budget")].append(got.rows)
    for name in files_opts:
        if not (folder / name).exists():
            out.warnings.append(Problem(meta.display, "options given for a file that does not exist",
                                        meta.line(("input", "files", name)), f"input.files.{name}",
                                        "a file in this folder", name))
    known = set(folder_docs) | set(raw_docs)
    for table, frames in parts.items():
        if not frames:
            continue
        df = pd.concat(frames, ignore_index=True)
        for c in PRIVATE:
            df[c] = df[c] if c in df.columns else None
        df["_unit"] = df["_unit"].fillna(1)
        out.problems += _document_problems(df, known, folder_docs)
        out.problems += contract_problems(df, table)
        out.tables[table] = conform(df, table)
    out.problems = _dedupe(out.problems)
    return out


def _read_long(table, path, meta: Meta, options, defaults, out: Loaded, root) -> pd.DataFrame | None:
    shown = paths.rel(path, root)
    try:
        sheet = spreadsheet.read(path, options=options, numeric=schema.DTYPES_FLOAT[table],
                                 language=meta.values.get("language"), display=shown)
    except InputError as exc:
        out.problems += exc.problems
        return None
    if not len(sheet.df):
        out.notes.append(f"{shown}: header only, no rows yet")
    else:
        out.notes += sheet.notes
    allowed = schema.COLUMNS[table] + schema.OPTIONAL.get(table, [])
    missing = [c for c in schema.COLUMNS[table] if c not in sheet.columns and c not in DEFAULTED[table]]
    for c in missing:
        out.problems.append(Problem(shown, "required column is missing", 1, c,
                                    "a column in the header row", None))
    unknown = [c for c in sheet.columns if c not in allowed]
    if unknown:
        out.warnings.append(Problem(shown, "columns not in the contract are ignored", 1, ", ".join(unknown),
                                    "columns " + ", ".join(allowed), None))
    if missing:
        return None
    rows, problems = [], []
    floats, ints = schema.DTYPES_FLOAT.get(table, []), schema.DTYPES_INT.get(table, [])
    for rec in sheet.df.to_dict("records"):
        row, r = rec[spreadsheet.ROW], {}
        bad = False
        for col in sheet.columns:
            if col not in allowed:
                continue
            v = rec[col]
            try:
                if col in floats:
                    r[col] = sheet.number(v, row, col)
                elif col in ints:
                    r[col] = _int(v, shown, row, col)
                elif table == "goals" and col == "quantified":
                    r[col] = _bool(v, shown, row, col)
                else:
                    r[col] = None if v is None else _text(v)
            except InputError as exc:
                problems += exc.problems
                bad = bad or col in schema.COLUMNS[table]
        problems += _fill_defaults(r, table, defaults, path.name, shown, row)
        if r.get("fiscal_year") is None and "fiscal_year" in schema.COLUMNS[table]:
            if not bad:
                problems.append(Problem(shown, "value breaks the contract", row, "fiscal_year",
                                        "a value (the column may not be empty)", None))
            continue
        r.update(_file=shown, _row=row, _unit=1)
        rows.append(r)
    out.problems += problems
    return pd.DataFrame(rows) if rows else None


def _fill_defaults(r: dict, table: str, defaults: dict, file_name: str, shown: str, row: int) -> list[Problem]:
    problems = []
    mid = defaults["municipality_id"]
    if r.get("municipality_id") is None:
        r["municipality_id"] = mid
    elif r["municipality_id"] != mid:
        problems.append(Problem(shown, "municipality_id differs from the folder", row, "municipality_id",
                                f"{mid} (or empty)", r["municipality_id"]))
    if r.get("document_id") is None:
        if defaults.get("document_id"):
            r["document_id"] = defaults["document_id"]
        else:
            problems.append(Problem(shown, "document_id is empty and documents.csv of this folder does not list "
                                           "exactly one document", row, "document_id",
                                    "a document_id from documents.csv", None))
    if r.get("source_ref") is None:
        r["source_ref"] = f"{file_name}:{row}"
    if table == "budget":
        if r.get("period") is None and r.get("fiscal_year") is not None:
            r["period"] = str(r["fiscal_year"])
        if r.get("economic_type") is None:
            r["economic_type"] = "all"
        if r.get("currency") is None:
            r["currency"] = defaults["currency"]
    if table == "goals":
        if r.get("quantified") is None:
            r["quantified"] = r.get("target") is not None or r.get("result") is not None
        if r.get("achievement") is None:
            r["achievement"] = achievement_.stored(r.get("target"), r.get("result"), r.get("direction"))
    return problems


def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _int(v, shown, row, col) -> int | None:
    if v is None:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer():
        return int(v)
    s = str(v).strip()
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    raise InputError("not a whole number", path=shown, line=row, column=col, expected="a year like 2023", found=s)


def _bool(v, shown, row, col) -> bool | None:
    if v is None:
        return None
    s = _text(v).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise InputError("not a yes/no value", path=shown, line=row, column=col, expected="true or false", found=s)


def conform(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """`schema.conform` that keeps the private columns `_file`, `_row` and `_unit`."""
    body = schema.conform(df.drop(columns=[c for c in PRIVATE if c in df.columns]), name)
    for c in PRIVATE:
        body[c] = df[c].to_numpy() if c in df.columns else None
    return body


def contract_problems(df: pd.DataFrame, name: str) -> list[Problem]:
    """`schema.problems` with each problem at the file and row the record came from."""
    df = df.reset_index(drop=True)
    body = schema.conform(df.drop(columns=[c for c in PRIVATE if c in df.columns]), name)
    out = []
    for p in schema.problems(body, name, "", row_offset=0):
        if p.expected == "unique values":
            continue  # reported below as "duplicate row" with the row it repeats
        if p.line is None or p.line >= len(df):
            files = ", ".join(sorted(set(df["_file"].dropna())))
            out.append(Problem(files or name, p.message, p.line, p.column, p.expected, p.found))
            continue
        message = p.message
        if message.startswith("duplicate row"):
            key = [k for k in schema.KEYS[name] if k in body.columns]
            same = (body[key].astype(object).fillna("\0") == body.loc[p.line, key].astype(object).fillna("\0")).all(axis=1)
            first = same[same].index[0]
            message += f"; same key as {df.at[first, '_file']}:{df.at[first, '_row']}"
        out.append(Problem(df.at[p.line, "_file"], message, int(df.at[p.line, "_row"]), p.column,
                           p.expected, p.found))
    return out


def _document_problems(df: pd.DataFrame, known: set, folder_docs: list[str]) -> list[Problem]:
    out = []
    if "document_id" in df.columns:
        df = df[df["document_id"].notna() & ~df["document_id"].isin(known)]  # only the unknown ones
    ids = df["document_id"] if "document_id" in df.columns else [None] * len(df)
    for f, r, d in zip(df["_file"], df["_row"], ids):
        if d is not None and d == d and d not in known:
            out.append(Problem(f, "unknown document", int(r), "document_id",
                               "a document_id listed in this folder's documents.csv ("
                               + (", ".join(folder_docs) or "none yet") + ")", d))
    return out


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.path, p.line, p.column, p.found)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def load(folder: Path | str, root=None) -> Tables:
    """Contract tables of one folder for `analysis extract` ({} when it has no table files).

    Also returns ``quality`` rows for the checks of the tables against themselves (items that sum
    to a total, goals' achievements). Raises InputError listing every problem at once. The notes
    (dialects detected, ambiguities, consistency failures) are in the result's `.notes`.
    """
    loaded = read(folder, root)
    if loaded.problems:
        raise InputError(loaded.problems)
    return tables_of(loaded)


def tables_of(loaded: Loaded, warnings: list[Problem] | None = None) -> Tables:
    """The contract tables (and quality rows) of a folder read without errors; `warnings` replace
    the reading warnings in the notes (validate passes all of its own)."""
    findings = consistency.consistency(loaded.tables)
    shown = loaded.warnings if warnings is None else warnings
    out = Tables(notes=loaded.notes + [f"warning: {w}" for w in shown]
                 + [f"{f.severity}: {f.problem}" for f in findings if f.severity != "pass"])
    for name, df in loaded.tables.items():
        out[name] = df.drop(columns=PRIVATE)  # conformed by read()
    quality = [f.quality for f in findings if f.quality] + loaded.quality
    if quality:
        out["quality"] = schema.conform(pd.DataFrame(quality), "quality")
    return out
