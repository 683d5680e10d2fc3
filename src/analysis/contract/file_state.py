"""What says that a folder's files are the ones read before (the key of an in-process cache)."""
from __future__ import annotations

import os
from pathlib import Path


def folder_key(folder: str | Path) -> tuple:
    """The folder (its resolved path, device, inode and mtime: a folder replaced whole has a new
    inode) and, per file in it, the name, the entry's inode, whether it is a symbolic link, and
    the inode, size and mtime of what it names."""
    st = os.stat(folder)
    files = []
    for e in os.scandir(folder):
        if e.is_file():
            target = e.stat()
            files.append((e.name, e.inode(), e.is_symlink(), target.st_ino, target.st_size, target.st_mtime_ns))
    return str(Path(folder).resolve()), st.st_dev, st.st_ino, st.st_mtime_ns, tuple(sorted(files))
