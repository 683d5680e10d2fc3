import os
import shutil

from analysis.contract import file_state


def test_folder_key_changes_with_a_file_the_folder_or_a_link_target(tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    (folder / "a.csv").write_text("x\n1\n")
    (tmp_path / "t1.csv").write_text("one\n")
    (tmp_path / "t2.csv").write_text("two\n")
    os.symlink(tmp_path / "t1.csv", folder / "link.csv")
    key = file_state.folder_key(folder)
    assert file_state.folder_key(folder) == key
    (folder / "a.csv").write_text("x\n12\n")                 # another size
    assert file_state.folder_key(folder) != key
    key = file_state.folder_key(folder)
    os.utime(folder / "a.csv", ns=(1, 1))                    # another mtime
    assert file_state.folder_key(folder) != key
    key = file_state.folder_key(folder)
    os.remove(folder / "link.csv")                           # the link names another file
    os.symlink(tmp_path / "t2.csv", folder / "link.csv")
    assert file_state.folder_key(folder) != key
    key = file_state.folder_key(folder)
    shutil.copytree(folder, tmp_path / "new", symlinks=True, copy_function=shutil.copy2)
    shutil.rmtree(folder)
    (tmp_path / "new").rename(folder)                        # the same files in a new folder
    assert file_state.folder_key(folder) != key
