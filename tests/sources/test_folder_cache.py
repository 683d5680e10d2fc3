"""The extract cache per municipality folder (`sources/folder_cache.py`): an unchanged folder is
reused, a changed one read again, the tables equal a cold extract's, errors are never stored."""
import pickle
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.contract.errors import InputError
from analysis.sources import extract, folder_cache
from analysis.sources import municipality_tables as mt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from samples.hostile import edit_cell, rules_workspace  # noqa: E402

M = "data/municipalities/musterstadt"
B = "data/municipalities/beispielstadt"


def _two_folders(tmp_path) -> Path:
    """The fixture workspace with musterstadt and a copy of it, beispielstadt (its own ids)."""
    root = rules_workspace(tmp_path)
    shutil.copytree(root / M, root / B)
    for p in (root / B).iterdir():
        p.write_bytes(p.read_bytes().replace(b"musterstadt", b"beispielstadt").replace(b"Musterstadt", b"Beispielstadt"))
    pop = root / "data/reference/population.csv"
    lines = pop.read_text(encoding="utf-8").splitlines()
    pop.write_text("\n".join(lines + [ln.replace("musterstadt", "beispielstadt") for ln in lines
                                      if ln.startswith("musterstadt,")]) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def counted(monkeypatch):
    """The folders whose files the run reads (names, in the order read)."""
    seen = []
    real = mt._read_rows_into

    def spy(folder, root, pending):
        seen.append(Path(folder).name)
        return real(folder, root, pending)

    monkeypatch.setattr(mt, "_read_rows_into", spy)
    return seen


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def _same(a: Path, b: Path) -> None:
    ta, tb = _tables(a), _tables(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=True, obj=name)
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name


def _cold(root: Path, out: Path, monkeypatch) -> None:
    monkeypatch.setenv("ANALYSIS_EXTRACT_CACHE", "0")
    extract.run(root, out_dir=out)
    monkeypatch.delenv("ANALYSIS_EXTRACT_CACHE")


def test_one_changed_folder_is_read_again_and_the_tables_equal_a_cold_extract(tmp_path, counted, monkeypatch):
    root = _two_folders(tmp_path)
    first = extract.run(root)
    assert sorted(counted) == ["beispielstadt", "musterstadt"]
    assert "municipality folders: 0 of 2 reused" in first.summary()
    counted.clear()
    again = extract.run(root)
    assert counted == []
    assert "municipality folders: 2 of 2 reused from data/.extract-cache/ (inputs unchanged), 0 read" in again.summary()
    # one budget amount of beispielstadt changes (a product and its area total, so the sums still hold)
    budget = root / B / "budget.csv"
    edit_cell(budget, 2, "amount", "5,432,101.50")
    edit_cell(budget, 3, "amount", "1,200,001.25")
    counted.clear()
    changed = extract.run(root)
    assert counted == ["beispielstadt"]
    assert "1 of 2 reused from data/.extract-cache/ (inputs unchanged), 1 read: beispielstadt" in changed.summary()
    b = changed.tables["budget"]
    row = b[(b["municipality_id"] == "beispielstadt") & (b["source_ref"] == "budget.csv:3")]
    assert row["amount"].tolist() == [1200001.25]
    _cold(root, tmp_path / "cold", monkeypatch)
    _same(root / "data/processed", tmp_path / "cold")
    assert len(list(folder_cache.cache_dir(root).glob("*.pickle"))) == 2  # the old entry was removed


def test_shared_inputs_and_folder_names_invalidate_every_entry(tmp_path, counted):
    root = _two_folders(tmp_path)
    extract.run(root)
    pop = root / "data/reference/population.csv"
    pop.write_text(pop.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    counted.clear()
    extract.run(root)
    assert sorted(counted) == ["beispielstadt", "musterstadt"]
    (root / "data/municipalities/empty-folder").mkdir()
    counted.clear()
    extract.run(root)
    assert sorted(counted) == ["beispielstadt", "musterstadt"]


def test_an_error_is_never_stored_as_success(tmp_path, counted):
    root = _two_folders(tmp_path)
    extract.run(root)
    edit_cell(root / B / "budget.csv", 3, "amount", "1,2x0,000.25")
    for _ in range(2):  # the second run finds the error again: nothing of the failed folder was stored
        counted.clear()
        with pytest.raises(InputError) as exc:
            extract.run(root)
        assert counted == ["beispielstadt"]
        assert "data/municipalities/beispielstadt/budget.csv:3" in str(exc.value)
        assert "amount" in str(exc.value) and "'1,2x0,000.25'" in str(exc.value)
    key = folder_cache.keys(root, [root / M])["musterstadt"]  # only musterstadt's entry is left
    assert [p.stem for p in folder_cache.cache_dir(root).glob("*.pickle")] == [key]


def test_a_planted_entry_cannot_run_code(tmp_path):
    root = _two_folders(tmp_path)
    key = folder_cache.keys(root, [root / M])["musterstadt"]
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (shutil.copy, (__file__, str(marker)))

    folder_cache.cache_dir(root).mkdir(parents=True)
    (folder_cache.cache_dir(root) / f"{key}.pickle").write_bytes(pickle.dumps({"key": key, "x": Evil()}))
    assert folder_cache.load(root, key) is None
    assert not marker.exists()
    extract.run(root)  # the planted entry is ignored (and replaced)
    assert not marker.exists()
    assert folder_cache.load(root, key)["folder"] == "musterstadt"
