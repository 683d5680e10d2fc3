"""analysis.report.batch: several pages of one notebook in one kernel, each page as if run alone."""
import dataclasses
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.report import runner
from analysis.report.runner import Page

ROOT = Path(__file__).resolve().parents[2]
IDS = ["aalborg", "peine", "segeberg"]
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (\S+) ([\d.]+)s (ok|FAILED)$")  # as benchmarks/bench_scale.py parses it


def _pages(reads="municipality", **params):
    return [Page(f"leak-{m}", "notebooks/_leak.ipynb", m, parameters={"municipality_id": m, **params}, reads=reads)
            for m in IDS]


def _leak_workspace(workspace: Path) -> Path:
    shutil.copyfile(ROOT / "tests" / "fixtures" / "notebooks" / "_leak.ipynb", workspace / "notebooks" / "_leak.ipynb")
    from analysis.sources import extract
    extract.run(workspace)
    return workspace


def _cells(path: Path) -> str:
    """Cells, execution counts and outputs of an executed notebook (no timing metadata)."""
    nb = nbformat.read(path, as_version=4)
    cells = [{"source": c.source, "count": c.get("execution_count"), "outputs": c.get("outputs"),
              "tags": c.metadata.get("tags")} for c in nb.cells]
    pm = {k: v for k, v in nb.metadata["papermill"].items() if k not in ("start_time", "end_time", "duration",
                                                                        "input_path", "output_path")}
    text = json.dumps({"cells": cells, "papermill": pm}, sort_keys=True, default=str)
    return re.sub(r"ipykernel_\d+", "ipykernel_PID", text)   # a warning names the kernel's cell file


def test_batches_split_the_profiles_by_the_jobs_and_keep_other_pages_alone():
    profiles = [Page(f"profile-{i}", "nb/profile.ipynb", str(i), reads="municipality") for i in range(5)]
    others = [Page("spending", "nb/spending.ipynb", "S"), Page("goals", "nb/goals.ipynb", "G")]
    units = runner.batches(others[:1] + profiles + others[1:], jobs=2)
    assert [[p.name for p in u] for u in units] == [["spending"], ["profile-0", "profile-1", "profile-2"],
                                                    ["profile-3", "profile-4"], ["goals"]]
    assert [len(u) for u in runner.batches(profiles[:2], jobs=4)] == [1, 1]     # min(jobs, pages) batches
    assert [len(u) for u in runner.batches(profiles, jobs=1)] == [5]
    other_nb = [dataclasses.replace(p, notebook="nb/other.ipynb") for p in profiles[:2]]
    assert [len(u) for u in runner.batches(profiles[:2] + other_nb, jobs=1)] == [2, 2]  # one notebook per batch


@pytest.mark.slow
def test_a_batch_gives_the_pages_of_single_runs_and_nothing_leaks(workspace, tmp_path):
    root = _leak_workspace(workspace)
    lines = []
    batched = runner.execute(_pages(), tmp_path / "batch", root, jobs=1, progress=lines.append)
    # one lane per page (jobs = pages): every page in a kernel of its own
    single = runner.execute(_pages(reads="all"), tmp_path / "single", root, jobs=len(IDS), progress=None)
    assert all(len(lane) == 1 for lane in runner.lanes(_pages(reads="all"), len(IDS)))
    assert [r.page.name for r in batched] == [r.page.name for r in single] == [f"leak-{m}" for m in IDS]
    assert [ln.split()[1] for ln in lines] == [f"leak-{m}" for m in IDS]           # progress as each page ends
    assert all(PROGRESS.match(ln) and ln.endswith(" ok") for ln in lines)
    for m in IDS:
        a, b = tmp_path / "batch" / f"leak-{m}.ipynb", tmp_path / "single" / f"leak-{m}.ipynb"
        assert _cells(a) == _cells(b), m            # same cells, counts and outputs (chart ids, warnings, ...)
        nb = nbformat.read(a, as_version=4)
        assert nb.metadata["papermill"]["parameters"] == {"municipality_id": m}
        assert nb.metadata["papermill"]["exception"] in (None, False)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert f"page: leak-{m}\n" in text and f"downloads: leak-{m}\n" in text
        assert "shown on every page" in text
        assert (tmp_path / "batch" / "downloads" / f"leak-{m}" / "leak-probe.csv").read_bytes() == \
            (tmp_path / "single" / "downloads" / f"leak-{m}" / "leak-probe.csv").read_bytes()
        from analysis import api
        rows = len(api.load(root, refresh=False).select("budget", municipalities=m))
        assert f"budget rows: {rows}\n" in text      # its own municipality's rows, from the tables kept in the kernel
    assert "budget rows: 0\n" not in _cells(tmp_path / "batch" / "leak-peine.ipynb")


@pytest.mark.slow
def test_a_failing_page_of_a_batch_is_named_and_stops_the_batch(workspace, tmp_path):
    root = _leak_workspace(workspace)
    lines, stopped = [], []
    with pytest.raises(runner.NotebookError) as exc:
        runner.execute(_pages(fail_for="peine"), tmp_path / "out", root, jobs=1, progress=lines.append,
                       failed_dir=tmp_path / "failed", stopped=stopped)
    msg = str(exc.value)
    assert "page 'leak-peine'" in msg and "notebooks/_leak.ipynb" in msg
    assert "ValueError: leak probe asked to fail for peine" in msg and "cell 5 " in msg   # markdown, parameters, setup, warning, then this
    assert exc.value.failure.kept == tmp_path / "failed" / "leak-peine.ipynb"
    assert [ln.split()[1] + " " + ln.split()[-1] for ln in lines] == ["leak-aalborg ok", "leak-peine FAILED"]
    assert not (tmp_path / "out" / "leak-segeberg.ipynb").exists()   # the batch ends at its failure
    assert stopped == []


def _save_probe(root: Path) -> str:
    """A notebook whose second cell reads its own output notebook from disk (parameter `out`)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('out = ""\ndie = False')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell('print("first cell ran")'),
                nbformat.v4.new_code_cell('import json, os\nsaved = json.load(open(out))\n'
                                          'print("on disk:", sum(len(c.get("outputs", [])) for c in saved["cells"]))\n'
                                          'if die:\n    os._exit(3)')]
    nbformat.write(nb, root / "notebooks" / "_save_probe.ipynb")
    return "notebooks/_save_probe.ipynb"


@pytest.mark.slow
def test_a_batch_writes_each_page_at_its_start_and_end_not_at_every_cell(workspace, tmp_path):
    """Papermill's save at every cell's start and end is left out in a batch; the page is written when
    it starts and when it ends, also when its kernel dies (the failure names the page)."""
    nb = _save_probe(workspace)
    out = tmp_path / "out"
    pages = [Page(f"probe-{i}", nb, str(i), parameters={"out": str(out / f"probe-{i}.ipynb")}, reads="municipality")
             for i in range(2)]
    res = runner.execute(pages, out, workspace, jobs=1, progress=None)
    for r in res:
        ran = nbformat.read(r.output, as_version=4)
        # per cell (a loaded kernel may send one print as two stream messages: "first cell ran", "\n")
        text = ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in ran.cells if c.get("outputs")]
        assert text == ["first cell ran\n", "on disk: 0\n"]   # the first cell's output was not saved yet
        assert ran.metadata["papermill"]["exception"] in (None, False)
    dying = [Page("probe-dies", nb, "x", parameters={"out": str(out / "probe-dies.ipynb"), "die": True},
                  reads="municipality")]
    with pytest.raises(runner.NotebookError) as exc:
        runner.execute(dying, out, workspace, jobs=1, progress=None)
    assert "page 'probe-dies'" in str(exc.value)
    written = nbformat.read(out / "probe-dies.ipynb", as_version=4)   # saved when the page ended
    assert written.metadata["papermill"]["parameters"]["die"] is True
    assert [o.get("text") for o in written.cells[2].get("outputs", [])] == ["first cell ran\n"]


class _Channel:
    def __init__(self, msgs):
        self.msgs, self.waits = list(msgs), []

    def get_msg(self, timeout=None):
        from queue import Empty
        self.waits.append(timeout)
        if not self.msgs:
            raise Empty
        return self.msgs.pop(0)


class _Client:
    """What batch._quick_ready uses of a kernel client: kernel_info, the shell and IOPub channels."""

    def __init__(self, shell, iopub):
        self.shell_channel, self.iopub_channel, self.sent, self.handled = _Channel(shell), _Channel(iopub), 0, []

    def kernel_info(self):
        self.sent += 1
        return f"req-{self.sent}"

    def _handle_kernel_info_reply(self, msg):
        self.handled.append(msg)

    async def is_alive(self):
        return True


def _status(state, parent):
    return {"msg_type": "status", "content": {"execution_state": state}, "parent_header": {"msg_id": parent}}


def test_a_page_client_is_ready_at_the_idle_of_its_kernel_info_not_after_a_quiet_iopub():
    from jupyter_core.utils import run_sync

    from analysis.report import batch
    reply = {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": "req-1"}, "content": {}}
    kc = _Client([reply], [_status("busy", "req-1"), _status("idle", "req-1")])
    run_sync(batch._quick_ready)(kc, timeout=5)
    assert kc.handled == [reply] and kc.sent == 1
    assert kc.iopub_channel.waits == [0.2, 0.2, 0]       # busy, idle, then only what is queued: no 0.2 s of quiet
    # IOPub not connected yet (nothing within 0.2 s after the reply): kernel_info again, as jupyter_client does
    kc = _Client([reply, dict(reply, parent_header={"msg_id": "req-2"})], [])
    kc.iopub_channel.msgs = []
    late = [_status("busy", "req-2"), _status("idle", "req-2")]
    get = kc.iopub_channel.get_msg

    def connect_late(timeout=None):
        if kc.sent == 2 and late:
            kc.iopub_channel.msgs.extend(late)
            late.clear()
        return get(timeout)
    kc.iopub_channel.get_msg = connect_late
    run_sync(batch._quick_ready)(kc, timeout=5)
    assert kc.sent == 2 and len(kc.handled) == 1
    # no idle of its request (e.g. an older kernel): ends after 0.2 s without a message, as the original flush
    kc = _Client([reply], [_status("busy", "req-1"), _status("idle", "other")])
    run_sync(batch._quick_ready)(kc, timeout=5)
    assert kc.iopub_channel.waits == [0.2, 0.2, 0.2] and kc.handled == [reply]
