"""The size limit of a published page: no page of the site may exceed `LIMIT` bytes (5 MB).

A page that large takes long to open from a shared drive and usually means a chart or table drew
every row of hundreds of municipalities instead of their distribution
(`analysis.report.scale_charts`, `analysis.compare.distribution`). The publisher refuses such a
site (`oversized` lists the pages), so the last good site stays published.
"""
from __future__ import annotations

from pathlib import Path

LIMIT = 5 * 1024 * 1024
SKIP = {"site_libs", "assets", "downloads", "data"}  # shared scripts and the download files are no pages


def oversized(site_dir: Path, limit: int = LIMIT) -> list[str]:
    """'spending.html: 7.3 MB' for every HTML page of `site_dir` larger than `limit` bytes."""
    site_dir = Path(site_dir)
    found = []
    for path in sorted(site_dir.rglob("*.htm*")):
        if not path.is_file() or SKIP & set(path.relative_to(site_dir).parts[:-1]):
            continue
        size = path.stat().st_size
        if size > limit:
            found.append(f"{path.relative_to(site_dir)}: {size / 1024 / 1024:.1f} MB")
    return found


def message(pages: list[str], limit: int = LIMIT) -> str:
    return (f"{len(pages)} page(s) larger than {limit / 1024 / 1024:.0f} MB (the limit of a page; with many "
            "municipalities choose a few with the notebook's `highlight` parameter, the others are shown as a "
            "distribution):\n  " + "\n  ".join(pages[:10]))
