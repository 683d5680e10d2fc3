"""Charts and downloads of a notebook opened in JupyterLab (analysis.report.offline): drawn with
the workspace's own Vega bundle, which Lab serves from notebooks/assets/, and downloads written to
notebooks/downloads/<notebook>/ with links relative to the notebook. The site's own outputs are
tested in test_publish.py; the whole of it in a real JupyterLab in test_lab.py."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from analysis.report import offline

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lab_kernel(tmp_path, monkeypatch):
    """A kernel as JupyterLab starts it for notebooks/spending_structure.ipynb of a workspace copy."""
    root = tmp_path / "ws"
    (root / "notebooks").mkdir(parents=True)
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    monkeypatch.chdir(root / "notebooks")
    monkeypatch.setenv(offline.ENV_LAB_SESSION, str(root / "notebooks" / "spending_structure.ipynb"))
    for var in (offline.ENV_SITE_BUILD, offline.ENV_PAGE, offline.ENV_DOWNLOADS):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(offline, "_in_interactive_kernel", lambda: True)
    offline._lab_copied.clear()
    offline.enable()
    yield root
    offline.enable()


def _bundle(chart) -> dict:
    bundle = chart._repr_mimebundle_()
    return bundle[0] if isinstance(bundle, tuple) else bundle


def test_lab_charts_draw_with_the_workspace_bundle_served_next_to_the_notebook(lab_kernel):
    assert offline.in_lab()
    chart = alt.Chart(pd.DataFrame({"a": ["</script><b>x"], "v": [1.5]})).mark_bar().encode(x="a:N", y="v:Q")
    first, second = _bundle(chart), _bundle(chart)
    html = first["text/html"]
    # the bundle the site uses (Vega-Lite 6.4.1, as the spec), copied where Lab serves the notebook's folder
    copy = lab_kernel / "notebooks" / "assets" / "vega-bundle.js"
    assert copy.read_bytes() == offline.bundle_path().read_bytes()
    assert '<a id="' in html and 'href="assets/vega-bundle.js" download hidden></a>' in html
    assert "window.vegaEmbed(el, spec, opts)" in html and 'el.closest(".jp-OutputArea")' in html
    # the spec is the Vega-Lite 6 spec Altair wrote, kept whole and unable to end the script
    spec = first["application/vnd.vegalite.v5+json"]
    assert spec["$schema"] == f"https://vega.github.io/schema/vega-lite/{alt.SCHEMA_VERSION}.json"
    assert "</script><b>" not in html and "\\u003c/script\\u003e\\u003cb\\u003ex" in html
    assert html.count("<script") == 1
    # every output has its own element ids (two notebooks may show the same chart in one Lab page)
    ids = re.findall(r'<div id="(lab-chart-[0-9a-f]+)"', html + second["text/html"])
    assert len(ids) == 2 and ids[0] != ids[1]
    # and it is not the site's HTML, which loads assets/vega-bundle.js relative to the page
    assert "analysis-vega-bundle" not in offline.chart_html(spec)


def test_lab_bundle_is_copied_again_when_it_differs(lab_kernel):
    copy = offline.lab_bundle()
    copy.write_text("stale", encoding="utf-8")
    offline._lab_copied.clear()              # a new kernel
    assert offline.lab_bundle().read_bytes() == offline.bundle_path().read_bytes()
    assert [p.name for p in copy.parent.iterdir()] == ["vega-bundle.js"]   # no temporary file left


def test_lab_bundle_link_is_relative_to_the_kernels_folder(lab_kernel, monkeypatch):
    monkeypatch.chdir(lab_kernel)            # e.g. Lab opened on the workspace, a console at its root
    assert 'href="notebooks/assets/vega-bundle.js"' in offline.renderer({"mark": "bar"})["text/html"]


def test_site_build_keeps_the_site_html(lab_kernel, monkeypatch):
    monkeypatch.setenv(offline.ENV_SITE_BUILD, "1")     # `analysis build` started by a Lab kernel
    monkeypatch.setattr(offline, "_in_interactive_kernel", lambda: False)
    html = offline.renderer({"mark": "bar"})["text/html"]
    assert html == offline.chart_html({"mark": "bar"}, element_id=re.search(r'id="([^"]+)"', html).group(1))


def test_lab_downloads_are_written_next_to_the_notebook(lab_kernel):
    df = pd.DataFrame({"municipality": ["Peine", "Aalborg"], "amount": [1234.5, None]})
    links = offline.offer_download(df, "plan vs outturn", title="Plan", display=False)
    assert links.hrefs == ["downloads/spending_structure/plan-vs-outturn.csv",
                           "downloads/spending_structure/plan-vs-outturn.xlsx"]
    here = lab_kernel / "notebooks"
    assert [p.parent for p in links.files] == [here / "downloads" / "spending_structure"] * 2
    assert (here / links.hrefs[0]).read_text().splitlines() == ["municipality,amount", "Peine,1234.5", "Aalborg,"]
    assert 'href="downloads/spending_structure/plan-vs-outturn.csv" download' in links._repr_html_()


def test_downloads_outside_jupyterlab_and_the_build(lab_kernel, monkeypatch):
    monkeypatch.delenv(offline.ENV_LAB_SESSION)          # papermill by hand, run from the workspace root
    monkeypatch.chdir(lab_kernel)
    links = offline.offer_download(pd.DataFrame({"a": [1]}), "t", display=False)
    assert links.hrefs == ["notebooks/downloads/interactive/t.csv", "notebooks/downloads/interactive/t.xlsx"]
    assert (lab_kernel / links.hrefs[0]).exists()


def test_what_a_notebook_writes_in_jupyterlab_is_ignored_by_git():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git checkout")
    paths = ["notebooks/assets/vega-bundle.js", "notebooks/downloads/spending_structure/coverage.csv",
             "notebooks/downloads/interactive/t.xlsx"]
    out = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", *paths],
                         capture_output=True, text=True)
    assert out.stdout.split() == paths
    tracked = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", "notebooks/spending_structure.ipynb",
                              "notebooks/spending_structure.py"], capture_output=True, text=True)
    assert tracked.stdout == ""


def test_renderer_sends_missing_values_as_null_not_nan():
    """A NaN in a chart's data would make the kernel's message invalid JSON (JupyterLab warns)."""
    import json
    bundle = offline.renderer({"data": {"values": [{"a": float("nan"), "b": [1.5, float("inf")]}]}})
    for mime in offline.VEGALITE_MIME_TYPES:
        assert json.loads(json.dumps(bundle[mime], allow_nan=False)) == {"data": {"values": [{"a": None, "b": [1.5, None]}]}}


def test_a_site_build_shows_charts_as_altair_does_without_checking_them_again(monkeypatch):
    """In a kernel of `analysis build` a chart's bundle is Altair's own, but its spec is not checked
    against the Vega-Lite schema again (the chart modules' tests check every chart's spec)."""
    from altair.utils import schemapi
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    formatter = shell.display_formatter.mimebundle_formatter
    monkeypatch.setenv(offline.ENV_SITE_BUILD, "1")
    df = pd.DataFrame({"a": ["x", "y"], "v": [1.5, None]})
    chart = alt.Chart(df).mark_bar().encode(x="a:N", y="v:Q", tooltip=[alt.Tooltip("v:Q", format=",.1f")]) + \
        alt.Chart(df).mark_text().encode(x="a:N", text="v:Q")
    try:
        offline.enable()
        assert formatter.lookup(chart) is offline.chart_bundle and not schemapi.DEBUG_MODE
        assert alt.theme.active == "default"      # as in a new kernel: not the previous page's theme
        offline.new_page()
        shown, _ = shell.display_formatter.format(chart)
        offline.new_page()
        assert shown == _bundle(chart) and "text/html" in shown        # what Altair itself shows

        def checked(*args, **kwargs):
            raise AssertionError("the spec was checked against the schema")
        monkeypatch.setattr(schemapi, "validate_jsonschema", checked)
        offline.new_page()
        assert shell.display_formatter.format(chart)[0] == shown
        with pytest.raises(AssertionError, match="checked"):
            chart.to_dict()                                              # Altair's own path checks it
    finally:
        formatter.pop(alt.TopLevelMixin, None)
        schemapi.enable_debug_mode()
        monkeypatch.delenv(offline.ENV_SITE_BUILD)
        offline.enable()
        offline.new_page()
        from analysis.report import charts
        charts.enable("de")                      # a site build's enable() left Altair's own theme on
