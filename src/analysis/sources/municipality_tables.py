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

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.contract import achievement as achievement_
from analysis.contract import paths, safe_paths, safe_yaml, schema
from analysis.contract.codes import check_admin_type, check_country, check_currency
from analysis.contract.errors import InputError, Problem
from analysis.sources import (category_coverage, consistency, documents_list, folder_rules, run_cache, spreadsheet,
                              stacking, wide)

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

def yaml_lines(text: str, node=None) -> dict[tuple, int]:
    """Line (1-based) of every key in a YAML text, by key path ('input', 'wide', 0, 'file').

    Call it on a text `safe_yaml` has checked (no aliases: each node is visited once); `node`: the
    text's composed root node when it is at hand (`safe_yaml.read` returns it)."""
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
        walk(yaml.compose(text, Loader=yaml.SafeLoader) if node is None else node, ())
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
    warnings: list = field(default_factory=list)

    def line(self, keys: tuple) -> int | None:
        return self.lines.get(keys)


META_KEYS = schema.COLUMNS["municipalities"] + schema.OPTIONAL["municipalities"] + ["input"]


def _meta_value(value, node, key):
    """A metadata value as text, as written in the file: ``country: NO`` is 'NO' (YAML would read
    false), ``official_code: 03157`` is '03157' (YAML would read the octal number 1647)."""
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return safe_yaml.scalar_text(node, key)
    return str(value)


def read_meta(folder: Path, root=None) -> tuple[Meta | None, list[Problem]]:
    """Read and check municipality.yml; return it and every problem found (read once per run:
    `run_cache`)."""
    meta, problems = run_cache.shared(meta_key(folder, root), lambda: _read_meta(Path(folder), root))
    return meta, list(problems)


def meta_key(folder: Path, root=None) -> tuple:
    """The run_cache key of `read_meta(folder, root)`."""
    return ("meta", str(folder), str(root))


def checked_key(folder: Path, root=None) -> tuple:
    """The run_cache key of the folder's `check` result (primed by the extract cache)."""
    return ("checked", str(folder), str(root))


def meta_row(meta: Meta) -> pd.DataFrame:
    """The municipalities row of a municipality.yml (one row, the contract's columns)."""
    return pd.DataFrame([{k: meta.values.get(k) for k in schema.COLUMNS["municipalities"]}])


def read_metas(folders: list[Path], root=None) -> None:
    """Inside a `run_cache.scope()`: `read_meta` of every folder, their rows checked against the
    contract in one pandera pass (`schema.all_clean`); where that pass finds a problem, each
    folder is read again alone so that its problems name its file and line as before."""
    if not run_cache.active():
        return
    todo = [Path(f) for f in folders if run_cache.peek(meta_key(f, root)) is None]
    if len(todo) < 2:
        return
    first = {}
    rows: list = []
    for f in todo:
        got = []
        meta, problems = _read_meta(f, root, rows=got)
        first[f] = (meta, problems, got)
        rows += got
    clean = schema.all_clean(rows, "municipalities")
    for f, (meta, problems, got) in first.items():
        run_cache.prime(meta_key(f, root), (meta, problems) if clean or not got else _read_meta(f, root))


def _read_meta(folder: Path, root=None, rows: list | None = None) -> tuple[Meta | None, list[Problem]]:
    """`rows`: a list that takes the folder's municipalities row instead of checking it here."""
    path = folder / MUNICIPALITY_FILE
    shown = paths.rel(path, root)
    if not path.exists() and not path.is_symlink():
        return None, [Problem(shown, "file not found", None, None,
                              "municipality.yml (create the folder with: analysis new-municipality)", None)]
    outside = safe_paths.file_problems(path, folder, shown)
    if outside:
        return None, outside
    try:
        text, data, node = safe_yaml.read(path, shown)
    except InputError as exc:
        return None, exc.problems
    data = data or {}
    if not isinstance(data, dict):
        return None, [Problem(shown, "expected a mapping of keys to values", 1, None, "key: value", None)]
    lines = yaml_lines(text, node)
    inp = data.pop("input", None) or {}
    meta = Meta(path, shown, {k: _meta_value(v, node, k) for k, v in data.items()}, inp, lines)
    for key in data:
        if key not in META_KEYS:
            meta.warnings.append(Problem(shown, "unknown key (ignored)", lines.get((key,)), str(key),
                                         "keys " + ", ".join(META_KEYS), str(key)))
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
    row = meta_row(meta)
    if rows is not None:
        rows.append(row)  # checked with the other folders' rows (read_metas)
    else:
        for p in schema.problems(schema.conform(row, "municipalities"), "municipalities", shown):
            problems.append(Problem(shown, p.message, lines.get((p.column,)), p.column, p.expected, p.found))
    seen = {p.column for p in problems}
    if "country" not in seen:
        problems += check_country(meta.values["country"], shown, "country", lines.get(("country",)))
    if "currency" not in seen:
        problems += check_currency(meta.values["currency"], shown, "currency", lines.get(("currency",)))
    if "admin_type" not in seen and "country" not in seen:
        meta.warnings += check_admin_type(meta.values["admin_type"], meta.values["country"], shown, "admin_type",
                                          lines.get(("admin_type",)))
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
    return (list(documents_list.owners(folder / documents_list.LIST)),
            list(documents_list.owners(paths.raw_dir(root) / documents_list.LIST)))


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
    findings: list = field(default_factory=list)       # consistency checks (set by `check`)
    read_files: set = field(default_factory=set)       # paths relative to the folder that something reads
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
    """Read and check the tables of one folder, collecting every problem (never raises on bad input).

    documents.csv comes first: when it cannot be read, the rows' document_id problems that follow
    from it are left out (its own problem says what to fix)."""
    return read_many([folder], root)[0]


def read_many(folders: list[Path | str], root=None) -> list[Loaded]:
    """`read` for several folders: each table of all folders is conformed and checked against the
    contract (pandera) in one pass over their rows together; every problem still names its folder's
    file and row, in the order `read` of one folder gives them."""
    read_metas([Path(f) for f in folders], root)  # inside a run: one contract pass over the metadata rows
    documents_list.prefetch([(Path(f) / documents_list.LIST, Path(f)) for f in folders], root)  # and the lists
    started = [_read_rows(Path(f), root) for f in folders]
    for table in TABLES:
        mine = [(i, df) for i, (_, pending, _) in enumerate(started) if (df := pending.get(table)) is not None]
        if not mine:
            continue
        for i, (body, problems) in zip([i for i, _ in mine], _contract_pass([df for _, df in mine], table)):
            out, _, slots = started[i]
            out.tables[table] = body
            slots[table] = problems
    result = []
    for out, pending, slots in started:
        for table in reversed([t for t in TABLES if t in pending]):  # each table's place in the problem list
            at = out.__dict__.pop(f"_at_{table}")
            out.problems[at:at] = slots[table]
        out.problems = _dedupe(out.problems)
        result.append(out)
    return result


def _contract_pass(frames: list[pd.DataFrame], table: str) -> list[tuple[pd.DataFrame, list[Problem]]]:
    """(conformed table, contract problems) of each folder's rows, from one conform and one
    pandera pass over all of them; duplicate keys are looked for within a folder."""
    def alone():
        return [(b, contract_problems(f, table, body=b)) for f, b in ((f, conform(f, table)) for f in frames)]

    if len(frames) == 1:
        return alone()
    kinds_of = [dict(zip(f.columns, f.dtypes)) for f in frames]  # each frame's columns and dtypes
    columns = list(dict.fromkeys(c for k in kinds_of for c in k))
    for c in [c for c in columns if c not in PRIVATE]:  # whole numbers in one folder, fractions in another: 5.0
        kinds = {k[c].kind for k in kinds_of if c in k}
        if len(kinds) > 1 and kinds & set("iub"):
            return alone()
    sizes = [len(f) for f in frames]
    whole = stacking.stack(frames, columns, missing_as_object=True)
    whole["_folder"] = np.repeat(np.arange(len(frames)), sizes)
    body = conform(whole, table)
    found = contract_problems(whole, table, body=body, within="_folder")
    if any(idx is None for _, idx in found):  # a problem of a whole column: said per folder, as `read` says it
        return alone()
    starts = np.r_[0, np.cumsum(sizes)]
    by_folder: list[list[Problem]] = [[] for _ in frames]
    for p, idx in found:
        by_folder[int(whole.at[idx, "_folder"])].append(p)
    body = body.drop(columns=["_folder"])
    ordered = schema.COLUMNS[table] + schema.OPTIONAL.get(table, [])
    at = {c: i for i, c in enumerate(body.columns)}
    same = {c: all(k[c] == body[c].dtype == whole[c].dtype for k in kinds_of) for c in PRIVATE}  # body: each one's own
    out = []
    for k, f in enumerate(frames):
        others = [c for c in kinds_of[k] if c not in ordered and c not in PRIVATE]  # as conform of this folder alone
        part = body.iloc[starts[k]:starts[k + 1], [at[c] for c in ordered + others + PRIVATE]]
        part.index = pd.RangeIndex(sizes[k])
        for c in PRIVATE:  # as this folder gave them (a unit of 1 stays 1, not 1.0)
            if not same[c]:
                part[c] = f[c].to_numpy()
        out.append((part, by_folder[k]))
    return out


def _read_rows(folder: Path, root=None) -> tuple[Loaded, dict[str, pd.DataFrame], dict]:
    """The first step of `read`: the folder's rows per table, not yet checked against the contract;
    where their contract problems go is kept in the Loaded as `_at_<table>`."""
    pending: dict[str, pd.DataFrame] = {}
    out = _read_rows_into(folder, root, pending)
    return out, pending, {}


def _read_rows_into(folder: Path, root, pending: dict) -> Loaded:
    meta, problems = read_meta(folder, root)
    out = Loaded(folder.name, meta, problems=problems)
    if meta is not None:
        out.warnings += meta.warnings
    if meta is None or problems:
        return out
    out.read_files |= {MUNICIPALITY_FILE, documents_list.LIST}
    docs = folder_rules.document_list(folder, root)
    docs_ok = docs is None or docs.readable
    folder_docs = []
    if docs is not None:
        out.problems += docs.errors
        out.warnings += docs.warnings
        out.notes += docs.notes
        if docs.readable:
            folder_docs = [d for d in docs.df["document_id"] if d]
            for v in docs.df["path"]:
                if v and not safe_paths.is_web_address(v) and safe_paths.inside(Path(paths.root(root)) / v, folder):
                    out.read_files.add(os.path.relpath(Path(paths.root(root)) / v, folder).replace(os.sep, "/"))
    owner = {d: m for d, m in documents_list.owners(paths.raw_dir(root) / documents_list.LIST).items()}
    owner.update({d: folder.name for d in folder_docs})
    files_opts = meta.input.get("files") or {}
    defaults = {"municipality_id": folder.name, "currency": meta.values["currency"],
                "document_id": folder_docs[0] if len(folder_docs) == 1 else None, "documents_readable": docs_ok}
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
        out.read_files.add(found[0].name)
        outside = folder_rules.inside_problems(found[0], folder, root)
        if outside:
            out.problems += outside
            continue
        df = _read_long(table, found[0], meta, files_opts.get(found[0].name), defaults, out, root)
        if df is not None and len(df):
            out.files.append(found[0].name)
            parts[table].append(df)
    sheets: dict = {}  # a file mapped twice (e.g. product totals and their economic breakdown) is read once
    for section, i, spec in mapped:
        file = spec.get("file") if isinstance(spec, dict) else None
        if file:
            out.read_files.add(str(file))
            outside = folder_rules.mapped_file_problems(file, folder, meta.display,
                                                        meta.line(("input", section, i, "file")),
                                                        f"input.{section}[{i}].file", root)
            if outside:
                out.problems += outside
                continue
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
    for table, frames in parts.items():
        if not frames:
            continue
        df = pd.concat(frames, ignore_index=True)
        for c in PRIVATE:
            df[c] = df[c] if c in df.columns else None
        df["_unit"] = df["_unit"].fillna(1)
        if docs_ok:
            out.problems += _document_problems(df, owner, folder_docs, folder.name)
        pending[table] = df.reset_index(drop=True)
        out.__dict__[f"_at_{table}"] = len(out.problems)  # its contract problems come here (read_many)
    return out


def check(folder: Path | str, root=None) -> Loaded:
    """`read` plus every rule of the folder: files nothing reads, the tables against themselves
    (`consistency`), categories and reference data (`folder_rules`). One implementation for
    `analysis validate` (reports it) and `analysis extract` / `build` (`load` refuses it)."""
    return check_many([folder], root)[0]


def check_many(folders: list[Path | str], root=None) -> list[Loaded]:
    """`check` of several folders, their tables read together (`read_many`)."""
    folders = [Path(f) for f in folders]
    done = {f: run_cache.peek(checked_key(f, root)) for f in folders}  # from the extract cache
    todo = [f for f in folders if done[f] is None]
    for f, out in zip(todo, _check_todo(todo, root)):
        done[f] = out
    return [done[f] for f in folders]


# Folders a worker process checks together (one contract pass each): big enough that the pass
# pays off, small enough that the workers finish together.
CHUNK = 32
PARALLEL_FROM = 2 * CHUNK  # fewer folders: checked in this process (a worker costs a fork)


def jobs() -> int:
    """Worker processes for `check_many`: the cores this process may use, or ANALYSIS_EXTRACT_JOBS."""
    given = os.environ.get("ANALYSIS_EXTRACT_JOBS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _check_todo(todo: list[Path], root=None) -> list[Loaded]:
    """`read_many` and the rules of `_check_chunk` for the folders; with many folders and more than one core, in
    forked worker processes, each checking consecutive chunks of folders. The result is the same:
    every folder's problems and tables are its own (`read_many` of one chunk gives each folder what
    `read` of it alone gives), in the order of `todo`."""
    n = jobs()
    if n < 2 or len(todo) < PARALLEL_FROM or not run_cache.active():
        return _check_chunk((todo, root))
    import multiprocessing
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this platform
        return _check_chunk((todo, root))
    read_metas(todo, root)  # read once here: the workers inherit the run's shared values
    documents_list.prefetch([(f / documents_list.LIST, f) for f in todo], root)
    size = max(1, min(CHUNK, -(-len(todo) // n)))
    chunks = [(todo[i:i + size], root) for i in range(0, len(todo), size)]
    with ctx.Pool(min(n, len(chunks))) as pool:
        parts = pool.map(_check_chunk, chunks, chunksize=1)
    return [out for part in parts for out in part]


def _check_chunk(job: tuple[list[Path], object]) -> list[Loaded]:
    folders, root = job
    outs = list(zip(folders, read_many(folders, root)))
    todo = [(f, out) for f, out in outs if out.meta is not None and out.read_files]  # else municipality.yml unread
    for (f, out), found in zip(todo, consistency.consistency_many([out.tables for _, out in todo])):
        _check_tables(f, out, found, root)
    coverage = category_coverage.check_many([(out.tables.get("budget"), out.meta) for _, out in todo], root)
    refs = folder_rules.reference_problems_many([(out.tables, out.meta.values) for _, out in todo], root)
    for (f, out), (notes, warnings, errors), (ref_errors, ref_warnings) in zip(todo, coverage, refs):
        out.notes += notes
        out.warnings += warnings
        out.problems += errors
        errors, warnings = ref_errors, ref_warnings
        out.problems += errors
        out.warnings += warnings
        out.problems = _dedupe(out.problems)
    return [out for _, out in outs]


def _check_tables(folder: Path, out: Loaded, findings: list, root=None) -> None:
    """The first rules of `_check_chunk`: files nothing reads, the tables against themselves
    (`findings`: `consistency` of the folder's tables), categories."""
    errors, warnings = folder_rules.file_problems(folder, out.read_files, root)
    out.problems += errors
    out.warnings += warnings
    out.findings = findings
    for f in out.findings:
        if f.severity == "error":
            out.problems.append(f.problem)
        elif f.severity == "warning":
            out.warnings.append(f.problem)
    out.problems += folder_rules.category_problems(out.tables, root)


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
    if table in _FAST_DEFAULTS:
        fast = _read_long_clean(table, sheet, allowed, defaults, path.name, shown)
        if fast is not None:
            return fast
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
                if col in floats and (table, col) == ("budget", "amount"):
                    r[col] = spreadsheet.amount(sheet, v, row, col)
                elif col in floats:
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


_FAST_DEFAULTS = {"budget": ("municipality_id", "document_id", "source_ref", "period", "economic_type", "currency"),
                  "indicators": ("municipality_id", "document_id", "source_ref")}
_WHOLE = re.compile(r"-?[0-9]+")
_PLAIN_NUMBER = {"en": r"-?[0-9]+(\.[0-9]+)?", "de": r"-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?"}


def _read_long_clean(table, sheet, allowed, defaults, file_name, shown) -> pd.DataFrame | None:
    """`_read_long`'s rows of a clean file column by column: every number plain (1234.5 or
    1.234,5 as the sheet reads them), every year a whole number, every default at hand. Returns
    None for anything else (a cell to report, a default missing, a period of another year): then
    the rows are read one by one as before, which names each problem."""
    df = sheet.df
    cols = [c for c in sheet.columns if c in allowed]
    floats, ints = schema.DTYPES_FLOAT.get(table, []), schema.DTYPES_INT.get(table, [])
    out = {}
    number = re.compile(_PLAIN_NUMBER[sheet.locale])
    for col in cols:  # plain lists: a few hundred cells a column cost less than pandas calls
        cells = df[col].tolist()
        given = [x for x in cells if x is not None and x == x]
        if not all(isinstance(x, str) for x in given):
            return None  # numbers stored in a workbook, booleans: read one by one
        if col in floats:
            if not all(number.fullmatch(x) for x in given):
                return None
            if sheet.locale == "de":
                cells = [x if x is None or x != x else x.replace(".", "").replace(",", ".") for x in cells]
            # float() of each text, as parse_number
            out[col] = np.array([np.nan if x is None or x != x else float(x) for x in cells], dtype=float)
        elif col in ints:
            text = [x.strip() for x in given]
            if len(given) != len(cells) or not all(_WHOLE.fullmatch(x) for x in text):
                return None
            out[col] = np.array([int(x) for x in text], dtype=np.int64)
        else:
            out[col] = np.array([None if x is None or x != x else x.strip() for x in cells], dtype=object)
    n = len(df)
    if not n:
        return None
    rows = df[spreadsheet.ROW].to_numpy()
    # the defaults in plain lists too; the frame is built once at the end
    text = {c: v.tolist() for c, v in out.items() if v.dtype == object}

    def column(name):
        return text.get(name, [None] * n)

    mid_default = defaults["municipality_id"]
    mid = column("municipality_id")
    if any(x is not None and x != mid_default for x in mid):
        return None
    out["municipality_id"] = _objects([mid_default if x is None else x for x in mid])
    doc = column("document_id")
    if any(x is None for x in doc):
        if not defaults.get("document_id"):
            return None
        out["document_id"] = _objects([defaults["document_id"] if x is None else x for x in doc])
    out["source_ref"] = _objects([f"{file_name}:{r}" if x is None else x
                                  for x, r in zip(column("source_ref"), rows.tolist())])
    if table == "budget":
        years = [str(y) for y in out["fiscal_year"].tolist()]
        period = column("period")
        for p, y in zip(period, years):
            if p is not None and p != y and not (len(p) == len(y) + 3 and p[:-3] == y and _MONTH.fullmatch(p[-3:])):
                return None
        out["period"] = _objects([y if p is None else p for p, y in zip(period, years)])
        out["economic_type"] = _objects(["all" if x is None else x for x in column("economic_type")])
        cur = defaults["currency"]
        out["currency"] = _objects([cur if x is None else x for x in column("currency")])
    return pd.DataFrame({**out, "_file": shown, "_row": rows, "_unit": 1}, index=range(n))


_MONTH = re.compile(r"-[0-9][0-9]")  # as pyarrow's regex \d: ASCII digits


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


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
        elif defaults.get("documents_readable", True):
            problems.append(Problem(shown, "document_id is empty and documents.csv of this folder does not list "
                                           "exactly one document", row, "document_id",
                                    "a document_id from documents.csv", None))
    if r.get("source_ref") is None:
        r["source_ref"] = f"{file_name}:{row}"
    if table == "budget":
        if r.get("period") is None and r.get("fiscal_year") is not None:
            r["period"] = str(r["fiscal_year"])
        elif r.get("fiscal_year") is not None and not re.fullmatch(rf"{r['fiscal_year']}(-\d\d)?", str(r["period"])):
            fy = r["fiscal_year"]
            problems.append(Problem(shown, f"period {r['period']} is not in fiscal year {fy}", row, "period",
                                    f"{fy} or {fy}-MM (or empty)", r["period"]))
        if r.get("economic_type") is None:
            r["economic_type"] = "all"
        if r.get("currency") is None:
            r["currency"] = defaults["currency"]
    if table == "goals":
        if r.get("quantified") is None:
            r["quantified"] = r.get("target") is not None or r.get("result") is not None
        computed = achievement_.stored(r.get("target"), r.get("result"), r.get("direction"))
        given = r.get("achievement")
        if given is None:
            r["achievement"] = computed
        elif computed is not None and abs(given - computed) > consistency.GOAL_TOLERANCE:
            formula = "result / target x 100" if r.get("direction") == "higher_is_better" else "target / result x 100"
            problems.append(Problem(shown, f"does not match target {consistency._fmt(r.get('target'))} and result "
                                           f"{consistency._fmt(r.get('result'))} ({formula})", row, "achievement",
                                    f"{computed:.1f} (+-{consistency.GOAL_TOLERANCE}) or empty (computed)",
                                    consistency._fmt(given)))
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


def contract_problems(df: pd.DataFrame, name: str, body: pd.DataFrame | None = None,
                      within: str | None = None) -> list:
    """`schema.problems` with each problem at the file and row the record came from.

    `body`: `df` already passed through `conform` (then it is not conformed again). `within`: a
    column of `df` that tells the folders apart (rows of several folders checked at once): keys
    repeat only within one, and the result is a list of (problem, row index of `df`)."""
    df = df.reset_index(drop=True)
    if body is None:
        body = schema.conform(df.drop(columns=[c for c in PRIVATE if c in df.columns]), name)
    if within is not None:
        body = body.assign(**{within: df[within].to_numpy()})
    out = []
    for p in schema.problems(body, name, "", row_offset=0, within=within):
        if p.expected == "unique values":
            continue  # reported below as "duplicate row" with the row it repeats
        if p.line is None or p.line >= len(df):
            files = ", ".join(sorted(set(df["_file"].dropna())))
            problem = Problem(files or name, p.message, p.line, p.column, p.expected, p.found)
            out.append((problem, None) if within else problem)  # a whole column: no row
            continue
        message = p.message
        if message.startswith("duplicate row"):
            key = [k for k in schema.KEYS[name] if k in body.columns] + ([within] if within else [])
            same = (body[key].astype(object).fillna("\0") == body.loc[p.line, key].astype(object).fillna("\0")).all(axis=1)
            first = same[same].index[0]
            message += f"; same key as {df.at[first, '_file']}:{df.at[first, '_row']}"
        problem = Problem(df.at[p.line, "_file"], message, int(df.at[p.line, "_row"]), p.column, p.expected, p.found)
        out.append((problem, p.line) if within else problem)
    return out


def _document_problems(df: pd.DataFrame, owner: dict[str, str], folder_docs: list[str], mid: str) -> list[Problem]:
    """Every row cites a document of this municipality (its documents.csv, or data/raw/documents.csv)."""
    out = []
    mine = sorted(d for d, m in owner.items() if m == mid)
    if "document_id" in df.columns:  # only the rows at fault (fast for 100,000 rows): in a plain list
        known = set(mine)
        bad = [i for i, d in enumerate(df["document_id"].tolist())
               if not (d is None or d is pd.NA or (d.__class__ is float and d != d)) and d not in known]
        if not bad:
            return out
        df = df.iloc[bad]
    ids = df["document_id"] if "document_id" in df.columns else [None] * len(df)
    for f, r, d in zip(df["_file"], df["_row"], ids):
        if d is None or d != d:
            continue
        if d not in owner:
            out.append(Problem(f, "unknown document", int(r), "document_id",
                               "a document_id listed in this folder's documents.csv ("
                               + (", ".join(folder_docs) or "none yet") + ")", d))
        elif owner[d] != mid:
            out.append(Problem(f, f"document of another municipality ({d} belongs to {owner[d]})", int(r),
                               "document_id", f"a document of {mid} ({', '.join(mine) or 'none listed yet'})", d))
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

    Checks everything `analysis validate` checks (`check`) and raises InputError listing every
    error at once. Also returns ``quality`` rows for the checks of the tables against themselves
    (items that sum to a total, goals' achievements). The notes (dialects detected, ambiguities,
    warnings) are in the result's `.notes`.
    """
    loaded = check(folder, root)
    if loaded.problems:
        raise InputError(loaded.problems)
    return tables_of(loaded)


def tables_of(loaded: Loaded, warnings: list[Problem] | None = None) -> Tables:
    """The contract tables (and quality rows) of a folder `check`ed without errors; `warnings`
    replace the folder's warnings in the notes (validate passes all of its own)."""
    return tables_of_many([(loaded, warnings)])


def tables_of_many(items: list[tuple[Loaded, list[Problem] | None]]) -> Tables:
    """`tables_of` of several folders at once: the notes of each in turn, and each table the rows
    of all folders in their order (concatenated once, the private columns dropped once)."""
    notes: list[str] = []
    frames: dict[str, list[pd.DataFrame]] = {}
    quality: list[dict] = []
    for loaded, warnings in items:
        shown = loaded.warnings if warnings is None else warnings
        notes += loaded.notes + [f"warning: {w}" for w in shown]
        for name, df in loaded.tables.items():
            frames.setdefault(name, []).append(df)
        quality += [f.quality for f in loaded.findings if f.quality] + loaded.quality
    out = Tables(notes=notes)
    for name, dfs in frames.items():
        whole = dfs[0] if len(dfs) == 1 else pd.concat(dfs, ignore_index=True)
        out[name] = whole.drop(columns=PRIVATE)  # conformed by read()
    if quality:
        out["quality"] = schema.conform(pd.DataFrame(quality), "quality")
    return out
