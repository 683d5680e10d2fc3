"""Issue 12: every file read stays inside the folder it belongs to, after resolving '..' and links."""
import os
from pathlib import Path

from analysis.contract import paths, safe_paths


def _ws(tmp_path):
    folder = tmp_path / "ws" / "data" / "municipalities" / "testtown"
    folder.mkdir(parents=True)
    (folder / "plan.pdf").write_bytes(b"%PDF")
    (tmp_path / "outside.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return tmp_path / "ws", folder


def test_a_link_out_of_the_folder_is_refused_and_named_where_it_lies(tmp_path):
    root, folder = _ws(tmp_path)
    link = folder / "budget.csv"
    link.symlink_to("/etc/passwd")
    problems = safe_paths.file_problems(link, folder, paths.rel(link, root), root)
    assert [str(p) for p in problems] == [
        "data/municipalities/testtown/budget.csv: is a symbolic link to a file outside data/municipalities/testtown/; "
        "expected a regular file in data/municipalities/testtown/, found 'a link to /etc/passwd'"]


def test_a_link_inside_the_folder_is_fine(tmp_path):
    root, folder = _ws(tmp_path)
    (folder / "budget.csv").symlink_to(folder / "plan.pdf")
    assert safe_paths.file_problems(folder / "budget.csv", folder, "budget.csv", root) == []


def test_document_paths(tmp_path):
    root, folder = _ws(tmp_path)
    shown = "data/municipalities/testtown/documents.csv"

    def check(value):
        file, problems = safe_paths.document_file(value, folder, shown, 2, root)
        return file, [str(p) for p in problems]

    assert check("plan.pdf") == (folder / "plan.pdf", [])
    assert check("https://example.org/plan.pdf") == (None, [])
    assert check("/etc/passwd")[1] == [
        f"{shown}:2, column 'path': an absolute path is not allowed; expected a file name in "
        "data/municipalities/testtown/ or a web address, found '/etc/passwd'"]
    for value in ("../../../../etc/passwd", "../../../../../../../../etc/passwd", "../other/x.pdf"):
        assert check(value)[1] == [
            f"{shown}:2, column 'path': the document file is outside this municipality's folder; expected a file in "
            f"data/municipalities/testtown/ or a web address, found '{value}'"], value
    os.symlink("/etc", folder / "etc")
    assert "outside this municipality's folder (through a symbolic link)" in check("etc/passwd")[1][0]
    assert check("sub/../plan.pdf")[0] == folder / "sub/../plan.pdf"


def test_rel_names_a_link_where_it_lies(tmp_path):
    root, folder = _ws(tmp_path)
    (folder / "budget.csv").symlink_to(tmp_path / "outside.csv")
    assert paths.rel(folder / "budget.csv", root) == "data/municipalities/testtown/budget.csv"
    assert Path(paths.rel(tmp_path / "outside.csv", root)) == tmp_path / "outside.csv"
