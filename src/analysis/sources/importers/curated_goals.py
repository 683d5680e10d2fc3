"""Curated goals: goals stated in prose, coded by hand in ``data/curated/goals/<municipality_id>.yml``.

Each YAML file is a list of records; the coding frame (keys, vocabularies, rules) is
``data/curated/goals/README.md``. Every record's ``quote`` must occur verbatim on line ``line`` of
its document's raw file; that line becomes ``source_ref``.

    load(path, documents, raw_dir)       one YAML file -> contract `goals` rows
    load_all(goals_dir, documents, raw_dir)  every *.yml in the folder, goal_ids unique across files

``documents`` maps document_id -> the document's row (documents.csv or ``registry.documents()``);
the raw file is found as ``raw_dir / <file name of documents[id]['path']>``. Bad input raises
`InputError` naming the YAML file, the line of the offending key, the key and what was expected.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from analysis.contract import safe_paths, safe_yaml, schema
from analysis.contract.achievement import percent as achievement  # noqa: F401  (re-exported for callers)
from analysis.contract.errors import InputError, Problem
from analysis.sources.importers import source_ref

PERSPECTIVES = schema.GOAL_PERSPECTIVES
REQUIRED = ["goal_id", "document_id", "goal", "goal_en", "perspective", "goal_type", "direction",
            "target", "result", "result_phase", "achievement_reported", "status", "quantified",
            "quote", "line"]
OPTIONAL = ["item_code", "perspective_original", "metric", "unit", "target_year", "related_goal_id", "note"]
KEYS = REQUIRED + OPTIONAL
# keys that must be present but may be empty (null): "the document gives no figure"
NULLABLE = {"target", "result", "result_phase", "achievement_reported"} | set(OPTIONAL)
TEXT = ["goal_id", "document_id", "goal", "goal_en", "quote", "item_code", "perspective_original",
        "metric", "unit", "related_goal_id", "note"]
NUMBERS = ["target", "result", "achievement_reported"]
VOCABULARIES = {
    "perspective": PERSPECTIVES,
    "goal_type": schema.GOAL_TYPES,
    "direction": schema.GOAL_DIRECTIONS,
    "status": schema.GOAL_STATUSES,
    "result_phase": schema.PHASES,
}
GOAL_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# percentage points: a printed degree further than this from target and result makes the status `contradiction`
REPORTED_TOLERANCE = 1.0


def read_records(path: Path) -> list[tuple[dict, dict[str, int], int]]:
    """Parse a goals YAML file: [(record, {key: line}, record line)], lines 1-based."""
    path = Path(path)
    safe_paths.check_file(path, path.parent, str(path))
    _, data, root = safe_yaml.read(path, str(path))  # no anchors or aliases, size capped
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise InputError("expected a list of goal records ('- goal_id: ...')", path=path,
                         line=root.start_mark.line + 1, found=type(data).__name__)
    out = []
    problems = []
    for node, rec in zip(root.value, data):
        rec_line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(str(path), "expected a mapping of keys to values", rec_line,
                                    None, "a record '- goal_id: ...'", str(rec)))
            continue
        lines: dict[str, int] = {}
        for knode, _ in node.value:
            key = str(knode.value)
            if key in lines:
                problems.append(Problem(str(path), f"record at line {rec_line}: key given twice",
                                        knode.start_mark.line + 1, key, "each key once", None))
            lines[key] = knode.start_mark.line + 1
        out.append((rec, lines, rec_line))
    if problems:
        raise InputError(problems)
    return out


def _raw_file(doc: dict, raw_dir: Path) -> Path | None:
    p = Path(str(doc.get("path") or ""))
    # `path` is relative to the workspace root (data/raw/<file>, data/municipalities/<id>/<file>)
    candidates = [p] if p.is_absolute() else [Path(raw_dir).parents[1] / p, Path(raw_dir) / p.name]
    return next((c for c in candidates if c.is_file()), None)


def _squash(s: str) -> str:
    """Whitespace and quote characters normalised (only for hints in error messages)."""
    s = re.sub(r"[\u201e\u201c\u201d\u00bb\u00ab\"]", '"', s)
    s = re.sub(r"[\u2018\u2019\u201a']", "'", s)
    return " ".join(s.split())


def _check_quote(quote: str, line: int, lines: list[str], raw: Path, where) -> Problem | None:
    if "\n" in quote:
        return where("quote spans several lines", "quote", "a substring of ONE line", quote[:60])
    if 1 <= line <= len(lines) and quote in lines[line - 1]:
        return None
    at = [i + 1 for i, text in enumerate(lines) if quote in text]
    if at:
        msg = f"quote not found on line {line} of {raw.name}; it occurs on line {', '.join(map(str, at))}"
        return where(msg, "line", f"line {at[0]}", str(line))
    near = [i + 1 for i, text in enumerate(lines) if _squash(quote) in _squash(text)]
    hint = (f"; the line differing only in whitespace or quote characters is {near[0]}" if near
            else "; it occurs nowhere in the file verbatim")
    if not 1 <= line <= len(lines):
        return where(f"line {line} is outside {raw.name} ({len(lines)} lines){hint}", "line",
                     f"1..{len(lines)}", str(line))
    return where(f"quote not found on line {line} of {raw.name}{hint}", "quote",
                 f"a verbatim substring of {raw.name}:{line}", lines[line - 1][:80])


def _frame_rules(rec: dict, where) -> list[Problem]:
    """Consistency rules of the coding frame (README): no invented figures, status fits the figures."""
    out = []
    if rec["quantified"] is False:
        for key in NUMBERS:
            if rec.get(key) is not None:
                out.append(where("a goal with quantified: false carries no figures", key,
                                 "null (or quantified: true)", rec[key]))
    if rec["status"] == "no_target" and rec.get("target") is not None:
        out.append(where("status no_target with a target", "target", "null", rec["target"]))
    if rec.get("result") is not None and rec.get("result_phase") is None:
        out.append(where("a result needs its phase", "result_phase", "one of " + ", ".join(schema.PHASES)))
    ach = achievement(rec.get("target"), rec.get("result"), rec["direction"])
    reported = rec.get("achievement_reported")
    contradicts = ach is not None and reported is not None and abs(reported - ach) > REPORTED_TOLERANCE
    if rec["status"] == "contradiction" and not contradicts:
        out.append(where("status contradiction needs a printed degree of achievement that disagrees with target "
                         f"and result by more than {REPORTED_TOLERANCE:g} point", "status",
                         "met or missed" if ach is not None else "a target, a result and achievement_reported",
                         rec["status"]))
    elif contradicts and rec["status"] in ("met", "missed"):
        out.append(where(f"the printed degree {reported:g} % contradicts target {rec['target']} and result "
                         f"{rec['result']} ({ach:.1f} %)", "status", "contradiction", rec["status"]))
    elif ach is not None and rec["status"] in ("met", "missed") and (ach >= 100) != (rec["status"] == "met"):
        out.append(where(f"status disagrees with target {rec['target']} and result {rec['result']} "
                         f"({rec['direction']})", "status", "met" if ach >= 100 else "missed", rec["status"]))
    return out


def _check(rec: dict, lines: dict[str, int], rec_line: int, path: Path, documents: dict,
           raw_dir: Path, cache: dict) -> tuple[list[Problem], dict | None]:
    problems: list[Problem] = []
    gid = rec.get("goal_id")
    label = f"record '{gid}' (starts line {rec_line})" if gid else f"record starting line {rec_line}"

    def where(message, key, expected, found=None):
        return Problem(str(path), f"{label}: {message}", lines.get(key, rec_line), key, expected,
                       None if found is None else str(found))

    for key in rec:
        if key not in KEYS:
            problems.append(where("unknown key", key, "one of the keys " + ", ".join(KEYS), key))
    for key in REQUIRED:
        if key not in rec:
            problems.append(where("required key is missing", key,
                                  f"key '{key}'" + (" (may be empty: null)" if key in NULLABLE else "")))
        elif rec[key] is None and key not in NULLABLE:
            problems.append(where("value is empty", key, "a value"))
    for key in TEXT:
        v = rec.get(key)
        ok = isinstance(v, str) and v.strip() != "" or key == "item_code" and type(v) is int
        if v is not None and not ok:
            problems.append(where("expected text", key, "a non-empty string", v))
    for key in NUMBERS:
        v = rec.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            problems.append(where("expected a number or null", key, "a number (no thousands separators) or null", v))
    for key, allowed in VOCABULARIES.items():
        v = rec.get(key)
        if v is not None and v not in allowed:
            problems.append(where("value not in the vocabulary", key, "one of " + ", ".join(allowed), v))
    if "quantified" in rec and not isinstance(rec["quantified"], bool):
        problems.append(where("expected true or false", "quantified", "true or false", rec["quantified"]))
    ty = rec.get("target_year")
    if ty is not None and (isinstance(ty, bool) or not isinstance(ty, int) or not 1990 <= ty <= 2100):
        problems.append(where("expected a year", "target_year", "a year 1990..2100 or null", ty))
    if isinstance(gid, str) and not GOAL_ID.match(gid):
        problems.append(where("not a goal id", "goal_id", "lower-case words and digits joined by '-'", gid))
    line = rec.get("line")
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 1):
        problems.append(where("expected a line number", "line", "a 1-based line number", line))
        line = None
    bad_keys = {p.column for p in problems}
    if not problems:  # rules of the coding frame (need well-typed values)
        problems += _frame_rules(rec, where)
    if bad_keys & {"document_id", "quote", "line"} or any(k not in rec for k in ("document_id", "quote", "line")):
        return problems, None
    doc = documents.get(rec["document_id"])
    if doc is None:
        problems.append(where("unknown document", "document_id", "one of " + ", ".join(sorted(documents)),
                              rec["document_id"]))
        return problems, None
    if doc.get("municipality_id") != path.stem:
        problems.append(where(f"document belongs to {doc.get('municipality_id')}, not to this file",
                              "document_id", f"a document of {path.stem} (file <municipality_id>.yml)",
                              rec["document_id"]))
    raw = _raw_file(doc, raw_dir)
    if raw is None:
        problems.append(where("raw file of the document not found", "document_id",
                              f"{Path(str(doc.get('path'))).name} in {raw_dir}", doc.get("path")))
        return problems, None
    if raw not in cache:
        cache[raw] = raw.read_text(encoding="utf-8").split("\n")
    bad = _check_quote(str(rec["quote"]), line, cache[raw], raw, where)
    if bad:
        problems.append(bad)
    if problems:
        return problems, None

    ach = achievement(rec.get("target"), rec.get("result"), rec["direction"])
    row = {
        "municipality_id": doc["municipality_id"],
        "document_id": rec["document_id"],
        "goal_id": rec["goal_id"],
        "item_code": None if rec.get("item_code") is None else str(rec["item_code"]),
        "goal": str(rec["goal"]).strip(),
        "goal_en": str(rec["goal_en"]).strip(),
        "perspective": rec["perspective"],
        "goal_type": rec["goal_type"],
        "metric": rec.get("metric"),
        "unit": rec.get("unit"),
        "direction": rec["direction"],
        "target": rec.get("target"),
        "result": rec.get("result"),
        "result_phase": rec.get("result_phase"),
        "achievement_reported": rec.get("achievement_reported"),
        "achievement": ach,
        "status": rec["status"],
        "quantified": rec["quantified"],
        "quote": rec["quote"],
        "source_ref": source_ref(raw, line),
        "target_year": rec.get("target_year"),
        "perspective_original": rec.get("perspective_original"),
        "related_goal_id": rec.get("related_goal_id"),
        "note": None if rec.get("note") is None else " ".join(str(rec["note"]).split()),
    }
    return [], row


def _doc_map(documents) -> dict[str, dict]:
    if isinstance(documents, pd.DataFrame):
        return {r["document_id"]: r for r in documents.to_dict("records")}
    return dict(documents)


def load(path: Path, documents: dict[str, dict] | pd.DataFrame, raw_dir: Path,
         _cache: dict | None = None) -> pd.DataFrame:
    """Read one goals YAML file into contract `goals` rows (schema.conform'ed).

    municipality_id comes from the document; source_ref is '<raw file>:<line>' of the quote;
    achievement is computed from target and result (see `achievement`). Raises `InputError`
    listing every problem of the file.
    """
    path = Path(path)
    documents = _doc_map(documents)
    cache = {} if _cache is None else _cache
    problems: list[Problem] = []
    rows = []
    seen: dict[str, int] = {}
    for rec, lines, rec_line in read_records(path):
        found, row = _check(rec, lines, rec_line, path, documents, Path(raw_dir), cache)
        problems += found
        if row is not None:
            rows.append(row)
        gid = rec.get("goal_id")
        if isinstance(gid, str) and gid in seen:
            problems.append(Problem(str(path), f"goal_id used twice (first at line {seen[gid]})",
                                    lines["goal_id"], "goal_id", "unique goal ids", gid))
        elif isinstance(gid, str):
            seen[gid] = lines["goal_id"]
    if problems:
        raise InputError(problems)
    return schema.conform(pd.DataFrame(rows), "goals") if rows else schema.empty("goals")


def files(goals_dir: Path) -> list[Path]:
    """The goals YAML files of a folder (README and hidden files excluded)."""
    goals_dir = Path(goals_dir)
    return sorted(p for p in list(goals_dir.glob("*.yml")) + list(goals_dir.glob("*.yaml"))
                  if not p.name.startswith("."))


def load_all(goals_dir: Path, documents: dict[str, dict] | pd.DataFrame, raw_dir: Path) -> pd.DataFrame:
    """Every goals file of `goals_dir` as one table; goal_ids must be unique across files."""
    documents = _doc_map(documents)
    cache: dict = {}
    frames, problems = [], []
    for path in files(goals_dir):
        try:
            frames.append((path, load(path, documents, raw_dir, cache)))
        except InputError as exc:
            problems += exc.problems
    first: dict[str, str] = {}
    for path, df in frames:
        for gid in df["goal_id"]:
            if gid in first:
                problems.append(Problem(str(path), f"goal_id already used in {first[gid]}", None,
                                        "goal_id", "ids unique across all goals files", gid))
            first.setdefault(gid, path.name)
    if problems:
        raise InputError(problems)
    frames = [df for _, df in frames if len(df)]
    if not frames:
        return schema.empty("goals")
    return schema.conform(pd.concat(frames, ignore_index=True), "goals")
