"""What an executed page depends on, so that a build re-runs only the pages whose inputs changed.

A page's fingerprint (recorded per page in reports/_executed/pages.json) has these parts:

    notebook, notebook_sha256   the notebook file and its bytes
    parameters                  the page's parameters
    groups                      reports/groups.yml (the named groups parameters may use)
    code                        the package's code and assets and the library versions
                                (analysis.contract.fingerprint.code_version)
    reference                   data/reference/
    data                        the processed tables the page reads: with `reads: all` (the
                                default) every table of data/processed/; with `reads: municipality`
                                (the profiles) the rows of its `municipality` parameter in every
                                table, the municipalities table, which municipalities have rows, and
                                the digest of what its standing section reads from the shared
                                standing tables (analysis.report.standing_cache)

A page whose fingerprint equals the manifest's, and whose executed notebook is there, is reused;
the others run, each with the first part that changed as the reason. The digests of
data/processed/ are cached in reports/.cache/ per extract fingerprint.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from analysis.contract import fingerprint
from analysis.report.runner import Page

CACHE = Path("reports") / ".cache"
BY_MUNICIPALITY = ["budget", "indicators", "goals", "quality", "budget_changes", "documents"]
PARTS = ["notebook", "notebook_sha256", "parameters", "groups", "code", "reference", "data"]
REASONS = {"notebook": "its notebook file changed", "notebook_sha256": "its notebook changed",
           "parameters": "its parameters changed", "groups": "reports/groups.yml changed", "code": "the code or a library version changed",
           "reference": "data/reference/ changed", "data": "the data it reads changed",
           "reads": "what it reads changed"}
READS = ("all", "municipality")


def processed_fingerprint(root: Path) -> str | None:
    meta = root / "data" / "processed" / "metadata.json"
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return None


def data_digests(root: Path) -> dict:
    """{"all": ..., "shared": ..., "by_municipality": {id: ...}} of data/processed/ (cached)."""
    processed = root / "data" / "processed"
    fp = processed_fingerprint(root)
    cache = root / CACHE / "digests.json"
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("extract_fingerprint") == fp and fp is not None:
            return cached
    except (OSError, ValueError):
        pass
    out = _digests(processed, fp)
    out["extract_fingerprint"] = fp
    if fp is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(out), encoding="utf-8")
        tmp.replace(cache)
    return out


def _digests(processed: Path, fp: str | None) -> dict:
    import pandas as pd
    csvs = sorted(processed.glob("*.csv")) if processed.is_dir() else []
    if not (processed / "budget.parquet").exists() and not (processed / "budget.csv").exists():
        return {"all": fingerprint.of("no tables", fp), "shared": fingerprint.of("no tables", fp),
                "by_municipality": {}}
    digests: dict[str, hashlib._Hash] = {}
    present = {}
    for name in BY_MUNICIPALITY:
        pq, csv = processed / f"{name}.parquet", processed / f"{name}.csv"
        df = pd.read_parquet(pq) if pq.exists() else pd.read_csv(csv, dtype=str, keep_default_na=False) \
            if csv.exists() else None
        if df is None or "municipality_id" not in df.columns or not len(df):
            present[name] = []
            continue
        try:
            rows = pd.util.hash_pandas_object(df, index=False).to_numpy()
        except (TypeError, ValueError):
            rows = pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy()
        head = repr([(c, str(t)) for c, t in df.dtypes.items()]).encode()
        groups = df.groupby(df["municipality_id"].astype(str), sort=True).indices
        present[name] = sorted(groups)
        for mid, idx in groups.items():
            h = digests.setdefault(mid, hashlib.sha256())
            h.update(name.encode() + head + rows[idx].tobytes())
    muni = processed / "municipalities.csv"
    shared = fingerprint.of(fingerprint.file_sha256(muni) if muni.exists() else None, present)
    return {"all": fingerprint.files(csvs, processed), "shared": shared,
            "by_municipality": {m: h.hexdigest() for m, h in digests.items()}}


def reads(page: Page) -> str:
    """'municipality' for a page that says so and has a `municipality` parameter, else 'all'."""
    return "municipality" if page.reads == "municipality" and "municipality" in page.parameters else "all"


def page_fingerprint(page: Page, root: Path, digests: dict, reference: str, standing: dict | None) -> dict:
    """The parts of `page`'s fingerprint (see the module docstring)."""
    nb = root / page.notebook
    if reads(page) == "municipality":
        mid = str(page.parameters.get("municipality", ""))
        deps = (standing or {}).get(_standing_group(page))
        data = fingerprint.of("municipality", mid, digests["shared"], digests["by_municipality"].get(mid),
                              None if deps is None else deps.get(mid, "none"),
                              digests["all"] if deps is None else None)  # no standing digest: all data
    else:
        data = fingerprint.of("all", digests["all"])
    return {"notebook": page.notebook,
            "notebook_sha256": fingerprint.file_sha256(nb) if nb.is_file() else None,
            "parameters": json.loads(json.dumps(page.parameters, default=str)),
            "reads": reads(page), "groups": _groups_sha(root), "code": fingerprint.code_version(),
            "reference": reference, "data": data}


def _groups_sha(root: Path) -> str | None:
    """reports/groups.yml: the named groups a `municipalities` or `highlight` parameter may use."""
    path = root / "reports" / "groups.yml"
    return fingerprint.file_sha256(path) if path.is_file() else None


def _standing_group(page: Page) -> tuple:
    return (json.dumps(page.parameters.get("fiscal_year", "latest")),
            json.dumps(page.parameters.get("phase", "most_realised")))


def standing_groups(pages: list[Page]) -> list[tuple]:
    """The (fiscal_year, phase) parameter pairs of the `reads: municipality` pages."""
    return list(dict.fromkeys(_standing_group(p) for p in pages if reads(p) == "municipality"))


def why_stale(old: dict | None, now: dict, has_output: bool) -> str | None:
    """None when the page can be reused, else the reason it runs (the first part that changed)."""
    if not old:
        return "it was not built before"
    if not has_output:
        return "its executed notebook is missing"
    for key in ["reads"] + PARTS:
        if old.get(key) != now.get(key):
            return REASONS[key]
    return None


def site_key(site, root: Path, publisher: str) -> str:
    """What every page's HTML shares: the navigation, titles, site texts, styles, publisher and code."""
    reports = root / "reports"
    pages = [(p.name, p.title, p.nav, p.section, p.menu, p.description) for p in site.pages]
    extra = [f for f in (reports / "styles.css", reports / "_quarto.yml") if f.exists()]
    return fingerprint.of(pages, site.title, site.description, publisher, fingerprint.files(extra, reports),
                          fingerprint.code_version())


def html_key(site_digest: str, executed: Path) -> str:
    return fingerprint.of(site_digest, fingerprint.file_sha256(executed))


def summarise(reasons: dict[str, list[str]], limit: int = 4) -> list[str]:
    """One line per reason: 'reused 497 pages: ...' / 'ran 3 pages because ...: a, b, c'."""
    lines = []
    for reason, names in reasons.items():
        shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
        lines.append(f"{reason}: {len(names)} page{'s' * (len(names) != 1)} ({shown})")
    return lines
