"""analysis.contract.folders: a folder replaced in one step, and the leftovers of interrupted runs."""
import threading

from analysis.contract import folders


def _folder(path, text):
    path.mkdir()
    (path / "marker.txt").write_text(text)
    return path


def test_exchange_puts_the_new_folder_in_place_and_the_old_one_where_the_new_was(tmp_path):
    target, new = _folder(tmp_path / "processed", "old"), _folder(tmp_path / ".processed-x", "new")
    assert folders.exchange(new, target) is True
    assert (target / "marker.txt").read_text() == "new" and (new / "marker.txt").read_text() == "old"
    fresh = _folder(tmp_path / ".processed-y", "first")
    assert folders.exchange(fresh, tmp_path / "other") is False and not fresh.exists()


def test_a_reader_never_finds_the_target_missing(tmp_path):
    target = _folder(tmp_path / "processed", "0")
    missing = []
    done = threading.Event()

    def read():
        while not done.is_set():
            if not (target / "marker.txt").exists():
                missing.append(1)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(300):
            new = _folder(tmp_path / f".processed-{i}", str(i))
            folders.exchange(new, target)
            folders.remove([new])
    finally:
        done.set()
        reader.join()
    assert (target / "marker.txt").read_text() == "299"
    assert missing == []


def test_leftovers_are_the_staging_folders_by_prefix(tmp_path):
    for name in (".site-abc", ".site-old-site-12", ".site-failed", ".processed-x", "_site", "keep"):
        (tmp_path / name).mkdir()
    found = folders.leftovers(tmp_path, (".site-", ".processed-"), keep={".site-failed"})
    assert [p.name for p in found] == [".processed-x", ".site-abc", ".site-old-site-12"]
    assert folders.describe(found, tmp_path.parent) == ", ".join(
        f"{tmp_path.name}/{n}/" for n in (".processed-x", ".site-abc", ".site-old-site-12"))


def test_without_the_one_step_call_two_renames_do_it_and_an_interruption_is_repaired(tmp_path, monkeypatch):
    monkeypatch.setattr(folders, "_EXCHANGE_CALL", None)          # another system: no renameat2
    target, new = _folder(tmp_path / "processed", "old"), _folder(tmp_path / ".processed-x", "new")
    assert folders.exchange(new, target) is True
    assert (target / "marker.txt").read_text() == "new" and (new / "marker.txt").read_text() == "old"
    # killed between the two renames: the target is missing, the previous one set aside
    target.rename(tmp_path / ".processed-y-previous")
    assert folders.recover(target, ".processed-") == tmp_path / ".processed-y-previous"
    assert (target / "marker.txt").read_text() == "new"
    assert folders.recover(target, ".processed-") is None          # nothing to repair
