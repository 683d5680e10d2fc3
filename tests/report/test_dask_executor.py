"""analysis.report.dask_executor: the build's units of work as tasks of a local Dask cluster."""
import pytest

from analysis.report import dask_executor, runner
from analysis.report.runner import Page

from test_batch import IDS, _cells, _leak_workspace, _pages  # noqa: F401 (the batch tests' fixture notebook)

pytest.importorskip("distributed")


def test_task_keys_name_the_unit_and_change_with_its_inputs():
    a = dask_executor.task_key(["profile-kiel", "profile-peine"], {"profile-kiel": {"data": "1"}})
    b = dask_executor.task_key(["profile-kiel", "profile-peine"], {"profile-kiel": {"data": "2"}})
    assert a.startswith("page-profile-kiel+1-") and b.startswith("page-profile-kiel+1-") and a != b
    assert dask_executor.task_key(["spending"], None).startswith("page-spending-")


def test_an_unknown_executor_is_refused(workspace, tmp_path):
    with pytest.raises(ValueError, match="unknown executor 'ray'"):
        runner.execute([Page("smoke", "notebooks/_smoke.ipynb", "S")], tmp_path / "out", workspace,
                       progress=None, executor="ray")


@pytest.mark.slow
def test_pages_and_batches_run_on_a_local_dask_cluster_as_with_the_thread_pool(workspace, tmp_path):
    root = _leak_workspace(workspace)
    pages = _pages() + [Page("smoke", "notebooks/_smoke.ipynb", "Smoke", parameters={"factor": 3})]
    lines = []
    on_dask = runner.execute(pages, tmp_path / "dask", root, jobs=2, progress=lines.append, executor="dask",
                             fingerprints={p.name: {"p": p.name} for p in pages})
    local = runner.execute(pages, tmp_path / "local", root, jobs=2, progress=None)
    assert [r.page.name for r in on_dask] == [r.page.name for r in local] == [p.name for p in pages]
    assert sorted(ln.split()[1] for ln in lines) == sorted(p.name for p in pages)
    assert all(ln.endswith(" ok") for ln in lines)
    for m in IDS:
        assert _cells(tmp_path / "dask" / f"leak-{m}.ipynb") == _cells(tmp_path / "local" / f"leak-{m}.ipynb")
    assert (tmp_path / "dask" / "downloads" / "smoke" / "smoke-amounts.csv").read_bytes() == \
        (tmp_path / "local" / "downloads" / "smoke" / "smoke-amounts.csv").read_bytes()


@pytest.mark.slow
def test_a_failing_page_on_dask_is_named_as_with_the_thread_pool(workspace, tmp_path):
    root = _leak_workspace(workspace)
    with pytest.raises(runner.NotebookError) as exc:
        runner.execute(_pages(fail_for="peine"), tmp_path / "out", root, jobs=1, progress=None, executor="dask",
                       failed_dir=tmp_path / "failed")
    assert "page 'leak-peine'" in str(exc.value) and "leak probe asked to fail for peine" in str(exc.value)
    assert exc.value.failure.kept == tmp_path / "failed" / "leak-peine.ipynb"
