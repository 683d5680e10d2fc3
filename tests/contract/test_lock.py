"""analysis.contract.lock: one writer (extract or build) at a time in a workspace."""
import json
import os
import subprocess
import sys
import time

import pytest

from analysis.contract import lock


def _hold(root, seconds: float, command: str = "analysis build") -> subprocess.Popen:
    """Another process holding the lock of `root` for `seconds`."""
    proc = subprocess.Popen([sys.executable, "-c",
                             "import time; from analysis.contract import lock\n"
                             f"with lock.workspace_lock({str(root)!r}, {command!r}, say=print):\n"
                             f"    print('held', flush=True); time.sleep({seconds}); print(time.time(), flush=True)"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_the_lock_file_names_its_holder_and_goes_when_released(tmp_path):
    with lock.workspace_lock(tmp_path, "analysis extract", say=print):
        holder = json.loads((tmp_path / lock.LOCK_FILE).read_text())
        assert holder["pid"] == os.getpid() and holder["command"] == "analysis extract"
        assert time.strptime(holder["started"], "%Y-%m-%d %H:%M:%S")
        with lock.workspace_lock(tmp_path, "analysis extract", say=print):  # the same process: re-entrant
            pass
        assert (tmp_path / lock.LOCK_FILE).exists()
    assert not (tmp_path / lock.LOCK_FILE).exists()


def test_a_second_process_is_refused_with_no_wait(tmp_path):
    other = _hold(tmp_path, 5)
    try:
        with pytest.raises(lock.LockBusy) as exc:
            with lock.workspace_lock(tmp_path, "analysis build", wait=False, say=print):
                pass
        started = json.loads((tmp_path / lock.LOCK_FILE).read_text())["started"]
        assert str(exc.value) == (f"another analysis build is running in this workspace (pid {other.pid}, "
                                  f"since {started}; lock .analysis.lock); wait for it to end, stop it, "
                                  "or run without --no-wait")
    finally:
        other.kill()


def test_a_second_process_waits_and_says_so(tmp_path):
    other = _hold(tmp_path, 1.5)
    said = []
    t0 = time.monotonic()
    with lock.workspace_lock(tmp_path, "analysis build", say=said.append):
        acquired = time.time()
    left = float(other.stdout.readline())                   # when the holder left its `with` block
    assert acquired >= left and time.monotonic() - t0 > 0.5
    assert len(said) == 1 and said[0].startswith(
        f"waiting: another analysis build is running in this workspace (pid {other.pid}, since ")
    assert said[0].endswith("; this one starts when it ends (Ctrl-C stops waiting)")


def test_a_stale_lock_of_a_killed_run_is_taken_over_with_a_note(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c",
                             "import os, signal; from analysis.contract import lock\n"
                             f"with lock.workspace_lock({str(tmp_path)!r}, 'analysis build', say=print):\n"
                             "    os.kill(os.getpid(), signal.SIGKILL)"])
    assert proc.wait() == -9
    dead = json.loads((tmp_path / lock.LOCK_FILE).read_text())
    said = []
    with lock.workspace_lock(tmp_path, "analysis extract", wait=False, say=said.append):
        assert json.loads((tmp_path / lock.LOCK_FILE).read_text())["pid"] == os.getpid()
    assert said == [f"note: the lock of an analysis build that did not finish (pid {dead['pid']}, since "
                    f"{dead['started']}, no longer running) was taken over"]


def test_a_notebook_of_a_build_cannot_wait_for_its_own_build(tmp_path, monkeypatch):
    other = _hold(tmp_path, 5)
    try:
        monkeypatch.setenv(lock.ENV_HOLDER, str(other.pid))
        with pytest.raises(lock.LockBusy, match="runs inside analysis build .pid"):
            with lock.workspace_lock(tmp_path, "analysis extract", say=print):
                pass
    finally:
        other.kill()
