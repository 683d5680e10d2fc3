"""`analysis extract`: rebuild data/processed/ from data/raw/, data/curated/, data/municipalities/
and data/reference/.

All tables are built and validated in memory, written to a staging folder (data/.processed-XXXX/)
and swapped in with one exchange only when everything succeeded: a failed or killed run leaves the
previous data/processed/ intact, and at every instant data/processed/ is complete, the old one or
the new one. The workspace lock (analysis.contract.lock) keeps a second extract or a build from
writing at the same time; staging folders left by a killed run are removed by the next one.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.contract import folders, lock, paths, schema
from analysis.contract.errors import InputError, Problem
from analysis.reference import categories
from analysis.reference import tables as reference
from analysis.sources import corrections, folder_cache, folder_rules, importers, registry, run_cache

OUTPUT_TABLES = ["municipalities", "documents", "budget", "indicators", "goals", "budget_changes", "quality"]
METADATA = "metadata.json"
STAGE_PREFIX = ".processed-"


@dataclass
class ExtractResult:
    tables: dict[str, pd.DataFrame]
    unassigned: pd.DataFrame
    out_dir: Path | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Rows per municipality and table, and the quality checks by status."""
        lines = []
        counts = pd.DataFrame({
            name: self.tables[name].groupby("municipality_id").size()
            for name in ("budget", "indicators", "goals", "budget_changes")
        }).reindex(self.tables["municipalities"]["municipality_id"]).fillna(0).astype(int)
        lines.append("rows per municipality and table:")
        lines += ["  " + ln for ln in counts.to_string().splitlines()]
        q = self.tables["quality"]
        by = q["status"].value_counts().reindex(schema.QUALITY_STATUSES, fill_value=0)
        lines.append("quality checks: " + ", ".join(f"{n} {s}" for s, n in by.items()))
        flagged = q[q["status"].isin(["contradiction", "fail"])]
        if len(flagged):
            lines.append(f"  {len(flagged)} contradictions/failures in the documents: see quality.csv")
        if len(self.unassigned):
            lines.append(f"items without a category: {len(self.unassigned)} (listed in unassigned_items.csv)")
        lines += self.notes
        if self.out_dir:
            lines.append(f"written to {self.out_dir} in {self.seconds:.1f}s")
        return "\n".join(lines)


def input_files(root: Path | None = None) -> list[Path]:
    """Every file extract reads (for the staleness fingerprint)."""
    root = paths.root(root)
    files: list[Path] = []
    for d in (paths.raw_dir(root), paths.curated_dir(root), paths.municipalities_dir(root), paths.reference_dir(root)):
        if d.exists():
            files += [p for p in d.rglob("*") if p.is_file() and not p.name.startswith(".")]
    src = Path(__file__).resolve().parents[1]  # the whole package: any code change may change the tables
    files += sorted(src.rglob("*.py"))
    return sorted(files)


def fingerprint(root: Path | None = None, hashes: dict[Path, str] | None = None) -> str:
    """The sha256 of every input file's name and content; `hashes`: {input file: its sha256}
    when they are at hand (`write` hashes each file once for this and for the metadata)."""
    root = paths.root(root)
    h = __import__("hashlib").sha256()
    for p in (input_files(root) if hashes is None else hashes):
        h.update(str(p.relative_to(root) if p.is_relative_to(root) else p.name).encode())
        h.update((registry.sha256(p) if hashes is None else hashes[p]).encode())
    return h.hexdigest()


def is_stale(root: Path | None = None) -> bool:
    """True when data/processed/ is missing or was built from other inputs."""
    meta = paths.processed_dir(root) / METADATA
    if not meta.exists():
        return True
    try:
        return json.loads(meta.read_text())["fingerprint"] != fingerprint(root)
    except (KeyError, ValueError):
        return True


def build_tables(root: Path | None = None) -> ExtractResult:
    """Run every importer and return validated contract tables (nothing is written)."""
    with run_cache.scope():  # the lists and metadata every folder shares are read once
        return _build_tables(paths.root(root))


def _build_tables(root: Path) -> ExtractResult:
    _check_workspace(root)
    found, reused = folder_cache.reuse(root, registry.municipality_dirs(root))  # folders read by an earlier run
    munis = registry.municipalities(root)
    docs = registry.documents(root)
    parts: dict[str, list[pd.DataFrame]] = {n: [] for n in ("budget", "indicators", "goals", "budget_changes", "quality")}
    for rec in docs.to_dict("records"):
        name = rec.get("importer")
        if not isinstance(name, str) or not name:
            continue  # analyst-added documents: their tables are read from the municipality's folder
        fn = importers.get(name)  # the name is checked by registry.documents
        if fn is None:
            continue
        result = fn(root / rec["path"], rec)
        for table in parts:
            parts[table].append(result.table(table))
    from analysis.sources.importers import curated_goals
    doc_map = {d["document_id"]: d for d in docs.to_dict("records")}
    goals_dir = paths.curated_dir(root) / "goals"
    if goals_dir.exists():
        parts["goals"].append(curated_goals.load_all(goals_dir, doc_map, paths.raw_dir(root)))
    from analysis.sources import municipality_tables, validate
    notes: list[str] = []
    errors = []
    # the same checks as `analysis validate`: extract never succeeds where validate fails
    reports = validate.check_many([f.name for f in registry.municipality_dirs(root)], root)
    folder_cache.keep(root, found, reused, {r.municipality_id: r.loaded for r in reports if not r.errors})
    if (line := folder_cache.note(found, reused)) is not None:
        notes.append(line)
    good = []
    for report in reports:
        if report.errors:
            errors += report.errors
            continue
        if report.loaded is None or report.loaded.meta is None:
            continue
        good.append((report.loaded, report.warnings))
    if errors:
        raise InputError(errors)
    extra = municipality_tables.tables_of_many(good)  # the folders' rows, one frame per table
    notes += list(extra.notes)
    for table in parts:
        if table in extra:
            parts[table].append(extra[table])

    tables = {name: _concat(frames, name) for name, frames in parts.items()}
    tables, corrected = corrections.load_and_apply(tables, docs, root)  # data/curated/corrections.yml
    if corrected:
        tables["quality"] = _concat([tables["quality"], pd.DataFrame(corrected)], "quality")
    countries = dict(zip(munis["municipality_id"], munis["country"]))
    cmap = reference.category_map(root)
    regions = dict(zip(munis["municipality_id"], munis["region"]))
    overrides = dict(zip(munis["municipality_id"], munis["scheme"]))
    munis = munis.assign(scheme=[categories.scheme_for(countries[m], regions[m], overrides[m], cmap.attrs.get("schemes"),
                                                       cmap.attrs.get("region_schemes"))[0]
                                 for m in munis["municipality_id"]])
    tables["budget"], unassigned = categories.assign(tables["budget"], cmap, countries, regions=regions,
                                                     overrides=overrides)
    tables["indicators"] = categories.assign_indicators(tables["indicators"], tables["budget"],
                                                        reference.indicator_category_map(root))
    tables["municipalities"] = munis
    tables["documents"] = schema.conform(docs, "documents")
    _check_references(tables, munis)
    for name in OUTPUT_TABLES:
        tables[name] = schema.conform(tables[name], name)
        schema.validate(tables[name], name, f"{name} (built from the importers)")
    return ExtractResult(tables=tables, unassigned=unassigned, notes=notes)


def _check_workspace(root: Path) -> None:
    """What `analysis validate` refuses for the whole workspace, refused before anything is read:
    a municipality folder whose metadata file is misnamed, and reference tables that break
    their rules (e.g. a population of 0 or below)."""
    errors, _ = folder_rules.folder_problems(root)
    for load in (reference.load_population, reference.load_exchange_rates, reference.load_price_index,
                 reference.load_cofog):
        try:
            load(root)
        except InputError as exc:
            errors += [Problem(paths.rel(p.path, root), p.message, p.line, p.column, p.expected, p.found)
                       for p in exc.problems]
    if errors:
        raise InputError(errors)


def _concat(frames: list[pd.DataFrame], name: str) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return schema.conform(pd.concat(frames, ignore_index=True), name) if frames else schema.empty(name)


def _check_references(tables: dict[str, pd.DataFrame], munis: pd.DataFrame) -> None:
    goals = tables["goals"]
    if "related_goal_id" in goals.columns:
        dangling = goals[goals["related_goal_id"].notna() & ~goals["related_goal_id"].isin(goals["goal_id"])]
        if len(dangling):
            r = dangling.iloc[0]
            raise InputError(f"goal {r['goal_id']} refers to a goal that does not exist",
                             path=str(r["source_ref"]), column="related_goal_id",
                             expected="the goal_id of an extracted goal", found=r["related_goal_id"])
    known_m = set(munis["municipality_id"])
    known_d = set(tables["documents"]["document_id"])
    owner = dict(zip(tables["documents"]["document_id"], tables["documents"]["municipality_id"]))
    for name in ("budget", "indicators", "goals", "budget_changes"):
        df = tables[name]
        bad = df[~df["municipality_id"].isin(known_m) | ~df["document_id"].isin(known_d)]
        if len(bad):
            r = bad.iloc[0]
            raise InputError(f"{name} row refers to an unknown municipality or document",
                             path=str(r.get("source_ref") or name), column="document_id",
                             expected="ids from data/municipalities/ and documents.csv",
                             found=f"{r['municipality_id']}/{r['document_id']}")
        other = df[df["document_id"].map(owner) != df["municipality_id"]]
        if len(other):
            r = other.iloc[0]
            raise InputError(f"{name} row of {r['municipality_id']} cites a document of another municipality "
                             f"({r['document_id']} belongs to {owner[r['document_id']]})",
                             path=str(r.get("source_ref") or name), column="document_id",
                             expected=f"a document of {r['municipality_id']}", found=r["document_id"])


def write(result: ExtractResult, out_dir: Path, root: Path | None = None) -> None:
    """Write CSV, Parquet and metadata into a staging folder, then exchange it with `out_dir` in
    one step (folders.exchange); the previous folder is removed after."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out_dir.parent))
    try:
        for name, df in result.tables.items():
            df.to_csv(stage / f"{name}.csv", index=False)
            df.to_parquet(stage / f"{name}.parquet", index=False)
        result.unassigned.to_csv(stage / "unassigned_items.csv", index=False)
        hashes = {p: registry.sha256(p) for p in input_files(root)}  # each input hashed once
        meta = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "fingerprint": fingerprint(root, hashes),
            "inputs": [{"path": str(p.relative_to(paths.root(root))) if p.is_relative_to(paths.root(root)) else p.name,
                        "sha256": h} for p, h in hashes.items() if p.suffix != ".py"],
            "tables": {name: {"rows": int(len(df)), "columns": list(df.columns)} for name, df in result.tables.items()},
            "origins": "every row carries source_ref '<raw file>:<line>'; documents.csv lists the files",
        }
        (stage / METADATA).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        folders.exchange(stage, out_dir)  # the stage now holds the previous data/processed/ (or nothing)
    finally:
        folders.remove([stage])


def clear_leftovers(root: Path | None = None) -> list[str]:
    """Remove the staging folders of interrupted extracts (data/.processed-*); the notes to print.
    Call it holding the workspace lock: then no running extract owns them."""
    root = paths.root(root)
    notes = []
    restored = folders.recover(paths.processed_dir(root), STAGE_PREFIX)
    if restored is not None:
        notes.append(f"note: data/processed/ was missing after an interrupted extract; "
                     f"the previous one was put back from data/{restored.name}/")
    left = folders.leftovers(paths.data_dir(root), (STAGE_PREFIX,))
    if left:
        notes.append(f"note: removed {folders.describe(left, root)} left by an interrupted extract")
        folders.remove(left)
    return notes


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(root: Path | None = None, out_dir: Path | None = None, wait: bool = True) -> ExtractResult:
    """Rebuild data/processed/ (or `out_dir`); raise InputError and keep the old one on bad input.

    Holds the workspace lock while writing the workspace's own data/processed/: another extract
    or build in progress is waited for (or LockBusy raised, wait=False)."""
    t0 = time.perf_counter()
    root = paths.root(root)
    out_dir = Path(out_dir) if out_dir else paths.processed_dir(root)
    own = out_dir.resolve() == paths.processed_dir(root).resolve()
    with lock.workspace_lock(root, "analysis extract", wait, _stderr) if own else nullcontext():
        notes = clear_leftovers(root) if own else []
        result = build_tables(root)
        write(result, out_dir, root)
    result.notes = notes + result.notes
    result.out_dir = out_dir
    result.seconds = time.perf_counter() - t0
    return result


def refresh(root: Path | None = None) -> ExtractResult | None:
    """Extract when inputs changed; return the result when it ran (None when nothing changed).

    The municipalities' folders are checked as `analysis validate` checks them: an error stops
    the extract (InputError with validate's messages), warnings are in the result's notes."""
    return run(root) if is_stale(root) else None


def ensure(root: Path | None = None) -> bool:
    """Extract when inputs changed; return True when it ran."""
    return refresh(root) is not None
