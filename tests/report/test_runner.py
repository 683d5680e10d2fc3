"""analysis.report.runner: Papermill runs in child processes, parameters from YAML, failures named."""
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.contract.errors import InputError
from analysis.report import runner
from analysis.report.runner import Page


def _stdout(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")


def _outputs(path: Path) -> list[dict]:
    nb = nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


@pytest.mark.slow
def test_smoke_notebook_with_defaults_and_with_parameters(workspace, tmp_path):
    odd = 'It\'s "odd": {x} ü\n\\n'
    pages = [Page("smoke", "notebooks/_smoke.ipynb", "Defaults"),
             Page("smoke-three", "notebooks/_smoke.ipynb", "Three",
                  parameters={"factor": 3, "label": odd, "municipality_id": "aalborg"})]
    lines = []
    results = runner.execute(pages, tmp_path / "out", workspace, jobs=2, progress=lines.append)

    assert [r.page.name for r in results] == ["smoke", "smoke-three"]
    assert sorted(ln.split()[1] for ln in lines) == ["smoke", "smoke-three"]
    assert all(ln.startswith(("[1/2] ", "[2/2] ")) and ln.endswith(" ok") for ln in lines)
    default = _stdout(tmp_path / "out" / "smoke.ipynb")
    three = _stdout(tmp_path / "out" / "smoke-three.ipynb")
    # 1.5+2.0+2.5 = 6 times factor: 2 by default, the int 3 from the YAML parameters file
    assert "total amount: 12.00" in default
    assert "total amount: 18.00" in three
    assert f"label: {odd!r}" in three                       # the string arrived unchanged
    assert "Aalborg Kommune" in three and "Landkreis Peine" in default
    # the kernel is this interpreter and sees the workspace it was given
    assert f"kernel: {sys.executable}\n" in default
    assert f"root: {workspace.resolve()}\n" in default
    # the chart carries Vega-Lite (JupyterLab) and text/html (published site)
    charts = [o for o in _outputs(tmp_path / "out" / "smoke.ipynb") if "application/vnd.vegalite.v5+json" in o.get("data", {})]
    assert len(charts) == 1
    html = charts[0]["data"]["text/html"]
    assert "vegaEmbed" in html and "vega-bundle.js" in html and '"amount":3.0' in html.replace(" ", "")
    # downloads land next to the executed notebook, one folder per page
    for name in ("smoke", "smoke-three"):
        assert (tmp_path / "out" / "downloads" / name / "smoke-amounts.csv").exists()
        assert (tmp_path / "out" / "downloads" / name / "smoke-amounts.xlsx").exists()
    assert (tmp_path / "out" / "downloads" / "smoke-three" / "smoke-amounts.csv").read_text().splitlines()[1] == "2022,4.5"


@pytest.mark.slow
def test_a_notebook_that_raises_is_named_with_its_cell_and_error(workspace, tmp_path):
    page = Page("broken", "notebooks/_smoke.ipynb", "Broken", parameters={"fail": True, "label": "on purpose"})
    with pytest.raises(runner.NotebookError) as exc:
        runner.execute([page], tmp_path / "out", workspace, progress=None, failed_dir=tmp_path / "failed")
    msg = str(exc.value)
    assert "notebooks/_smoke.ipynb" in msg and "page 'broken'" in msg
    assert "parameters: fail=True, label='on purpose'" in msg
    assert "cell 5 " in msg and "if fail:" in msg          # markdown, parameters, setup, data, then this
    assert "ValueError: smoke notebook asked to fail (on purpose)" in msg
    kept = exc.value.failure.kept
    assert kept == tmp_path / "failed" / "broken.ipynb" and kept.exists()
    assert isinstance(exc.value, InputError)                # the CLI reports it as a clean error


def _executed(cells, exception=False):
    nb = new_notebook(cells=cells)
    nb.metadata["papermill"] = {"exception": exception}
    return nb


def test_failure_of_counts_cells_of_the_source_notebook(tmp_path):
    injected = new_code_cell("factor = 3", metadata={"tags": ["injected-parameters"]})
    marker = new_markdown_cell("An Exception was encountered", metadata={"tags": ["papermill-error-cell-tag"]})
    bad = new_code_cell("x = 1\nraise KeyError('budget')")
    bad.outputs = [new_output("error", ename="KeyError", evalue="'budget'", traceback=["\x1b[31mKeyError\x1b[0m"])]
    nb = _executed([marker, new_markdown_cell("intro"), new_code_cell("factor = 2", metadata={"tags": ["parameters"]}),
                    injected, bad], exception=True)
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    failure = runner.failure_of(path, Page("x", "notebooks/x.ipynb", "X", parameters={"factor": 3}))
    assert (failure.cell, failure.source, failure.ename, failure.evalue) == (3, "x = 1", "KeyError", "'budget'")
    assert "cell 3 (counting cells from 1): x = 1" in failure.message()
    assert "error: KeyError: 'budget'" in failure.message() and "parameters: factor=3" in failure.message()


def test_failure_of_reports_the_papermill_flag_without_error_output(tmp_path):
    path = tmp_path / "x.ipynb"
    nbformat.write(_executed([new_code_cell("1")], exception=True), path)
    assert runner.failure_of(path, Page("x", "x.ipynb", "X")).ename == "papermill"
    nbformat.write(_executed([new_code_cell("1")], exception=False), path)
    assert runner.failure_of(path, Page("x", "x.ipynb", "X")) is None


def test_the_kernel_is_this_interpreter(tmp_path):
    spec = json.loads((runner.write_kernelspec(tmp_path) / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and "{connection_file}" in spec["argv"]
    assert (tmp_path / "kernels" / "python3" / "kernel.json").exists()


def test_a_missing_notebook_is_refused_before_anything_runs(workspace, tmp_path):
    with pytest.raises(InputError, match="notebook not found"):
        runner.execute([Page("x", "notebooks/nope.ipynb", "X")], tmp_path / "out", workspace, progress=None)
    assert not (tmp_path / "out" / "x.ipynb").exists()


def test_parameter_names_are_read_from_the_parameters_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [new_code_cell("x = 1"),
                new_code_cell("municipalities = 'all'\nbase_year: int = 2024\na, b = 1, 2  # two at once",
                              metadata={"tags": ["parameters"]})]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert runner.parameter_names(path) == ["municipalities", "base_year", "a", "b"]
    nb.cells[1].metadata["tags"] = []
    nbformat.write(nb, path)
    assert runner.parameter_names(path) is None


def test_lanes_run_the_longest_pages_first_balanced_over_the_jobs():
    profiles = [Page(f"profile-{i}", "notebooks/profile.ipynb", str(i), reads="municipality") for i in range(4)]
    others = [Page(n, f"notebooks/{n}.ipynb", n) for n in ("spending", "goals", "indicators", "methods")]
    pages = others[:1] + profiles + others[1:]
    lanes = runner.lanes(pages, jobs=2)   # no seconds recorded: comparison pages count 4, profiles 1
    assert len(lanes) == 2 and sorted(p.name for lane in lanes for p in lane) == sorted(p.name for p in pages)
    assert [[p.name for p in lane] for lane in lanes] == [
        ["spending", "indicators", "profile-0", "profile-2"], ["goals", "methods", "profile-1", "profile-3"]]
    seconds = {"spending": 9.0, "goals": 2.0, "indicators": 2.0, "methods": 3.0}
    lanes = runner.lanes(pages, jobs=2, seconds=seconds)   # the last build's seconds decide
    assert [[p.name for p in lane] for lane in lanes] == [
        ["spending", "profile-2"], ["methods", "goals", "indicators", "profile-0", "profile-1", "profile-3"]]
    assert [len(lane) for lane in runner.lanes(profiles[:2], jobs=4)] == [1, 1]   # min(jobs, pages) lanes
    assert [len(lane) for lane in runner.lanes(pages, jobs=1)] == [8]
    assert runner.lanes([], jobs=2) == []


def test_a_lane_runs_the_pages_of_each_notebook_folder_in_a_kernel_of_its_own():
    pages = [Page("a", "notebooks/a.ipynb", "A"), Page("t", "tests/t.ipynb", "T"), Page("b", "notebooks/b.ipynb", "B")]
    (lane,) = runner.lanes(pages, jobs=1)
    assert [p.name for p in lane] == ["a", "b", "t"]     # one folder's pages next to each other
    assert [[p.name for p in run] for run in runner._by_folder(lane)] == [["a", "b"], ["t"]]


@pytest.mark.slow
def test_pages_of_different_notebooks_in_one_lane_give_the_outputs_of_runs_of_their_own(workspace, tmp_path):
    """A lane runs a chart page and another notebook's page in one kernel (reset between them):
    their cells, execution counts, chart outputs and downloads are those of a Papermill run each."""
    import re
    import shutil
    shutil.copyfile(Path(__file__).parents[1] / "fixtures" / "notebooks" / "_leak.ipynb",
                    workspace / "notebooks" / "_leak.ipynb")
    from analysis.sources import extract
    extract.run(workspace)
    pages = [Page("smoke", "notebooks/_smoke.ipynb", "S", parameters={"factor": 3}),
             Page("leak-peine", "notebooks/_leak.ipynb", "P", parameters={"municipality_id": "peine"})]
    runner.execute(pages, tmp_path / "lane", workspace, jobs=1, progress=None)   # one lane, one kernel
    for p in pages:
        runner.write_kernelspec(tmp_path / "alone" / ".work" / "jupyter")
        seconds, failure = runner.run_one(p, workspace, tmp_path / "alone", tmp_path / "alone" / ".work")
        assert failure is None

    def cells(path):
        nb = nbformat.read(path, as_version=4)
        text = json.dumps([{"source": c.source, "count": c.get("execution_count"), "outputs": c.get("outputs")}
                           for c in nb.cells], sort_keys=True, default=str)
        return re.sub(r"ipykernel_\d+", "ipykernel_PID", text)
    for p in pages:
        assert cells(tmp_path / "lane" / f"{p.name}.ipynb") == cells(tmp_path / "alone" / f"{p.name}.ipynb"), p.name
    for f in (tmp_path / "alone" / "downloads").rglob("*.csv"):
        assert (tmp_path / "lane" / f.relative_to(tmp_path / "alone")).read_bytes() == f.read_bytes()
