"""Folders replaced in one step, and the staging folders an interrupted run leaves behind.

`exchange(new, target)` swaps two folders with one system call (Linux `renameat2` with
RENAME_EXCHANGE), so a reader of `target` finds the old folder or the new one, never none and
never a mix. Where that call is missing (other systems, some file systems) it falls back to two
renames, with a moment without `target`.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2():
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None


_EXCHANGE_CALL = _renameat2()


def _swap(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; False when the system cannot."""
    if _EXCHANGE_CALL is None:
        return False
    if _EXCHANGE_CALL(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def exchange(new: Path, target: Path) -> bool:
    """Put `new` (a folder or a link) at `target` in one step. The previous `target` ends up at
    `new`'s path (return True), or there was none (return False)."""
    new, target = Path(new), Path(target)
    if not (target.exists() or target.is_symlink()):
        new.rename(target)
        return False
    if not _swap(new, target):  # fallback: two renames
        aside = new.with_name(new.name + "-previous")
        target.rename(aside)
        new.rename(target)
        aside.rename(new)
    return True


def recover(target: Path, prefix: str) -> Path | None:
    """After an interrupted fallback exchange: put the set-aside previous folder back at a
    missing `target`; return the folder it came from."""
    target = Path(target)
    if target.exists() or target.is_symlink():
        return None
    aside = sorted(target.parent.glob(prefix + "*-previous"), key=lambda p: p.stat().st_mtime)
    if not aside:
        return None
    aside[-1].rename(target)
    return aside[-1]


def leftovers(parent: Path, prefixes: tuple[str, ...], keep: set[str] | frozenset = frozenset()) -> list[Path]:
    """Entries of `parent` whose names start with one of `prefixes` (staging folders), sorted."""
    parent = Path(parent)
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.name.startswith(prefixes) and p.name not in keep)


def remove(paths) -> None:
    """Remove folders (or links and files) as far as possible."""
    for p in paths:
        p = Path(p)
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def describe(paths, root: Path) -> str:
    """'reports/.site-abc/, data/.processed-x/' (relative to root, folders with a slash)."""
    out = []
    for p in paths:
        p = Path(p)
        try:
            name = str(p.relative_to(root))
        except ValueError:
            name = str(p)
        out.append(name + ("/" if p.is_dir() and not p.is_symlink() else ""))
    return ", ".join(out)
