"""Every file the workspace reads stays inside the folder it belongs to.

A document path in documents.csv, a table file of a municipality, a reference table: after
resolving ``..`` and symbolic links each must lie inside its folder (data/raw/, the
municipality's folder, data/reference/, ...), or it is refused with an error naming the file.
Nothing of a refused file is read, so no line of it can end up in a message.

    file_problems(path, folder, shown)              [] or the problem of a link out of `folder`
    document_file(value, folder, ...)               (path, problems) for a documents.csv `path` cell
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from analysis.contract import paths
from analysis.contract.errors import InputError, Problem

WEB = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def is_web_address(value) -> bool:
    return bool(WEB.match(str(value or "")))


def inside(path: Path, folder: Path) -> bool:
    """True when `path` (symlinks and '..' resolved) lies inside `folder` (resolved too)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def folder_text(folder: Path, root=None) -> str:
    return paths.rel(folder, root).rstrip("/") + "/"


def file_problems(path: Path, folder: Path, shown: str, root=None) -> list[Problem]:
    """[] when `path` is a file inside `folder`; else the problem (a link or path leading out)."""
    path, folder = Path(path), Path(folder)
    if inside(path, folder):
        return []
    where = folder_text(folder, root)
    if path.is_symlink():
        return [Problem(shown, f"is a symbolic link to a file outside {where}", None, None,
                        f"a regular file in {where}", f"a link to {os.path.realpath(path)}")]
    return [Problem(shown, f"is outside {where}", None, None, f"a file in {where}", str(path))]


def check_file(path: Path, folder: Path, shown: str, root=None) -> None:
    """Raise InputError when `path` is not inside `folder` (see `file_problems`)."""
    problems = file_problems(path, folder, shown, root)
    if problems:
        raise InputError(problems)


def document_file(value: str, folder: Path, shown: str, line: int | None, root=None,
                  column: str = "path", what: str = "this municipality's folder") -> tuple[Path | None, list[Problem]]:
    """The file a documents.csv `path` cell names, when it lies inside `folder`; else the problem.

    Web addresses give (None, []); absolute paths and paths leading out of `folder` (by '..' or
    a symbolic link) are refused."""
    text = str(value)
    if is_web_address(text):
        return None, []
    where = folder_text(folder, root)
    if os.path.isabs(text) or text.startswith("~") or re.match(r"^[A-Za-z]:[\\/]", text):
        return None, [Problem(shown, "an absolute path is not allowed", line, column,
                              f"a file name in {where} or a web address", text)]
    file = Path(folder) / text
    if not inside(file, folder):
        lexical = os.path.abspath(file).startswith(os.path.abspath(folder) + os.sep)
        how = " (through a symbolic link)" if lexical else ""
        return None, [Problem(shown, f"the document file is outside {what}{how}", line, column,
                              f"a file in {where} or a web address", text)]
    return file, []
