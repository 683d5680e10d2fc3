"""Where things live, relative to one root folder.

The root is, in this order: the `root` argument, the environment variable ANALYSIS_ROOT,
or the repository that holds this file (``src/analysis/contract/paths.py`` -> three levels up).
Every function takes an optional root so that tests can point at a temporary copy.
"""
from __future__ import annotations

import os
from pathlib import Path

ENV = "ANALYSIS_ROOT"


def root(root: str | Path | None = None) -> Path:
    """The workspace root folder."""
    if root is not None:
        return Path(root)
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3]


def data_dir(root_: str | Path | None = None) -> Path:
    return root(root_) / "data"


def raw_dir(root_: str | Path | None = None) -> Path:
    """The immutable source documents and documents.csv."""
    return data_dir(root_) / "raw"


def processed_dir(root_: str | Path | None = None) -> Path:
    """The contract tables written by `analysis extract` (CSV and Parquet)."""
    return data_dir(root_) / "processed"


def reference_dir(root_: str | Path | None = None) -> Path:
    """Population, exchange rates, price indices, COFOG and the category map."""
    return data_dir(root_) / "reference"


def curated_dir(root_: str | Path | None = None) -> Path:
    """Hand-curated tables (e.g. goals read from prose documents)."""
    return data_dir(root_) / "curated"


def municipalities_dir(root_: str | Path | None = None) -> Path:
    """One folder per municipality with municipality.yml."""
    return data_dir(root_) / "municipalities"


def reports_dir(root_: str | Path | None = None) -> Path:
    return root(root_) / "reports"


def notebooks_dir(root_: str | Path | None = None) -> Path:
    return root(root_) / "notebooks"


def rel(path: str | Path, root_: str | Path | None = None) -> str:
    """`path` relative to the workspace root (as printed in messages); as given when outside it.

    A symbolic link is named where it lies, not where it points."""
    base = root(root_)
    for p, r in ((os.path.abspath(path), os.path.abspath(base)), (Path(path).resolve(), base.resolve())):
        try:
            return str(Path(p).relative_to(r))
        except ValueError:
            continue
    return str(path)
