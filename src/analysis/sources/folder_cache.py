"""What `analysis extract` read and checked of each municipality's folder, kept between runs.

The per-folder step (municipality.yml, documents.csv, the tables read, cleaned and checked:
`municipality_tables.check`) is a pure function of the folder's files and of what every folder
shares: data/raw, data/curated, data/reference, the names of the municipality folders and the
code (`fingerprint.code_version`). Its result is stored in ``data/.extract-cache/<key>.pickle``
(ignored by git), keyed by the sha256 of all of that; an extract reads again only the folders
whose key has no entry, and the concatenation and the contract pass over all tables run as
before. Only folders without any error are stored: an error is found again on every run.

    keys(root, folders)          {folder name: key}
    load(root, key)              the stored entry, or None
    store(root, key, entry)      written atomically (a temporary file, then os.replace)
    prune(root, keep)            remove the entries of keys not in `keep`

The entries are pickles written by this module; `load` reads them with an unpickler that only
builds the classes such an entry holds (pandas/numpy frames, this package's records), so a
planted file cannot run code. ``ANALYSIS_EXTRACT_CACHE=0`` turns the cache off.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path

from analysis.contract import fingerprint, paths

FOLDER = ".extract-cache"
SUFFIX = ".pickle"
FORMAT = 1


def enabled() -> bool:
    return os.environ.get("ANALYSIS_EXTRACT_CACHE", "1") not in ("0", "no", "false", "off")


def cache_dir(root=None) -> Path:
    return paths.data_dir(root) / FOLDER


def _digest_tree(h, base: Path, folder: Path) -> None:
    """Every entry below `folder` (hidden ones too): name, link target, bytes."""
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(base).as_posix()
        if p.is_symlink():
            h.update(b"L" + rel.encode() + b"\0" + os.readlink(p).encode(errors="surrogateescape") + b"\n")
            if not p.exists():
                continue
        if p.is_file():
            h.update(b"F" + rel.encode() + b"\0" + fingerprint.file_sha256(p).encode() + b"\n")
        elif p.is_dir():
            h.update(b"D" + rel.encode() + b"\n")


def shared_key(root=None) -> str:
    """Digest of what every folder's step reads besides its own folder."""
    root = paths.root(root)
    h = hashlib.sha256(f"format {FORMAT}\0{fingerprint.code_version()}\0{root}\n".encode())
    for d in (paths.raw_dir(root), paths.curated_dir(root), paths.reference_dir(root)):
        h.update(b"[" + d.name.encode() + b"]\n")
        if d.exists():
            _digest_tree(h, root, d)
    base = paths.municipalities_dir(root)
    names = sorted(p.name for p in base.iterdir()) if base.exists() else []
    h.update(("folders\0" + "\0".join(names)).encode())
    return h.hexdigest()


def keys(root, folders: list[Path]) -> dict[str, str]:
    """{folder name: the key of its step}."""
    common = shared_key(root)
    out = {}
    for folder in folders:
        folder = Path(folder)
        h = hashlib.sha256(common.encode() + b"\0" + folder.name.encode() + b"\n")
        if folder.is_dir():
            _digest_tree(h, folder, folder)
        out[folder.name] = h.hexdigest()
    return out


# Every class and function an entry's pickle names (found by recording a real run's entries); any
# other name is refused, so a planted pickle cannot call os.system or eval.
_ALLOWED = {
    ("analysis.contract.errors", "Problem"), ("analysis.sources.documents_list", "DocumentList"),
    ("analysis.sources.municipality_tables", "Loaded"), ("analysis.sources.municipality_tables", "Meta"),
    ("analysis.sources.consistency", "Finding"),
    ("builtins", "slice"), ("builtins", "set"), ("builtins", "frozenset"), ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"), ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy.core.numeric", "_frombuffer"),
    ("pandas", "DataFrame"), ("pandas", "Series"), ("pandas", "Index"), ("pandas", "RangeIndex"),
    ("pandas", "BooleanDtype"), ("pandas", "StringDtype"), ("pandas", "Int64Dtype"), ("pandas", "Float64Dtype"),
    ("pandas", "CategoricalDtype"), ("pandas", "Categorical"),
    ("pandas._libs.internals", "_unpickle_block"), ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.internals.managers", "BlockManager"), ("pandas.core.internals.managers", "SingleBlockManager"),
    ("pandas.arrays", "ArrowStringArray"), ("pandas.arrays", "BooleanArray"), ("pandas.arrays", "IntegerArray"),
    ("pandas.arrays", "FloatingArray"), ("pandas.arrays", "StringArray"),
    ("pyarrow.lib", "_restore_array"), ("pyarrow.lib", "py_buffer"), ("pyarrow.lib", "type_for_alias"),
    ("pyarrow.lib", "chunked_array"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of an extract cache entry")
        return super().find_class(module, name)


def load(root, key: str):
    """The entry stored under `key`, or None (none, unreadable, or not one of ours)."""
    path = cache_dir(root) / f"{key}{SUFFIX}"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        entry = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # an entry of another version, truncated or planted: read the folder again
        return None
    return entry if isinstance(entry, dict) and entry.get("key") == key else None


def store(root, key: str, entry: dict) -> None:
    """Write the entry under `key` in one step (a reader sees the old file, the new one or none)."""
    d = cache_dir(root)
    d.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=d)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({**entry, "key": key}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, d / f"{key}{SUFFIX}")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prune(root, keep: set[str]) -> int:
    """Remove the entries (and temporary files) of keys not in `keep`; how many were removed."""
    d = cache_dir(root)
    if not d.is_dir():
        return 0
    n = 0
    for p in d.iterdir():
        if p.is_file() and (p.name.startswith(".tmp-") or p.name.removesuffix(SUFFIX) not in keep):
            p.unlink(missing_ok=True)
            n += 1
    return n


# --- one extract run ------------------------------------------------------------------------------

def _run_keys(folder: Path, root) -> dict[str, tuple]:
    """The run_cache keys of what the per-folder step computes (see `reuse`)."""
    from analysis.sources import folder_rules, registry
    from analysis.sources import municipality_tables as mt
    return {"meta": mt.meta_key(folder, root), "registry_list": registry.list_key(folder),
            "folder_list": folder_rules.list_key(folder), "checked": mt.checked_key(folder, root)}


def reuse(root, folders: list[Path]) -> tuple[dict[str, str], set[str]]:
    """Inside a `run_cache.scope()`: give the run the stored results of every folder whose key has
    an entry; returns ({folder name: key}, names of the folders reused)."""
    from analysis.sources import run_cache
    if not enabled():
        return {}, set()
    found = keys(root, folders)
    reused = set()
    for folder in folders:
        entry = load(root, found[folder.name])
        if entry is None or entry.get("folder") != folder.name:
            continue
        for part, key in _run_keys(folder, root).items():
            if entry.get(part) is not None:
                run_cache.prime(key, entry[part])
        reused.add(folder.name)
    return found, reused


def keep(root, found: dict[str, str], reused: set[str], checked: dict[str, object]) -> None:
    """Store the step of every folder read in this run that has no error ({name: its checked
    `Loaded`}), and remove the entries of keys that no folder has any more."""
    from analysis.sources import run_cache
    if not found:
        return
    for name, loaded in checked.items():
        if name in reused or name not in found or loaded is None or loaded.problems or loaded.meta is None:
            continue
        folder = Path(loaded.meta.path).parent
        entry = {part: run_cache.peek(key) for part, key in _run_keys(folder, root).items() if part != "checked"}
        meta = entry.get("meta")
        if meta is None or meta[1] or any(lst is not None and lst.errors for lst in
                                          (entry.get("registry_list"), entry.get("folder_list"))):
            continue
        store(root, found[name], {**entry, "checked": loaded, "folder": name})
    prune(root, set(found.values()))


def note(found: dict[str, str], reused: set[str]) -> str | None:
    """One line for the extract's summary: which folders were read, which reused."""
    if not found:
        return None
    read = sorted(set(found) - reused)
    shown = ", ".join(read[:5]) + (f" and {len(read) - 5} more" if len(read) > 5 else "")
    return (f"municipality folders: {len(reused)} of {len(found)} reused from data/{FOLDER}/ (inputs unchanged), "
            f"{len(read)} read" + (f": {shown}" if read else ""))
