"""`analysis build`: extract if the inputs changed, run the notebooks with Papermill for every
parameter set in reports/notebooks.yml, then publish reports/_site/.

Nothing half-done is published: notebooks run into a staging folder (reports/.site-XXXX/), the
site is rendered there and swapped into reports/_site/ (and the executed notebooks into
reports/_executed/) only when every notebook and the rendering succeeded. A failed notebook
stops the build with a message naming the notebook, its parameters, the cell and the error;
the previous site stays as it was.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.contract.errors import InputError
from analysis.report import publish, runner
from analysis.report.runner import Page, Result, workspace_root

CONFIG = Path("reports") / "notebooks.yml"
MANIFEST = "pages.json"
PAGE_KEYS = ["name", "notebook", "title", "nav", "section", "menu", "description", "parameters"]
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
                            for k2, _ in v.value:
                                marks[(i, k2.value)] = k2.start_mark.line + 1
    return marks


def municipalities(root: Path) -> list[dict]:
    """Rows of data/processed/municipalities.csv, else of data/municipalities/*/municipality.yml."""
    import pandas as pd

    csv = root / "data" / "processed" / "municipalities.csv"
    if csv.exists():
        df = pd.read_csv(csv, dtype=str, keep_default_na=False)
        return df.sort_values("municipality_id").to_dict("records")
    rows = []
    for meta in sorted((root / "data" / "municipalities").glob("*/municipality.yml")):
        data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
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


def _page(entry: dict, i: int, error) -> Page:
    name = str(entry["name"])
    if not NAME.match(name) or name in RESERVED:
        raise error("bad page name", (i, "name"), "name",
                    "lower-case letters, digits and '-', not index or data-downloads", name)
    page = Page(name=name, notebook=str(entry["notebook"]), title=str(entry["title"]),
                nav=entry.get("nav"), section=entry.get("section"), menu=entry.get("menu"),
                description=entry.get("description"), parameters=dict(entry.get("parameters") or {}), entry=i)
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

    def summary(self, root: Path) -> str:
        rows = [("notebook", "parameters", "time", "page")]
        for r in self.results:
            rows.append((r.page.notebook, r.page.parameter_text(),
                         "reused" if r.reused else f"{r.seconds:.1f}s",
                         _rel(self.site_dir / r.page.html, root)))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + "  " + row[3] for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 4)
        lines.append(f"published {len(self.results)} notebook pages to {_rel(self.site_dir, root)}/ "
                     f"in {self.seconds:.1f}s: open {_rel(self.site_dir / 'index.html', root)}")
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


def _fingerprint(page: Page, root: Path) -> dict:
    """What an executed page depends on: notebook file, parameters and the processed data."""
    import hashlib
    meta = root / "data" / "processed" / "metadata.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8")).get("fingerprint") if meta.exists() else None
    except ValueError:
        data = None
    nb = root / page.notebook
    return {"notebook": page.notebook,
            "notebook_sha256": hashlib.sha256(nb.read_bytes()).hexdigest() if nb.is_file() else None,
            "parameters": json.loads(json.dumps(page.parameters, default=str)),
            "data": data}


def _reusable(pages: list[Page], executed: Path, root: Path) -> list[Result]:
    """Earlier results for the pages not run now (--only): same notebook file, parameters and data."""
    manifest_file = executed / MANIFEST
    manifest = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.exists() else {}
    out, stale = [], []
    for p in pages:
        old = manifest.get(p.name) or {}
        now = _fingerprint(p, root)
        if (executed / f"{p.name}.ipynb").exists() and all(old.get(k, "?") == v for k, v in now.items()):
            out.append(Result(p, executed / f"{p.name}.ipynb", None, reused=True))
        else:
            stale.append(p.name)
    if stale:
        raise InputError("with --only, the other pages are taken from the last build, but these changed since "
                         "(notebook, parameters or data) or were never built: " + ", ".join(stale),
                         path=executed, expected="a full build (without --only) or --only for them too")
    return out


def build(root: Path | None = None, config: Path | None = None, jobs: int = 2, only: list[str] | None = None,
          extract: bool = True, quiet: bool = False, publisher: str = "auto", say=print) -> BuildResult:
    """Extract (if needed), execute, publish; return what was built. Raises on any failure,
    leaving reports/_site and reports/_executed as they were."""
    t0 = time.perf_counter()
    root = workspace_root(root)
    reports = root / "reports"
    note = (lambda msg: None) if quiet else say
    extracted = False
    if extract:
        try:
            from analysis.sources import extract as extract_mod
        except ImportError as exc:
            raise BuildError(f"cannot run the extract step ({exc}); build with --no-extract") from exc
        extracted = extract_mod.ensure(root)
        if extracted:
            note("inputs changed: data/processed/ rebuilt (analysis extract)")
    cfg = load_config(config, root)
    pages = cfg.site.pages
    chosen = select(pages, only)
    _check_notebooks(cfg, chosen, root)
    rest = [p for p in pages if p not in chosen]
    reused = _reusable(rest, reports / "_executed", root) if rest else []
    reports.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".site-", dir=reports))
    failed_dir = reports / ".site-failed"
    try:
        executed = stage / "executed"
        note(f"running {len(chosen)} notebooks with Papermill, {jobs} at a time"
             + (f" ({len(reused)} pages reused from reports/_executed/)" if reused else ""))
        results = runner.execute(chosen, executed, root, jobs=jobs, progress=note, work_dir=stage / "work",
                                 failed_dir=failed_dir)
        for r in reused:
            shutil.copyfile(r.output, executed / r.output.name)
            old_dl = r.output.parent / "downloads" / r.page.name
            if old_dl.exists():
                shutil.copytree(old_dl, executed / "downloads" / r.page.name, dirs_exist_ok=True)
            r.output = executed / r.output.name
        by_name = {r.page.name: r for r in results + reused}
        ordered = [by_name[p.name] for p in pages]
        _write_manifest(executed, ordered, reports / "_executed", root)
        # Quarto's note goes through `say` even when quiet: the fallback must always be visible.
        site_dir = publish.publish(executed, cfg.site, stage / "render", root, publisher, say)
        publish.swap_in(site_dir, reports / "_site")
        publish.swap_in(executed, reports / "_executed")
        for r in ordered:
            r.output = reports / "_executed" / r.output.name
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    shutil.rmtree(failed_dir, ignore_errors=True)
    if (root / "README.md").exists():  # the README's grid and screenshots, from the site just built
        from analysis.report import overview
        images = overview.readme_images(root, reports / "_site", say=note)
        if images:
            note(f"README images updated: {', '.join(sorted({p.name for p in images}))} in {overview.IMAGES}/")
    return BuildResult(ordered, reports / "_site", time.perf_counter() - t0, extracted)


def _write_manifest(executed: Path, results: list[Result], previous: Path, root: Path) -> None:
    """executed/pages.json: per page what it was executed from (for --only) and when."""
    old_file = previous / MANIFEST
    old = json.loads(old_file.read_text(encoding="utf-8")) if old_file.exists() else {}
    manifest = {}
    for r in results:
        if r.reused and r.page.name in old:
            manifest[r.page.name] = old[r.page.name]
            continue
        manifest[r.page.name] = {**_fingerprint(r.page, root), "title": r.page.title,
                                 "seconds": round(r.seconds or 0, 2),
                                 "executed": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    (executed / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- command line -------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                        help="notebooks to run at once, each in its own process (default 2)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this page (a name or pattern such as 'profile-*'; repeatable); "
                             "the other pages are taken from the last build")
    parser.add_argument("--no-extract", dest="extract", action="store_false",
                        help="do not rebuild data/processed/ even if the inputs changed")
    parser.add_argument("--config", type=Path, default=None,
                        help="the notebook list (default: reports/notebooks.yml)")
    parser.add_argument("--publisher", choices=["auto", "quarto", "nbconvert"], default="auto",
                        help="auto: Quarto when on PATH, else nbconvert")
    parser.add_argument("--quiet", action="store_true", help="print errors only")


def run_cli(args) -> int:
    root = workspace_root(getattr(args, "root", None))
    try:
        result = build(root, config=args.config, jobs=max(1, args.jobs), only=args.only, extract=args.extract,
                       quiet=args.quiet, publisher=args.publisher)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except publish.PublishError as exc:
        print(f"error: publishing failed: {exc}", file=sys.stderr)
        print("nothing was changed: the previous site is kept.", file=sys.stderr)
        return 1
    if not args.quiet:
        print(result.summary(root))
    return 0
