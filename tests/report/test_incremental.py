"""analysis.report.incremental and the incremental build: exactly the pages whose inputs changed run."""
import hashlib
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.contract import fingerprint
from analysis.report import build, incremental, staging
from analysis.report.runner import Page

from conftest import copy_workspace

PAGES = """\
pages:
  - name: rows-all
    notebook: notebooks/_rows.ipynb
    title: All rows
  - name: rows-kiel
    notebook: notebooks/_rows.ipynb
    title: Kiel's rows
    reads: municipality
    parameters: {municipality: kiel}
  - name: rows-peine
    notebook: notebooks/_rows.ipynb
    title: Peine's rows
    reads: municipality
    parameters: {municipality: peine}
  - name: smoke
    notebook: notebooks/_smoke.ipynb
    title: Smoke
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ran(result) -> set[str]:
    return {r.page.name for r in result.results if not r.reused}


def _edit_one_kiel_amount(root: Path) -> None:
    """Add 1000 to the amount of the first social-protection row (Produktbereich 31-35) of Kiel's file."""
    f = root / "data" / "municipalities" / "kiel" / "Haushalt-Kiel-2017.csv"
    lines = f.read_bytes().split(b"\n")
    i = next(i for i, ln in enumerate(lines) if ln.startswith(b"31-35;") and b";Aufwand;" in ln)
    cells = lines[i].split(b";")
    euros, cents = cells[-2].split(b",")
    cells[-2] = str(int(euros) + 1000).encode() + b"," + cents
    lines[i] = b";".join(cells)
    old = _sha(f)
    f.write_bytes(b"\n".join(lines))
    docs = f.parent / "documents.csv"                  # the analyst records the new file's digest
    docs.write_text(docs.read_text(encoding="utf-8").replace(old, _sha(f)), encoding="utf-8")


@pytest.mark.slow
def test_exactly_the_pages_whose_inputs_changed_run_and_are_republished(tmp_path, monkeypatch):
    root = copy_workspace(tmp_path / "ws", notebooks=("_smoke.ipynb", "_rows.ipynb"))
    config = root / "reports" / "pages.yml"
    config.write_text(PAGES, encoding="utf-8")
    site, executed = root / "reports" / "_site", root / "reports" / "_executed"

    def run(**kw):
        lines = []
        result = build.build(root, config=config, jobs=2, publisher="nbconvert", say=lines.append, **kw)
        return result, "\n".join(lines + [result.summary(root)])

    first, _ = run()
    assert _ran(first) == {"rows-all", "rows-kiel", "rows-peine", "smoke"}
    manifest = json.loads((executed / "pages.json").read_text())
    assert manifest["rows-kiel"]["reads"] == "municipality" and manifest["rows-all"]["reads"] == "all"
    html = {p.name: _sha(p) for p in site.glob("*.html")}
    notebooks = {p.name: _sha(p) for p in executed.glob("*.ipynb")}
    kiel_before = (site / "rows-kiel.html").read_text()

    # nothing changed: nothing runs and the published site stays the same folder
    before = staging.identity(root / "reports")
    second, text = run()
    assert _ran(second) == set() and not second.published
    assert staging.identity(root / "reports") == before
    assert "reused (notebook, parameters, code and data unchanged): 4 pages" in text
    assert "nothing changed: reports/_site/ kept as it was" in text

    # one municipality's table changed: its page and the pages reading all data run, Peine's not
    _edit_one_kiel_amount(root)
    third, text = run()
    assert third.extracted
    assert _ran(third) == {"rows-all", "rows-kiel", "smoke"}
    assert "ran because the data it reads changed: 3 pages" in text
    assert "reused (notebook, parameters, code and data unchanged): 1 page (rows-peine)" in text
    assert _sha(executed / "rows-peine.ipynb") == notebooks["rows-peine.ipynb"]
    assert _sha(site / "rows-peine.html") == html["rows-peine.html"]           # kept, not re-rendered
    assert _sha(site / "rows-kiel.html") != html["rows-kiel.html"]
    amounts = [ln for ln in (site / "rows-kiel.html").read_text().splitlines() if "budget rows, amounts" in ln]
    assert amounts and amounts[0] not in kiel_before                          # the new figure is published
    html = {p.name: _sha(p) for p in site.glob("*.html")}

    # a notebook changed: the pages of that notebook run, no other
    nb = nbformat.read(root / "notebooks" / "_smoke.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("One more cell."))
    nbformat.write(nb, root / "notebooks" / "_smoke.ipynb")
    fourth, text = run()
    assert _ran(fourth) == {"smoke"} and "ran because its notebook changed: 1 page (smoke)" in text
    assert _sha(site / "rows-all.html") == html["rows-all.html"]

    # the code (or a library version) changed: every page runs
    monkeypatch.setattr(fingerprint, "code_version", lambda: "another version")
    fifth, text = run()
    assert _ran(fifth) == {"rows-all", "rows-kiel", "rows-peine", "smoke"}
    assert "ran because the code or a library version changed: 4 pages" in text

    # --force runs every page even when nothing changed
    sixth, text = run(force=True)
    assert _ran(sixth) == {"rows-all", "rows-kiel", "rows-peine", "smoke"} and "ran because --force" in text


def _processed(root: Path, budget: pd.DataFrame) -> None:
    folder = root / "data" / "processed"
    folder.mkdir(parents=True)
    budget.to_parquet(folder / "budget.parquet")
    budget.to_csv(folder / "budget.csv", index=False)
    (folder / "metadata.json").write_text(json.dumps({"fingerprint": _sha_text(budget.to_csv())}))


def _sha_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_data_digests_change_for_exactly_the_municipality_whose_rows_changed(tmp_path):
    budget = pd.DataFrame({"municipality_id": ["a", "a", "b"], "amount": [1.0, 2.0, 3.0]})
    _processed(tmp_path / "one", budget)
    _processed(tmp_path / "two", budget.assign(amount=[1.0, 2.5, 3.0]))
    one, two = incremental.data_digests(tmp_path / "one"), incremental.data_digests(tmp_path / "two")
    assert one["by_municipality"]["b"] == two["by_municipality"]["b"]
    assert one["by_municipality"]["a"] != two["by_municipality"]["a"]
    assert one["all"] != two["all"] and one["shared"] == two["shared"]
    assert json.loads((tmp_path / "one" / "reports" / ".cache" / "digests.json").read_text())["by_municipality"] \
        == one["by_municipality"]                                              # cached per extract fingerprint


def test_a_profile_depends_on_its_municipality_and_its_standing_only():
    digests = {"all": "ALL", "shared": "S", "by_municipality": {"a": "A", "b": "B"}}
    page = Page("profile-a", "notebooks/x.ipynb", "A", parameters={"municipality": "a"}, reads="municipality")
    standing = {(json.dumps("latest"), json.dumps("most_realised")): {"a": "standing of a"}}
    fp = incremental.page_fingerprint(page, Path("/nowhere"), digests, "R", standing)
    assert fp["reads"] == "municipality"
    assert incremental.page_fingerprint(page, Path("/nowhere"), {**digests, "all": "OTHER",
                                        "by_municipality": {"a": "A", "b": "B2"}}, "R", standing)["data"] == fp["data"]
    assert incremental.page_fingerprint(page, Path("/nowhere"), {**digests, "by_municipality": {"a": "A2"}},
                                        "R", standing)["data"] != fp["data"]
    changed = {k: {"a": "standing of a, changed"} for k in standing}
    assert incremental.page_fingerprint(page, Path("/nowhere"), digests, "R", changed)["data"] != fp["data"]
    # without a municipality parameter, or without `reads`, a page reads all data
    assert fp["groups"] is None                                             # no reports/groups.yml
    everything = Page("x", "notebooks/x.ipynb", "X", parameters={"municipality": "a"})
    assert incremental.page_fingerprint(everything, Path("/nowhere"), digests, "R", standing)["reads"] == "all"


def test_why_a_page_runs_names_the_first_part_that_changed():
    now = {"notebook": "n", "notebook_sha256": "s", "parameters": {}, "reads": "all", "code": "c",
           "reference": "r", "data": "d"}
    assert incremental.why_stale(None, now, True) == "it was not built before"
    assert incremental.why_stale(now, now, False) == "its executed notebook is missing"
    assert incremental.why_stale(now, now, True) is None
    assert incremental.why_stale({**now, "reference": "old"}, now, True) == "data/reference/ changed"
    assert incremental.why_stale({**now, "parameters": {"a": 1}}, now, True) == "its parameters changed"
    assert incremental.why_stale(now, {**now, "groups": "sha of a new reports/groups.yml"}, True) == \
        "reports/groups.yml changed"
    lines = incremental.summarise({"reused": [f"p{i}" for i in range(500)], "ran because x": ["p1"]})
    assert lines == ["reused: 500 pages (p0, p1, p2, p3 and 496 more)", "ran because x: 1 page (p1)"]
