"""The published unit: the site, its executed notebooks and their manifest, from one build.

    reports/.published/site/        the site
    reports/.published/executed/    its executed notebooks, their downloads and pages.json
    reports/_site     -> .published/site        (symbolic links, made once)
    reports/_executed -> .published/executed

A build assembles the next unit in its stage (reports/.site-XXXX/unit/) and exchanges it with
reports/.published/ in one step (`analysis.contract.folders.exchange`): at every instant
reports/_site/ and reports/_executed/ belong to the same build. The previous unit lands in the
stage and goes with it. A stage left by a killed build is removed by the next build.

Where the file system has no symbolic links, reports/_site/ and reports/_executed/ stay real
folders, exchanged one after the other (the build says so).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from analysis.contract import folders

PUBLISHED = ".published"
LINKS = {"_site": "site", "_executed": "executed"}
STAGE_PREFIX = ".site-"
FAILED = ".site-failed"          # the failed notebook of the last failed build, kept for its traceback
NO_LINKS_NOTE = ("note: this file system has no symbolic links: reports/_site/ and reports/_executed/ "
                 "are replaced one after the other")


def new_stage(reports: Path) -> Path:
    """A fresh staging folder reports/.site-XXXX/ (its unit/ is what will be published)."""
    reports.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=reports))


def leftovers(reports: Path) -> list[Path]:
    """Staging folders of builds that are not running (call it holding the workspace lock)."""
    return folders.leftovers(reports, (STAGE_PREFIX,), keep={FAILED})


def _links_work(folder: Path) -> bool:
    probe = folder / ".link-probe"
    try:
        os.symlink(".", probe, target_is_directory=True)
    except (OSError, NotImplementedError):
        return False
    probe.unlink()
    return True


def publish_unit(unit: Path, reports: Path, say: Callable[[str], None] | None = None) -> None:
    """Publish unit/site and unit/executed together; the previous unit ends up at `unit`."""
    unit, reports = Path(unit), Path(reports)
    if not _links_work(unit.parent):
        if say:
            say(NO_LINKS_NOTE)
        for name, sub in LINKS.items():
            folders.exchange(unit / sub, reports / name)
        return
    folders.exchange(unit, reports / PUBLISHED)
    _link(reports, unit.parent)


def _link(reports: Path, stage: Path) -> None:
    """Make reports/_site and reports/_executed the links into the unit (once; an old-layout
    real folder is exchanged for the link and left in `stage`)."""
    for name, sub in LINKS.items():
        path, want = reports / name, os.path.join(PUBLISHED, sub)
        if path.is_symlink() and os.readlink(path) == want:
            continue
        tmp = stage / f"link{name}"
        os.symlink(want, tmp, target_is_directory=True)
        folders.exchange(tmp, path)


def identity(reports: Path):
    """What reports/_site/ is now (changes with every publish), or None without a site."""
    try:
        st = os.stat(Path(reports) / "_site")
    except OSError:
        return None
    return st.st_dev, st.st_ino
