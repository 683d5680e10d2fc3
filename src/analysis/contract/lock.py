"""One writer at a time: `analysis extract` and `analysis build` hold the workspace lock while they
write data/processed/ or reports/.

The lock is the file `.analysis.lock` in the workspace root. It names its holder (pid, command,
start time) for the message a second run gives, and the lock itself is an `flock` on it, which
the system drops when the holder ends, however it ends: a lock file left by a killed run is
stale, and the next run takes it over with a note. Re-entrant within a process (the build's own
extract). Without `fcntl` (Windows) runs are not serialised.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_FILE = ".analysis.lock"
ENV_HOLDER = "ANALYSIS_LOCK_HOLDER"  # set by a build for its notebooks: the pid holding the lock
_held: dict[Path, int] = {}          # lock files this process holds, with their depth


class LockBusy(RuntimeError):
    """Another run holds the workspace lock (and the caller did not want to wait)."""

    def __init__(self, message: str, holder: dict):
        self.holder = holder
        super().__init__(message)


def _read(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, 4096).decode("utf-8", "replace").strip()
    try:
        holder = json.loads(data) if data else {}
    except ValueError:
        holder = {"pid": "?", "command": "run", "started": data[:40]}
    return holder if isinstance(holder, dict) else {}


def describe(holder: dict) -> str:
    return (f"another {holder.get('command') or 'run'} is running in this workspace "
            f"(pid {holder.get('pid', '?')}, since {holder.get('started', '?')}; lock {LOCK_FILE})")


def _same_file(fd: int, path: Path) -> bool:
    """False when the file was removed (or replaced) by its last holder while we waited."""
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _acquire(path: Path, command: str, wait: bool, say: Callable[[str], None] | None) -> int:
    waited = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            inside = os.environ.get(ENV_HOLDER)
            if inside and str(holder.get("pid")) == inside:
                os.close(fd)
                raise LockBusy(f"this runs inside {holder.get('command', 'a build')} (pid {inside}), which holds "
                               f"the workspace lock: a notebook of a build reads data/processed/ as the build "
                               f"left it and does not extract", holder) from None
            if not wait:
                os.close(fd)
                raise LockBusy(describe(holder) + "; wait for it to end, stop it, or run without --no-wait",
                               holder) from None
            if say and not waited:
                say("waiting: " + describe(holder) + "; this one starts when it ends (Ctrl-C stops waiting)")
            waited = True
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
        if not _same_file(fd, path):
            os.close(fd)
            continue
        stale = _read(fd)
        if stale and say:
            say(f"note: the lock of an {stale.get('command') or 'earlier run'} that did not finish "
                f"(pid {stale.get('pid', '?')}, since {stale.get('started', '?')}, no longer running) was taken over")
        record = {"pid": os.getpid(), "command": command, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(record) + "\n").encode())
        os.fsync(fd)
        return fd


@contextmanager
def workspace_lock(root: Path | str, command: str, wait: bool = True,
                   say: Callable[[str], None] | None = print) -> Iterator[None]:
    """Hold the lock of the workspace `root` for `command` ('analysis build'). A busy lock: say who
    holds it and wait for it, or raise LockBusy (wait=False)."""
    path = (Path(root) / LOCK_FILE).resolve()
    if fcntl is None or path in _held:
        _held[path] = _held.get(path, 0) + 1
        try:
            yield
        finally:
            _held[path] -= 1
            if not _held[path]:
                del _held[path]
        return
    fd = _acquire(path, command, wait, say)
    _held[path] = 1
    try:
        yield
    finally:
        del _held[path]
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        os.close(fd)
