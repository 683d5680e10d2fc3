"""End to end: `analysis extract` over the five documents, and its failure behaviour."""
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.contract import schema
from analysis.contract.errors import InputError
from analysis.sources import extract

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return extract.run(ROOT, out_dir=tmp_path_factory.mktemp("x") / "processed")


def _workspace(tmp_path):
    for sub in ("data/raw", "data/municipalities", "data/reference", "data/curated"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    return tmp_path


def test_all_tables_written_as_csv_and_parquet(result):
    for name in extract.OUTPUT_TABLES:
        csv = pd.read_csv(result.out_dir / f"{name}.csv")
        pq = pd.read_parquet(result.out_dir / f"{name}.parquet")
        assert list(csv.columns) == list(pq.columns)
        assert list(pq.columns[: len(schema.COLUMNS[name])]) == schema.COLUMNS[name]
        assert len(csv) == len(pq) == len(result.tables[name])
    assert (result.out_dir / "metadata.json").exists()
    assert (result.out_dir / "unassigned_items.csv").exists()


def test_every_municipality_has_data(result):
    t = result.tables
    assert set(t["municipalities"]["municipality_id"]) == {"peine", "magdeburg", "berlin-neukoelln", "aalborg", "segeberg",
                                                            "kiel", "freiburg"}
    assert set(t["budget"]["municipality_id"]) == {"peine", "aalborg", "kiel", "freiburg"}
    assert set(t["indicators"]["municipality_id"]) == {"peine", "aalborg"}
    assert set(t["goals"]["municipality_id"]) == {"peine", "magdeburg", "berlin-neukoelln", "aalborg", "segeberg"}


def test_every_row_has_a_source_ref_pointing_to_a_real_line(result):
    raw = {p.name: p.read_text(encoding="utf-8").split("\n") for p in (ROOT / "data/raw").glob("*.txt")}
    # the published budget files in the municipalities' folders (Kiel, Freiburg): every line of a range
    raw |= {p.name: p.read_bytes().split(b"\r\n") for p in (ROOT / "data/municipalities").glob("*/*.csv")
            if p.name != "documents.csv"}
    for name in ("budget", "indicators", "goals", "budget_changes"):
        refs = result.tables[name]["source_ref"]
        assert refs.notna().all(), name
        for ref in refs.unique():
            file, lines = ref.rsplit(":", 1)
            assert file in raw, ref
            if file.endswith(".txt"):  # a document's text: the first line of a range holds the figure
                first = int(lines.split("-")[0])
                assert 1 <= first <= len(raw[file]) and raw[file][first - 1].strip(), ref
                continue
            for part in lines.split(","):  # rows summed from a published file: every one of them
                first, _, last = part.partition("-")
                for n in range(int(first), int(last or first) + 1):
                    assert 1 <= n <= len(raw[file]) and raw[file][n - 1].strip(), ref


def test_documents_own_totals(result):
    b = result.tables["budget"]
    peine = b[(b.municipality_id == "peine") & (b.level == "product") & (b.period == "2024")]
    soziales = peine[peine.org_unit.str.contains("Soziales")]
    assert soziales[soziales.phase == "original_budget"]["amount"].sum() == pytest.approx(17_152_700)
    assert soziales[soziales.phase == "forecast"]["amount"].sum() == pytest.approx(16_983_000)


def test_categories_assigned_to_every_product_and_indicator(result):
    b = result.tables["budget"]
    products = b[b.level == "product"]
    assert products["category"].notna().all()
    assert len(result.unassigned) == 0
    ind = result.tables["indicators"].set_index(["municipality_id", "item_code", "indicator"])
    assert result.tables["indicators"]["category"].notna().all()
    assert ind.loc[("peine", "3118", "Fälle"), "category"].iloc[0] == "10.2"          # Hilfe zur Pflege: old age
    assert set(ind.loc[("aalborg", "BU", "Dækningsgrad 0-2 år"), "category"]) == {"10.4"}


def test_quality_table_reports_the_contradictions(result):
    q = result.tables["quality"]
    contra = q[q.status == "contradiction"]
    assert {"peine", "aalborg"} <= set(contra["municipality_id"])
    assert "peine_produktbericht_2024-06.txt:338" in set(contra["source_ref"])  # 41405: 292 % for 200 -> 292
    assert (q["status"] == "pass").sum() > 500


def test_summary_counts_rows_and_checks(result):
    text = result.summary()
    assert "peine" in text and "aalborg" in text and "quality checks:" in text


def test_staleness(tmp_path):
    root = _workspace(tmp_path)
    assert extract.is_stale(root)
    assert extract.ensure(root) is True
    assert not extract.is_stale(root)
    assert extract.ensure(root) is False
    (root / "data/reference/population.csv").write_text(
        (root / "data/reference/population.csv").read_text() + "\n")
    assert extract.is_stale(root)


def test_bad_input_names_the_place_and_keeps_the_previous_output(tmp_path, capsys):
    root = _workspace(tmp_path)
    extract.run(root)
    before = (root / "data/processed/budget.csv").read_bytes()
    peine = root / "data/raw/peine_produktbericht_2024-06.txt"
    lines = peine.read_text(encoding="utf-8").split("\n")
    lines[285] = lines[285].replace("-3.932.200", "-3.93x.200")
    peine.write_text("\n".join(lines), encoding="utf-8")
    # the document list pins the hash: first the immutability check speaks
    assert cli.main(["--root", str(root), "extract"]) == 2
    err = capsys.readouterr().err
    assert "documents.csv:2" in err and "sha256" in err and "previous outputs are kept" in err
    # with the hash updated (a deliberately replaced document), the parser names line and column
    docs = root / "data/raw/documents.csv"
    from analysis.sources.registry import sha256
    text = docs.read_text(encoding="utf-8")
    old = "1c0b87f8d89fe2c4c5fc4c5fa3de7bd6687c00b40773db09370f72fba2e9861f"
    docs.write_text(text.replace(old, sha256(peine)), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        extract.run(root)
    assert "peine_produktbericht_2024-06.txt:286" in str(exc.value)
    assert "'-3.93x.200'" in str(exc.value)
    assert (root / "data/processed/budget.csv").read_bytes() == before
    assert not list((root / "data").glob(".processed-*"))


def test_cli_extract_prints_the_summary(tmp_path, capsys):
    root = _workspace(tmp_path)
    assert cli.main(["--root", str(root), "extract"]) == 0
    out = capsys.readouterr().out
    assert "rows per municipality and table" in out and "contradiction" in out
    assert (root / "data/processed/goals.parquet").exists()


# --- faults (issue 12): kill -9, the swap, leftovers, the lock -------------------------------

KILLAT = ROOT / "tests" / "fixtures" / "killat.py"


def _small(tmp_path):
    """The fictitious musterstadt with the real reference data: an extract of about a second."""
    from conftest import fixture_workspace
    root = fixture_workspace(tmp_path, with_musterstadt=True)
    shutil.rmtree(root / "data/reference")
    shutil.copytree(ROOT / "data/reference", root / "data/reference")
    return root


def _complete(folder) -> bool:
    """data/processed/ as extract writes it: every table as CSV and Parquet, and metadata.json."""
    names = {f"{n}.{ext}" for n in extract.OUTPUT_TABLES for ext in ("csv", "parquet")} | {"metadata.json"}
    return folder.is_dir() and names <= {p.name for p in folder.iterdir()}


def _fingerprint_of(folder) -> str:
    import json
    return json.loads((folder / "metadata.json").read_text())["fingerprint"]


def test_data_processed_is_complete_at_every_step_of_the_swap(tmp_path, monkeypatch):
    """F2: no moment without a complete data/processed/ (checked after every rename of the write)."""
    import os
    root = _small(tmp_path)
    result = extract.build_tables(root)
    out = root / "data/processed"
    extract.write(result, out, root)
    steps = []
    from analysis.contract import folders
    for owner, name in ((os, "rename"), (os, "replace"), (Path, "rename"), (Path, "replace"),
                        (folders, "exchange")):
        real = getattr(owner, name)

        def wrapped(*a, _real=real, _name=name, **kw):
            value = _real(*a, **kw)
            steps.append((_name, _complete(out)))
            return value
        monkeypatch.setattr(owner, name, wrapped)
    extract.write(result, out, root)
    assert steps and all(ok for _, ok in steps), steps


KILLS = [  # point, data/processed/ after the kill: the previous one (old) or the new one
    ("in-processed-write", "old"),
    ("after-processed-swap", "new"),
    ("in-processed-old-removal", "new"),
]


@pytest.mark.parametrize("point, after", KILLS, ids=[k[0] for k in KILLS])
def test_kill_9_during_extract_leaves_a_complete_data_processed(tmp_path, point, after):
    import os
    import subprocess
    import sys
    root = _small(tmp_path)
    extract.run(root)
    out = root / "data/processed"
    old = _fingerprint_of(out)
    (root / "data/reference/population.csv").write_text(
        (root / "data/reference/population.csv").read_text() + "\n")
    new = extract.fingerprint(root)
    run = subprocess.run([sys.executable, str(KILLAT), point, "--root", str(root), "extract"],
                         env={**os.environ, "ANALYSIS_ROOT": str(root)}, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == -9, run.stderr[-2000:]
    assert _complete(out) and _fingerprint_of(out) == {"old": old, "new": new}[after]
    left = sorted(p.name for p in (root / "data").iterdir() if p.name.startswith(".processed-"))
    assert left
    # the next extract removes them and says so in one line
    result = extract.run(root)
    notes = [n for n in result.notes if n.startswith("note: removed")]
    assert len(notes) == 1 and all(f"data/{name}/" in notes[0] for name in left)
    assert "interrupted" in notes[0]
    assert not [p for p in (root / "data").iterdir() if p.name.startswith(".processed-")]
    assert _complete(out) and _fingerprint_of(out) == new


def test_extract_waits_for_the_lock_or_exits_with_no_wait(tmp_path, capsys):
    import subprocess
    import sys
    import threading
    from analysis.contract import lock
    root = _small(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys; from analysis.contract import lock\n"
                               f"with lock.workspace_lock({str(root)!r}, 'analysis build', say=print):\n"
                               "    print('held', flush=True); sys.stdin.readline()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert cli.main(["--root", str(root), "extract", "--no-wait"]) == 1
        err = capsys.readouterr().err
        assert f"another analysis build is running in this workspace (pid {holder.pid}, since " in err
        assert not (root / "data/processed").exists()
        threading.Timer(2.0, lambda: holder.communicate("go\n")).start()   # the holder ends in 2 s
        assert cli.main(["--root", str(root), "extract"]) == 0              # waits, then extracts
        err = capsys.readouterr().err
        assert f"waiting: another analysis build is running in this workspace (pid {holder.pid}" in err
        assert holder.poll() is not None and _complete(root / "data/processed")
    finally:
        holder.kill()
    assert lock.LOCK_FILE not in {p.name for p in root.iterdir()}
