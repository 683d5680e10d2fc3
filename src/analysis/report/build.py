"""`analysis build`: extract if the inputs changed, run the notebooks with Papermill for every
parameter set in reports/notebooks.yml, then publish reports/_site/.

Nothing half-done is published: notebooks run into a staging folder (reports/.site-XXXX/), the
site is rendered there, and the site with its executed notebooks is published as one unit
(analysis.report.staging) only when every notebook and the rendering succeeded. A failed notebook
stops the build with a message naming the notebook, its parameters, the cell and the error, and
says what changed (data/processed/ may have been rebuilt; the previous site stays as it was).

One build (or extract) at a time per workspace: the second waits for the lock, or exits with
--no-wait. The staging folders a killed build left are removed by the next one.
"""
from __future__ import annotations

import argparse
import difflib
import fnmatch
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.contract import folders, lock, safe_yaml
from analysis.contract.errors import InputError
from analysis.report import apart, incremental, publish, runner, staging
from analysis.report.runner import Page, Result, workspace_root

CONFIG = Path("reports") / "notebooks.yml"
MANIFEST = "pages.json"
SITE_RECORD = "site.json"   # next to the manifest: what the published HTML was rendered from
TABLE_ROWS = 20             # the summary lists the pages one per line up to this many
PAGE_KEYS = ["name", "notebook", "title", "nav", "section", "menu", "description", "parameters", "reads"]
REQUIRED = ["name", "notebook", "title"]
NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED = {publish.INDEX, publish.DATA_PAGE}


class BuildError(RuntimeError):
    """The build cannot start (e.g. the extract step is not available)."""


# --- the config ---------------------------------------------------------------------------

@dataclass
class Config:
    path: Path
    site: publish.Site


def _lines(text: str) -> dict:
    """Line numbers (1-based) of the config's nodes: {(i,): line, (i, key): line, ('pages',): line}."""
    marks: dict = {}
    try:
        doc = yaml.compose(text)
    except yaml.YAMLError:
        return marks
    if not isinstance(doc, yaml.MappingNode):
        return marks
    for key, value in doc.value:
        marks[(key.value,)] = key.start_mark.line + 1
        if key.value == "pages" and isinstance(value, yaml.SequenceNode):
            for i, entry in enumerate(value.value):
                marks[(i,)] = entry.start_mark.line + 1
                if isinstance(entry, yaml.MappingNode):
                    for k, v in entry.value:
                        marks[(i, k.value)] = k.start_mark.line + 1
                        if k.value == "profiles" and isinstance(v, yaml.MappingNode):
                            for k2, v2 in v.value:
                                marks[(i, k2.value)] = k2.start_mark.line + 1
                                _parameter_lines(marks, i, k2.value, v2)
                        _parameter_lines(marks, i, k.value, v)
    return marks


def _parameter_lines(marks: dict, i: int, key: str, value) -> None:
    if key == "parameters" and isinstance(value, yaml.MappingNode):
        for name, _ in value.value:
            marks[(i, "parameters", name.value)] = name.start_mark.line + 1


def municipalities(root: Path) -> list[dict]:
    """Rows of data/processed/municipalities.csv, else of data/municipalities/*/municipality.yml."""
    import pandas as pd

    csv = root / "data" / "processed" / "municipalities.csv"
    if csv.exists():
        df = pd.read_csv(csv, dtype=str, keep_default_na=False)
        return df.sort_values("municipality_id").to_dict("records")
    rows = []
    for meta in sorted((root / "data" / "municipalities").glob("*/municipality.yml")):
        data = safe_yaml.read(meta)[1] or {}
        data.setdefault("municipality_id", meta.parent.name)
        rows.append({k: "" if v is None else str(v) for k, v in data.items()})
    return sorted(rows, key=lambda r: r["municipality_id"])


def _fill(value, row: dict):
    """Fill {column} placeholders in the strings of a profile template (types kept otherwise)."""
    if isinstance(value, str):
        return value.format_map(row)
    if isinstance(value, list):
        return [_fill(v, row) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, row) for k, v in value.items()}
    return value


def load_config(path: Path | None = None, root: Path | None = None) -> Config:
    """Read reports/notebooks.yml into the site's pages (profiles expanded); errors name the line."""
    root = workspace_root(root)
    path = Path(path) if path else root / CONFIG
    if not path.exists():
        raise InputError("config file not found", path=path)
    text = path.read_text(encoding="utf-8")
    refused = safe_yaml.check_text(text, str(path))  # no anchors or aliases, size capped
    if refused:
        raise InputError(refused)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError("not valid YAML: " + str(exc).splitlines()[0], path=path,
                         line=None if mark is None else mark.line + 1) from None
    marks = _lines(text)

    def error(message, key=(), column=None, expected=None, found=None):
        line = marks.get(key) or (marks.get(key[:1]) if key else None)
        return InputError(message, path=path, line=line, column=column, expected=expected, found=found)

    if not isinstance(data, dict):
        raise error("expected a mapping with the keys site and pages")
    unknown = set(data) - {"site", "pages"}
    if unknown:
        raise error("unknown key", (sorted(unknown)[0],), sorted(unknown)[0], "site, pages", sorted(unknown)[0])
    site = data.get("site") or {}
    entries = data.get("pages")
    if not isinstance(entries, list) or not entries:
        raise error("no pages", ("pages",), "pages", "a list of pages")
    pages: list[Page] = []
    rows = None
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise error("a page must be a mapping", (i,), None, "keys " + ", ".join(PAGE_KEYS), repr(entry))
        if "profiles" in entry:
            if len(entry) != 1 or not isinstance(entry["profiles"], dict):
                raise error("a profiles entry holds one mapping (the page template) and nothing else",
                            (i, "profiles"), "profiles")
            template = entry["profiles"]
            _check_entry(template, i, error)
            rows = municipalities(root) if rows is None else rows
            for row in rows:
                try:
                    filled = _fill(template, row)
                except (KeyError, IndexError, ValueError) as exc:
                    raise error(f"unknown placeholder {exc} in the profiles template", (i, "profiles"), "profiles",
                                "columns " + ", ".join(row)) from None
                pages.append(_page(filled, i, error))
        else:
            _check_entry(entry, i, error)
            pages.append(_page(entry, i, error))
    seen: dict[str, Page] = {}
    for p in pages:
        if p.name in seen:
            raise error("page name used twice", (p.entry, "name"), "name", "unique names", p.name)
        seen[p.name] = p
    return Config(path, publish.Site(pages, title=str(site.get("title") or "Reports"),
                                     description=site.get("description")))


def _check_entry(entry: dict, i: int, error) -> None:
    unknown = [k for k in entry if k not in PAGE_KEYS]
    if unknown:
        raise error("unknown key", (i, unknown[0]), unknown[0], ", ".join(PAGE_KEYS), unknown[0])
    for key in REQUIRED:
        if not entry.get(key):
            raise error("required key is missing", (i,), key, ", ".join(REQUIRED))
    params = entry.get("parameters")
    if params is not None and not isinstance(params, dict):
        raise error("parameters must be a mapping of names to values", (i, "parameters"), "parameters",
                    "name: value pairs", repr(params))
    if entry.get("reads", "all") not in incremental.READS:
        raise error("unknown value of reads", (i, "reads"), "reads", " or ".join(incremental.READS),
                    repr(entry.get("reads")))


def _page(entry: dict, i: int, error) -> Page:
    name = str(entry["name"])
    if not NAME.match(name) or name in RESERVED:
        raise error("bad page name", (i, "name"), "name",
                    "lower-case letters, digits and '-', not index or data-downloads", name)
    page = Page(name=name, notebook=str(entry["notebook"]), title=str(entry["title"]),
                nav=entry.get("nav"), section=entry.get("section"), menu=entry.get("menu"),
                description=entry.get("description"), parameters=dict(entry.get("parameters") or {}),
                reads=str(entry.get("reads") or "all"), entry=i)
    return page


def select(pages: list[Page], only: list[str] | None) -> list[Page]:
    """Pages whose name matches one of the `only` patterns (fnmatch: 'profile-*'); all without."""
    if not only:
        return list(pages)
    chosen = [p for p in pages if any(fnmatch.fnmatchcase(p.name, pat) for pat in only)]
    if not chosen:
        raise InputError("--only matches no page", path="--only", found=", ".join(only),
                         expected="one of " + ", ".join(p.name for p in pages))
    return chosen


# --- the build ----------------------------------------------------------------------------

@dataclass
class BuildResult:
    results: list[Result]
    site_dir: Path
    seconds: float
    extracted: bool
    reasons: list[str] = field(default_factory=list)   # one line per reason a page ran or was reused
    published: bool = True                             # False: nothing changed, the site was kept

    def summary(self, root: Path) -> str:
        ran = [r for r in self.results if not r.reused]
        shown = self.results if len(self.results) <= TABLE_ROWS else ran if len(ran) <= TABLE_ROWS else []
        lines = []
        if shown:
            rows = [("notebook", "parameters", "time", "page")]
            for r in shown:
                rows.append((r.page.notebook, r.page.parameter_text(),
                             "reused" if r.reused else f"{r.seconds:.1f}s",
                             _rel(self.site_dir / r.page.html, root)))
            widths = [max(len(row[i]) for row in rows) for i in range(3)]
            lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + "  " + row[3] for row in rows]
            lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 4)
        lines += self.reasons
        if self.published:
            lines.append(f"published {len(self.results)} notebook pages ({len(ran)} run, "
                         f"{len(self.results) - len(ran)} reused) to {_rel(self.site_dir, root)}/ "
                         f"in {self.seconds:.1f}s: open {_rel(self.site_dir / 'index.html', root)}")
        else:
            lines.append(f"nothing changed: {_rel(self.site_dir, root)}/ kept as it was "
                         f"({len(self.results)} pages, {self.seconds:.1f}s): open {_rel(self.site_dir / 'index.html', root)}")
        return "\n".join(lines)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return str(path)


def _check_notebooks(config: Config, pages: list[Page], root: Path) -> None:
    marks = _lines(config.path.read_text(encoding="utf-8"))
    for p in pages:
        if not (root / p.notebook).is_file():
            key = (p.entry, "notebook")
            raise InputError(f"notebook of page '{p.name}' not found", path=config.path, line=marks.get(key),
                             column="notebook", expected="a notebook file relative to the repository root",
                             found=p.notebook)


@dataclass
class Inputs:
    """What this build's pages are fingerprinted against (computed once per build)."""

    root: Path
    digests: dict
    reference: str
    standing: dict | None = None        # (fiscal_year, phase) -> {municipality_id: digest}
    standing_dir: Path | None = None

    @classmethod
    def of(cls, root: Path, pages: list[Page], note=lambda msg: None) -> "Inputs":
        from analysis.contract import fingerprint
        inputs = cls(root, incremental.data_digests(root), fingerprint.folder(root / "data" / "reference"))
        groups = incremental.standing_groups(pages)
        if groups and (root / "data" / "processed" / "metadata.json").exists():
            from analysis.report import standing_cache
            inputs.standing_dir = root / incremental.CACHE / "standing"
            inputs.standing = {}
            keep = set()
            requests = inputs.standing_dir / "requests"
            for fy, phase in groups:
                request = requests / (fingerprint.of(incremental.processed_fingerprint(root), inputs.reference,
                                                     fingerprint.code_version(), fy, phase)[:24] + ".json")
                out = _read_json(request)
                if not out or not (inputs.standing_dir / str(out.get("key")) / "facts.pkl").exists():
                    try:
                        out = standing_cache.run(root, inputs.standing_dir, json.loads(fy), json.loads(phase))
                    except RuntimeError as exc:  # the profiles will say what is wrong; they depend on all data
                        note(f"note: {exc}".splitlines()[0] + " (the profiles compute it themselves)")
                        continue
                    requests.mkdir(parents=True, exist_ok=True)
                    request.write_text(json.dumps(out), encoding="utf-8")
                inputs.standing[(fy, phase)] = out["deps"]
                keep.add(out["key"])
            for old in inputs.standing_dir.glob("*"):   # standing tables of earlier data
                if old.is_dir() and old.name not in keep | {"requests"}:
                    shutil.rmtree(old, ignore_errors=True)
            for old in requests.glob("*.json"):
                if _read_json(old).get("key") not in keep:
                    old.unlink(missing_ok=True)
        return inputs

    def fingerprint(self, page: Page) -> dict:
        return incremental.page_fingerprint(page, self.root, self.digests, self.reference, self.standing)


def _fingerprint(page: Page, root: Path, inputs: Inputs | None = None) -> dict:
    """What an executed page depends on (analysis.report.incremental)."""
    return (inputs or Inputs.of(root, [page])).fingerprint(page)


def _manifest(executed: Path) -> dict:
    try:
        return json.loads((executed / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _reusable(pages: list[Page], executed: Path, root: Path, inputs: Inputs | None = None) -> list[Result]:
    """Earlier results for the pages not run now (--only): same notebook file, parameters and data."""
    manifest = _manifest(executed)
    out, stale = [], []
    for p in pages:
        now = _fingerprint(p, root, inputs)
        if incremental.why_stale(manifest.get(p.name), now, (executed / f"{p.name}.ipynb").exists()) is None:
            out.append(Result(p, executed / f"{p.name}.ipynb", None, reused=True))
        else:
            stale.append(p.name)
    if stale:
        raise InputError("with --only, the other pages are taken from the last build, but these changed since "
                         "(notebook, parameters or data) or were never built: " + ", ".join(stale),
                         path=executed, expected="a full build (without --only) or --only for them too")
    return out


def check_parameters(config: Config, pages: list[Page], root: Path) -> None:
    """Every parameter a page sets is a name its notebook's `parameters` cell assigns (papermill
    would inject an unknown one silently and run the page with the defaults)."""
    marks = _lines(config.path.read_text(encoding="utf-8"))
    known: dict[str, list[str] | None] = {}
    for p in pages:
        if not p.parameters:
            continue
        if p.notebook not in known:
            known[p.notebook] = runner.parameter_names(root / p.notebook)
        names = known[p.notebook]
        if names is None:
            raise InputError(f"{p.notebook} has no cell tagged parameters, so it takes none", path=config.path,
                             line=marks.get((p.entry, "parameters")), column="parameters",
                             expected="no parameters for this page", found=", ".join(p.parameters))
        for name in p.parameters:
            if name in names:
                continue
            close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise InputError(f"unknown parameter of {p.notebook}{hint}", path=config.path,
                             line=marks.get((p.entry, "parameters", name)) or marks.get((p.entry, "parameters")),
                             column="parameters", expected="one of " + ", ".join(names), found=str(name))


def leftover_folders(root: Path) -> list[Path]:
    """Staging folders of interrupted builds and extracts (call it holding the workspace lock)."""
    from analysis.sources import extract as extract_mod
    found = staging.leftovers(Path(root) / "reports")
    return found + folders.leftovers(Path(root) / "data", (extract_mod.STAGE_PREFIX,))


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_jobs() -> int:
    """Notebooks at once by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def build(root: Path | None = None, config: Path | None = None, jobs: int | None = None,
          only: list[str] | None = None, extract: bool = True, quiet: bool = False, publisher: str = "auto",
          say=print, wait: bool = True, stopped: list[str] | None = None, force: bool = False,
          executor: str = "local") -> BuildResult:
    """Extract (if needed), execute, publish; return what was built. Raises on any failure,
    leaving reports/_site and reports/_executed as they were.

    Holds the workspace lock (another build or extract: wait, or LockBusy with wait=False).
    Notebooks stopped while running (a failure elsewhere, Ctrl-C) are appended to `stopped`.
    Pages whose inputs did not change since the last build are reused (analysis.report.incremental),
    unless `force`; with nothing changed at all the published site is kept as it is."""
    root = workspace_root(root)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    with lock.workspace_lock(root, "analysis build", wait, _stderr):
        return _build(root, config, jobs, only, extract, quiet, publisher, say, stopped, force, executor)


def _refresh(root: Path) -> list[str] | None:
    """`extract.refresh`: the extract's notes when it ran, None when nothing changed."""
    from analysis.sources import extract as extract_mod
    result = extract_mod.refresh(root)
    return None if result is None else result.notes


def _build(root: Path, config, jobs, only, extract, quiet, publisher, say, stopped, force=False,
           executor="local") -> BuildResult:
    t0 = time.perf_counter()
    reports = root / "reports"
    note = (lambda msg: None) if quiet else say
    left = leftover_folders(root)
    if left:
        names = folders.describe(left, root)
        folders.remove(left)
        note(f"note: removed {names} left by an interrupted build or extract")
    from analysis.sources import extract as extract_mod
    extracted = False
    if extract:
        # validates every municipality's folder first (as `analysis validate` does): an error stops
        # the build before any notebook runs; warnings are printed once and do not stop it
        notes = apart.call(_refresh, root)  # in a child: the extract's memory is not kept by the build
        extracted = notes is not None
        if extracted:
            note("inputs changed: data/processed/ rebuilt (analysis extract)")
            for line in dict.fromkeys(n for n in notes if n.startswith("warning: ")):
                note("  " + line)
    elif not (root / "data" / "processed").is_dir():
        note("note: there is no data/processed/ (--no-extract): the pages find no processed tables")
    elif extract_mod.is_stale(root):
        note("note: data/processed/ is older than its inputs (--no-extract): the pages show it as it was extracted")
    cfg = load_config(config, root)
    pages = cfg.site.pages
    chosen = select(pages, only)
    _check_notebooks(cfg, chosen, root)
    check_parameters(cfg, chosen, root)
    inputs = Inputs.of(root, pages, note)
    previous = reports / "_executed"
    rest = [p for p in pages if p not in chosen]
    reused = _reusable(rest, previous, root, inputs) if rest else []
    manifest = _manifest(previous)
    prints: dict[str, dict] = {}
    to_run, why = [], {}
    for p in chosen:
        prints[p.name] = inputs.fingerprint(p)
        reason = "--force" if force else "it was chosen with --only" if only else incremental.why_stale(
            manifest.get(p.name), prints[p.name], (previous / f"{p.name}.ipynb").exists())
        if reason is None:
            reused.append(Result(p, previous / f"{p.name}.ipynb", None, reused=True))
            why.setdefault("reused (notebook, parameters, code and data unchanged)", []).append(p.name)
        else:
            to_run.append(p)
            why.setdefault(f"ran because {reason}", []).append(p.name)
    if only and rest:
        why.setdefault("reused (not chosen with --only, unchanged since the last build)", []).extend(
            r.page.name for r in reused if r.page in rest)
    reasons = incremental.summarise(why)
    use_quarto = publisher == "quarto" or (publisher == "auto" and publish.quarto_path() is not None)
    site_digest = incremental.site_key(cfg.site, root, "quarto" if use_quarto else "nbconvert")
    record = {"site": site_digest, "data": inputs.digests["all"], "reference": inputs.reference,
              "index": _sha(reports / "index.qmd"), "pages": [p.name for p in pages]}
    old_record = _read_json(previous / SITE_RECORD)
    by_name = {r.page.name: r for r in reused}
    if not to_run and (reports / "_site" / "index.html").exists() and \
            {k: old_record.get(k) for k in record} == record:
        for r in reused:
            r.output = previous / r.output.name
        return BuildResult([by_name[p.name] for p in pages], reports / "_site", time.perf_counter() - t0,
                           extracted, reasons, published=False)
    stage = staging.new_stage(reports)
    failed_dir = reports / staging.FAILED
    early = None
    try:
        unit = stage / "unit"
        executed = unit / "executed"
        note(f"running {len(to_run)} notebooks with Papermill, {jobs} at a time"
             + (" (tasks of a local Dask cluster)" if executor == "dask" else "")
             + (f" ({len(reused)} pages reused from reports/_executed/)" if reused else ""))
        extra_env = {}
        if inputs.standing_dir is not None:
            from analysis.api import STANDING_ENV
            extra_env[STANDING_ENV] = str(inputs.standing_dir)
        # nbconvert: each page's HTML is rendered as soon as its notebook has run, while the others run
        early = None if use_quarto or not to_run else publish.EarlyPages(cfg.site, stage / "early")
        results = runner.execute(to_run, executed, root, jobs=jobs, progress=note, work_dir=stage / "work",
                                 failed_dir=failed_dir, stopped=stopped, extra_env=extra_env, executor=executor,
                                 fingerprints=prints, seconds=_seconds(manifest),
                                 on_done=None if early is None else lambda r: early.submit(r.page, r.output)) \
            if to_run else []
        executed.mkdir(parents=True, exist_ok=True)
        for r in reused:
            _link_or_copy(r.output, executed / r.output.name)
            old_dl = r.output.parent / "downloads" / r.page.name
            if old_dl.exists():
                shutil.copytree(old_dl, executed / "downloads" / r.page.name, dirs_exist_ok=True,
                                copy_function=_link_or_copy)
            r.output = executed / r.output.name
        by_name = {r.page.name: r for r in results + reused}
        ordered = [by_name[p.name] for p in pages]
        _write_manifest(executed, ordered, previous, root, prints, inputs)
        html = {p.name: incremental.html_key(site_digest, executed / f"{p.name}.ipynb") for p in pages}
        old_html = old_record.get("html") or {}
        reuse_html = {n: reports / "_site" / f"{n}.html" for n, k in html.items()
                      if old_html.get(n) == k and (reports / "_site" / f"{n}.html").is_file()}
        # Quarto's note goes through `say` even when quiet: the fallback must always be visible.
        site_dir = publish.publish(executed, cfg.site, stage / "render", root, publisher, say, reuse=reuse_html,
                                   early=early)
        (executed / SITE_RECORD).write_text(json.dumps({**record, "html": html}, indent=1) + "\n", encoding="utf-8")
        Path(site_dir).rename(unit / "site")
        staging.publish_unit(unit, reports, say)
        for r in ordered:
            r.output = reports / "_executed" / r.output.name
    finally:
        if early is not None:
            early.close()  # before its folder in the stage goes
        folders.remove([stage])  # the previous unit, or this build's unfinished one
    shutil.rmtree(failed_dir, ignore_errors=True)
    if (root / "README.md").exists():  # the README's grid and screenshots, from the site just built
        from analysis.report import overview
        images = overview.readme_images(root, reports / "_site", say=note)
        if images:
            note(f"README images updated: {', '.join(sorted({p.name for p in images}))} in {overview.IMAGES}/")
    return BuildResult(ordered, reports / "_site", time.perf_counter() - t0, extracted, reasons)


def _seconds(manifest: dict) -> dict:
    """Each page's seconds in the last build (pages.json), to balance the lanes of this one."""
    return {name: e["seconds"] for name, e in (manifest.items() if isinstance(manifest, dict) else [])
            if isinstance(e, dict) and isinstance(e.get("seconds"), (int, float))}


def _sha(path: Path) -> str | None:
    from analysis.contract import fingerprint
    return fingerprint.file_sha256(path) if path.is_file() else None


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _link_or_copy(src, dst) -> None:
    """A hard link (the previous unit's files never change; publish replaces, never edits), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _write_manifest(executed: Path, results: list[Result], previous: Path, root: Path,
                    prints: dict | None = None, inputs: Inputs | None = None) -> None:
    """executed/pages.json: per page what it was executed from (its fingerprint) and when."""
    old = _manifest(previous)
    manifest = {}
    for r in results:
        if r.reused and r.page.name in old:
            manifest[r.page.name] = old[r.page.name]
            continue
        now = (prints or {}).get(r.page.name) or _fingerprint(r.page, root, inputs)
        manifest[r.page.name] = {**now, "title": r.page.title, "seconds": round(r.seconds or 0, 2),
                                 "executed": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    (executed / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- command line -------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help="notebooks to run at once, each in its own process (default: the number of cores)")
    parser.add_argument("--executor", choices=["local", "dask"], default="local",
                        help="local: a pool of -j threads, each starting a Papermill process; dask: the same "
                             "units as tasks of a local Dask cluster, keyed by their input fingerprints "
                             "(needs the distributed package)")
    parser.add_argument("--force", action="store_true",
                        help="run every page, also those whose inputs did not change since the last build")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this page (a name or pattern such as 'profile-*'; repeatable); "
                             "the other pages are taken from the last build")
    parser.add_argument("--no-extract", dest="extract", action="store_false",
                        help="do not rebuild data/processed/ even if the inputs changed (the notebooks "
                             "read it as it is)")
    parser.add_argument("--config", type=Path, default=None,
                        help="the notebook list (default: reports/notebooks.yml)")
    parser.add_argument("--publisher", choices=["auto", "quarto", "nbconvert"], default="auto",
                        help="auto: Quarto when on PATH, else nbconvert")
    parser.add_argument("--no-wait", dest="wait", action="store_false",
                        help="exit at once when another build or extract is running in the workspace")
    parser.add_argument("--quiet", action="store_true", help="print errors only")


@dataclass
class Outputs:
    """What data/processed/ and reports/_site/ are at one moment (to tell what a failed build changed)."""

    processed: tuple | None
    site: tuple | None

    @classmethod
    def now(cls, root: Path) -> "Outputs":
        try:
            st = os.stat(root / "data" / "processed")
            processed = (st.st_dev, st.st_ino)
        except OSError:
            processed = None
        return cls(processed, staging.identity(root / "reports"))


def what_changed(before: Outputs, root: Path, stopped: list[str] | None = None) -> str:
    """One line after a failed or interrupted build: what was stopped, what changed, what was kept."""
    after = Outputs.now(root)
    parts = []
    if stopped:
        parts.append(f"stopped {len(stopped)} running notebook{'s' * (len(stopped) != 1)} ({', '.join(stopped)})")
    if after == before:
        kept = "reports/_site/ the last good site" if before.site else "there is no site yet"
        parts.append(f"nothing was changed: the previous outputs are kept (data/processed/ as it was; {kept})")
        return "; ".join(parts)
    parts.append("data/processed/ was rebuilt from the changed inputs" if after.processed != before.processed
                 else "data/processed/ is unchanged")
    if after.site != before.site:
        parts.append("reports/_site/ shows the new site (it was published before the build stopped)")
    elif before.site:
        parts.append("reports/_site/ is unchanged (the last good site)")
    else:
        parts.append("reports/_site/ was not created (there was no site yet)")
    return "; ".join(parts)


def run_cli(args) -> int:
    root = workspace_root(getattr(args, "root", None))
    before = Outputs.now(root)
    stopped: list[str] = []
    try:
        result = build(root, config=args.config, jobs=args.jobs, only=args.only, extract=args.extract,
                       quiet=args.quiet, publisher=args.publisher, wait=args.wait, stopped=stopped,
                       force=args.force, executor=args.executor)
    except KeyboardInterrupt:
        _stderr("interrupted: " + what_changed(before, root, stopped))
        return 130
    except (BuildError, publish.PublishError, InputError) as exc:
        prefix = "publishing failed: " if isinstance(exc, publish.PublishError) else ""
        _stderr(f"error: {prefix}{exc}")
        _stderr(what_changed(before, root, stopped))
        return 2 if isinstance(exc, InputError) else 1
    if not args.quiet:
        print(result.summary(root))
    return 0
