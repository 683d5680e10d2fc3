"""Corrections of a document by itself, and doubtful figures: ``data/curated/corrections.yml``.

One mechanism for every municipality. A **correction** changes a figure the document misprints
where its own other lines settle the figure beyond doubt (e.g. Aalborg line 658 prints the
adjusted income of an area as 149,0 where lines 23, 24, 585 and 632 give -149,0). A **flag**
keeps a doubtful figure as printed because the document does not settle it (Peine 41403's
40.097 contacts); charts mark it. Each record names the line, the printed figure, the settled
figure (corrections), the evidence lines with a verbatim quote each, and the reason:

    corrections:
      - id: aalborg-658-adjusted-income
        document_id: aalborg-regnskab-2014
        table: budget                       # budget, indicators or goals
        line: 658                           # the line the figure was read from (its source_ref)
        row: {phase: adjusted_budget, direction: revenue}   # which of that line's rows
        column: amount                      # amount (budget), value (indicators), target/result (goals)
        printed: "149,0"                    # as printed on `line` (verbatim; null for an empty cell)
        settled: "-149,0"                   # what the other lines settle, in the document's notation
        as_printed: -149000000              # the printed figure as extracted (contract sign and unit)
        value: 149000000                    # the settled figure (contract sign and unit)
        evidence:
          - {line: 23, quote: "149,0\\t-149,0\\t0,0"}
        reason: ...
    flags:
      - (the same keys without settled and value; as_printed optional; `row` may select several rows)

    load(path, documents, root)     -> list of records (every quote checked against the raw file)
    apply(tables, records)          -> (tables, quality rows): settled figures in, printed ones kept

`apply` keeps the printed figure in `<column>_as_printed` and sets `correction_id` and
`correction_note` (flags: `flag_id`, `flag_note`); quality.csv gets one row per correction
(status `corrected`) and per flag (status `warning`). Bad input raises `InputError` naming the
YAML file, the line of the key, the key and what was expected.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import yaml

from analysis.contract import checks, safe_yaml, schema
from analysis.contract.achievement import stored as achievement
from analysis.contract.errors import InputError, Problem
from analysis.contract.refs import source_ref

FILE = "corrections.yml"
KINDS = {"corrections": "correction", "flags": "flag"}
REQUIRED = {"correction": ["id", "document_id", "table", "line", "row", "column", "printed", "settled", "as_printed",
                           "value", "evidence", "reason"],
            "flag": ["id", "document_id", "table", "line", "row", "column", "printed", "evidence", "reason"]}
OPTIONAL = {"correction": ["supersedes_note"], "flag": ["as_printed"]}
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DETAIL_SEP = " | "  # quality detail: id | figure | note | reason (report.methods_tables splits it)
CHECK = {"correction": "correction: figure settled by the document's other lines",
         "flag": "flag: doubtful figure kept as printed (the document does not settle it)"}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float))


def _lines_text(evidence: list[dict]) -> str:
    nums = sorted({int(e["line"]) for e in evidence})
    return ("line " if len(nums) == 1 else "lines ") + ", ".join(map(str, nums))


def _compose(path: Path):
    """(composed node, data) of corrections.yml: size capped, and its aliases (a quote repeated
    with *anchor) only as long as they expand to a small document (safe_yaml)."""
    _, data, node = safe_yaml.read(path, str(path), aliases=True)
    return node, data


def _key_lines(node) -> dict[str, int]:
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}


def load(path: Path, documents: dict[str, dict] | pd.DataFrame, root: Path) -> list[dict]:
    """The records of `path` (corrections and flags), each with `kind` and `_lines` (key -> YAML line).

    Checks keys, types, that `printed` occurs on `line` and that every evidence quote occurs
    verbatim on its line of the document's raw file; raises `InputError` listing every problem.
    """
    path = Path(path)
    if isinstance(documents, pd.DataFrame):
        documents = {r["document_id"]: r for r in documents.to_dict("records")}
    node, data = _compose(path)
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode) or not set(data) <= set(KINDS):
        raise InputError("expected a mapping with the lists 'corrections:' and 'flags:'", path=path,
                         line=node.start_mark.line + 1, column=", ".join(map(str, data)) if isinstance(data, dict)
                         else None, expected="corrections, flags")
    problems: list[Problem] = []
    records: list[dict] = []
    seen: dict[str, int] = {}
    cache: dict[Path, list[str]] = {}
    for knode, vnode in node.value:
        section = str(knode.value)
        kind = KINDS[section]
        if vnode.tag.endswith(":null"):
            continue
        if not isinstance(vnode, yaml.SequenceNode):
            problems.append(Problem(str(path), f"'{section}' must be a list of records", knode.start_mark.line + 1,
                                    section, "a list ('- id: ...')", None))
            continue
        for rnode, rec in zip(vnode.value, data[section]):
            lines = _key_lines(rnode)
            rec_line = rnode.start_mark.line + 1
            if not isinstance(rec, dict):
                problems.append(Problem(str(path), "expected a record", rec_line, section, "a mapping '- id: ...'",
                                        str(rec)))
                continue
            found = _check(rec, kind, lines, rec_line, path, documents, Path(root), cache)
            problems += found
            rid = rec.get("id")
            if isinstance(rid, str):
                if rid in seen:
                    problems.append(Problem(str(path), f"id used twice (first at line {seen[rid]})",
                                            lines.get("id", rec_line), "id", "unique ids", rid))
                seen.setdefault(rid, lines.get("id", rec_line))
            if not found:
                records.append({**rec, "kind": kind, "_lines": lines, "_line": rec_line, "_file": str(path),
                                "_raw": _raw_path(documents[rec["document_id"]], Path(root)).name})
    if problems:
        raise InputError(problems)
    return records


def _raw_path(doc: dict, root: Path) -> Path:
    p = Path(str(doc.get("path") or ""))
    return p if p.is_absolute() else root / p


def _check(rec, kind, lines, rec_line, path, documents, root, cache) -> list[Problem]:
    label = f"{kind} '{rec.get('id')}'" if rec.get("id") else f"{kind} at line {rec_line}"

    def bad(message, key, expected, found=None):
        return Problem(str(path), f"{label}: {message}", lines.get(key, rec_line), key, expected,
                       None if found is None else str(found))

    out = []
    allowed = REQUIRED[kind] + OPTIONAL[kind]
    out += [bad("unknown key", k, "one of " + ", ".join(allowed), k) for k in rec if k not in allowed]
    out += [bad("required key is missing", k, f"key '{k}'") for k in REQUIRED[kind] if k not in rec]
    if out:
        return out
    if not isinstance(rec["id"], str) or not ID.match(rec["id"]):
        out.append(bad("not an id", "id", "lower-case words and digits joined by '-'", rec["id"]))
    if rec["table"] not in schema.CORRECTABLE:
        out.append(bad("unknown table", "table", "one of " + ", ".join(schema.CORRECTABLE), rec["table"]))
    elif rec["column"] not in schema.CORRECTABLE[rec["table"]]:
        out.append(bad("not a figure column of the table", "column",
                       "one of " + ", ".join(schema.CORRECTABLE[rec["table"]]), rec["column"]))
    if not isinstance(rec["row"], dict) or not all(isinstance(k, str) for k in rec["row"]):
        out.append(bad("expected a mapping of column to value", "row", "e.g. {phase: actual, direction: revenue}",
                       rec["row"]))
    for key in ("reason",) + (("settled",) if kind == "correction" else ()):
        if not isinstance(rec[key], str) or not rec[key].strip():
            out.append(bad("expected text", key, "a non-empty string", rec[key]))
    if rec["printed"] is not None and not isinstance(rec["printed"], str):
        out.append(bad("expected the figure as printed, as text", "printed", "a quoted string like \"149,0\" or "
                       "null for an empty cell", rec["printed"]))
    if kind == "correction" and not _number(rec["value"]):
        out.append(bad("expected a number", "value", "the settled figure in the contract's sign and unit",
                       rec["value"]))
    if rec.get("as_printed") is not None and not _number(rec["as_printed"]):
        out.append(bad("expected a number or null", "as_printed", "the printed figure as extracted", rec["as_printed"]))
    if "supersedes_note" in rec and not isinstance(rec["supersedes_note"], str):
        out.append(bad("expected text", "supersedes_note", "the start of the note part it replaces"))
    ln = rec["line"]
    if isinstance(ln, bool) or not isinstance(ln, int) or ln < 1:
        out.append(bad("expected a line number", "line", "a 1-based line number", ln))
    ev = rec["evidence"]
    if not isinstance(ev, list) or not ev or not all(isinstance(e, dict) and set(e) == {"line", "quote"} for e in ev):
        out.append(bad("expected a list of evidence lines", "evidence", "a non-empty list of {line: N, quote: '...'}",
                       ev))
    doc = documents.get(rec["document_id"])
    if doc is None:
        out.append(bad("unknown document", "document_id", "one of " + ", ".join(sorted(documents)),
                       rec["document_id"]))
    if out:
        return out
    raw = _raw_path(doc, root)
    if not raw.is_file():
        return [bad("raw file of the document not found", "document_id", str(raw), doc.get("path"))]
    if raw not in cache:
        cache[raw] = raw.read_text(encoding="utf-8").split("\n")
    text = cache[raw]
    if rec["printed"] is not None:
        p = _quote_problem(rec["printed"], ln, text, raw)
        if p:
            out.append(bad(f"printed figure: {p[0]}", "printed", p[1], p[2]))
    for e in ev:
        eline = e["line"]
        if isinstance(eline, bool) or not isinstance(eline, int) or not isinstance(e["quote"], str) or not e["quote"]:
            out.append(bad("evidence needs a line number and a quote", "evidence", "{line: N, quote: '...'}", e))
            continue
        p = _quote_problem(e["quote"], eline, text, raw)
        if p:
            out.append(bad(f"evidence line {eline}: {p[0]}", "evidence", p[1], p[2]))
    return out


def _quote_problem(quote: str, line: int, lines: list[str], raw: Path) -> tuple[str, str, str] | None:
    """None when `quote` occurs verbatim on `line`; else (message, expected, found)."""
    if 1 <= line <= len(lines) and quote in lines[line - 1]:
        return None
    if not 1 <= line <= len(lines):
        return f"line {line} is outside {raw.name} ({len(lines)} lines)", f"1..{len(lines)}", str(line)
    at = [i + 1 for i, t in enumerate(lines) if quote in t]
    where = f"; it occurs on line {', '.join(map(str, at[:5]))}" if at else "; it occurs nowhere verbatim"
    return (f"{quote!r} is not on line {line} of {raw.name}{where}", f"a verbatim substring of {raw.name}:{line}",
            lines[line - 1][:80])


# --- applying ----------------------------------------------------------------------------------

def _same(a, b) -> bool:
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    return abs(float(a) - float(b)) < 1e-6


def _select(df: pd.DataFrame, rec: dict) -> pd.Series:
    mask = (df["document_id"] == rec["document_id"]) & (df["source_ref"] == f"{rec['_raw']}:{rec['line']}")
    for col, want in rec["row"].items():
        if col not in df.columns:
            raise InputError(f"{rec['kind']} '{rec['id']}': the {rec['table']} table has no column {col!r}",
                             path=rec["_file"], line=rec["_lines"].get("row", rec["_line"]), column="row",
                             expected="columns of the contract table", found=col)
        mask &= df[col].astype(str) == str(want)
    return mask


def _join(old, new: str) -> str:
    return new if _missing(old) or not str(old) else f"{old}; {new}"


def _fmt(v) -> str:
    return "empty" if _missing(v) else checks._fmt(float(v))


def note(rec: dict, rows: int = 1) -> str:
    """The short text a marked row carries (printed and settled figure, evidence lines)."""
    printed = f"printed {rec['printed']}" if rec["printed"] is not None else "printed as an empty cell"
    if rec["kind"] == "correction":
        return (f"corrected ({rec['id']}): {printed}, settled {rec['settled']} by {_lines_text(rec['evidence'])}"
                " of the same document")
    what = f"the figures of line {rec['line']} are" if rows > 1 else f"{printed}:"
    return (f"flagged ({rec['id']}): {what} doubtful ({_lines_text(rec['evidence'])}), kept as printed; "
            "the document does not settle them" if rows > 1 else
            f"flagged ({rec['id']}): {what} doubtful ({_lines_text(rec['evidence'])}), kept as printed; "
            "the document does not settle it")


def apply(tables: dict[str, pd.DataFrame], records: list[dict]) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Apply `records` to the contract tables (copies); return them and the quality rows.

    A correction must match exactly one row whose stored figure equals `as_printed`; a flag at
    least one row (each equal to `as_printed` when given). Anything else is an `InputError`:
    the importer or the document changed, and the record must be checked again.
    """
    out = {name: df.copy() for name, df in tables.items()}
    quality = []
    for rec in records:
        table, column = rec["table"], rec["column"]
        df = out[table]
        for col in schema.CORRECTABLE[table].values() if table in schema.CORRECTABLE else ():
            if col not in df.columns:
                df[col] = float("nan")
        for col in schema.MARK_COLUMNS:
            if col not in df.columns:
                df[col] = None
            df[col] = df[col].astype(object)
        mask = _select(df, rec)
        n = int(mask.sum())
        where = dict(path=rec["_file"], line=rec["_lines"].get("row", rec["_line"]), column="row")
        if n == 0 or (rec["kind"] == "correction" and n > 1):
            raise InputError(f"{rec['kind']} '{rec['id']}' matches {n} rows of {table} "
                             f"({rec['_raw']}:{rec['line']}, {rec['row']})",
                             expected="exactly one row" if rec["kind"] == "correction" else "at least one row",
                             found=f"{n} rows", **where)
        if rec.get("as_printed") is not None or rec["kind"] == "correction":
            stored = [v for v in df.loc[mask, column]]
            wrong = [v for v in stored if not _same(v, rec.get("as_printed"))]
            if wrong:
                raise InputError(f"{rec['kind']} '{rec['id']}': the extracted {column} is not the printed figure",
                                 path=rec["_file"], line=rec["_lines"].get("as_printed", rec["_line"]),
                                 column="as_printed", expected=_fmt(wrong[0]), found=_fmt(rec.get("as_printed")))
        text = note(rec, n)
        if rec["kind"] == "correction":
            idx = df.index[mask][0]
            df.at[idx, schema.CORRECTABLE[table][column]] = df.at[idx, column]
            df.at[idx, column] = float(rec["value"])
            df.at[idx, "correction_id"] = _join(df.at[idx, "correction_id"], rec["id"])
            df.at[idx, "correction_note"] = _join(df.at[idx, "correction_note"], text)
            if rec.get("supersedes_note") and "note" in df.columns and not _missing(df.at[idx, "note"]):
                parts = [p for p in str(df.at[idx, "note"]).split("; ") if not p.startswith(rec["supersedes_note"])]
                df.at[idx, "note"] = "; ".join(parts) or None
            if table == "goals":
                df.at[idx, "achievement"] = achievement(df.at[idx, "target"], df.at[idx, "result"],
                                                        df.at[idx, "direction"])
            municipality = df.at[idx, "municipality_id"]
            expected = f"{rec['settled']} (stored as {_fmt(rec['value'])})"
            found = f"{rec['printed'] if rec['printed'] is not None else 'an empty cell'} (extracted as " \
                    f"{_fmt(rec['as_printed'])})"
            status = "corrected"
        else:
            df.loc[mask, "flag_id"] = [_join(v, rec["id"]) for v in df.loc[mask, "flag_id"]]
            df.loc[mask, "flag_note"] = [_join(v, text) for v in df.loc[mask, "flag_note"]]
            municipality = df.loc[mask, "municipality_id"].iloc[0]
            expected, found, status = ("a figure the other lines confirm", f"{rec['printed']} ({n} row{'s' if n > 1 else ''})",
                                       "warning")
        where_text = ", ".join(f"{k}={v}" for k, v in rec["row"].items()) or "every row of the line"
        detail = DETAIL_SEP.join([rec["id"], f"{table}.{column} where {where_text} ({n} row{'s' if n > 1 else ''})",
                                  text, " ".join(rec["reason"].split())])
        quality.append(checks.row(CHECK[rec["kind"]], municipality, rec["document_id"],
                                  source_ref(rec["_raw"], rec["line"]), expected, found, status, detail))
        out[table] = df
    return out, quality


def load_and_apply(tables: dict[str, pd.DataFrame], documents: pd.DataFrame, root: Path,
                   path: Path | None = None) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """`load` data/curated/corrections.yml (when it exists) and `apply` it."""
    path = Path(path) if path else Path(root) / "data" / "curated" / FILE
    if not path.exists():
        return tables, []
    return apply(tables, load(path, documents, Path(root)))
