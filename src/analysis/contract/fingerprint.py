"""Fingerprints: short sha256 digests of files, folders and the code that turns them into pages.

    files(paths, root)        one digest over the files' relative paths and bytes
    code_version()            the package's source (every .py and asset) and the versions of the
                              libraries that shape a page's output (pandas, altair, ...)
    of(*parts)                a digest of JSON-able values (dicts are sorted)

The incremental build (analysis.report.incremental) keys each executed page by these.
"""
from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]          # src/analysis
LIBRARIES = ["pandas", "numpy", "pyarrow", "altair", "vl-convert-python", "pandera", "papermill", "nbformat",
             "nbconvert", "nbclient", "ipykernel", "jupytext"]


def of(*parts) -> str:
    """sha256 of the parts as canonical JSON (dict keys sorted, non-JSON values as text)."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def files(paths, root: Path | None = None) -> str:
    """One digest over the files (sorted), each named by its path relative to `root`."""
    h = hashlib.sha256()
    for p in sorted(Path(p) for p in paths):
        name = str(p.relative_to(root)) if root is not None and p.is_relative_to(root) else p.name
        h.update(name.encode("utf-8") + b"\0" + file_sha256(p).encode() + b"\n")
    return h.hexdigest()


def folder(path: Path, pattern: str = "*") -> str:
    """Digest of every file below `path` (hidden files left out); of nothing when it is missing."""
    path = Path(path)
    found = [p for p in path.rglob(pattern) if p.is_file() and not any(part.startswith(".") for part in
                                                                         p.relative_to(path).parts)] \
        if path.is_dir() else []
    return files(found, path)


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The package's code and assets plus the library versions: a change re-runs every page."""
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    sources = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts
               and p.suffix not in (".pyc",)]
    return of(files(sources, PACKAGE), versions)
