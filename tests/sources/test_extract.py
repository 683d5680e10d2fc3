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


# --- issue 12: extract refuses what validate refuses, with the same message -------------------------

from samples.hostile import edit_cell, rules_workspace  # noqa: E402

M = "data/municipalities/musterstadt"


def _other_municipality(root):
    """A second municipality whose document is in data/raw/documents.csv."""
    from analysis.sources import scaffold
    scaffold.create("othertown", name="Othertown", country="DE", currency="EUR", admin_type="Stadt", root=root)
    (root / "data/municipalities/othertown/documents.csv").unlink()
    raw = root / "data/raw/documents.csv"
    raw.write_text(raw.read_text(encoding="utf-8").rstrip("\n") + "\nothertown-2023,othertown,Plan,R 1,2023-01-01,"
                   "Othertown,de,https://example.org/plan.pdf,,,,\n", encoding="utf-8")


def _cp1252_byte_in_utf8(root):
    b = root / M / "budget.csv"
    b.write_bytes(b.read_bytes().replace(b"Kostenerstattungen", b"Kostenerstattungen 50 \x80"))


def _symlink(root):
    b = root / M / "budget.csv"
    b.unlink()
    b.symlink_to("/etc/passwd")


def _yaml_bomb(root):
    from samples.hostile import bomb
    y = root / M / "municipality.yml"
    y.write_text(y.read_text(encoding="utf-8").split("input:")[0] + bomb(5), encoding="utf-8")


def _write(rel, data):
    def edit(root):
        (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return edit


def _replace(rel, old, new):
    def edit(root):
        p = root / rel
        p.write_text(p.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return edit


def _rename(rel, new):
    def edit(root):
        (root / rel).rename(root / new)
    return edit


def _raw_row(importer="", path="https://example.org/plan.pdf"):
    def edit(root):
        raw = root / "data/raw/documents.csv"
        raw.write_text(raw.read_text(encoding="utf-8").rstrip("\n") + f"\nmusterstadt-raw-1,musterstadt,Plan,R 1,"
                       f"2023-01-01,Stadt,de,{path},,{importer},,\n", encoding="utf-8")
    return edit


def _symlink_to_valid_csv(root):
    outside = root.parent / "outside_budget.csv"
    b = root / M / "budget.csv"
    outside.write_bytes(b.read_bytes())
    b.unlink()
    b.symlink_to(outside)


def _mapped_file(file, link=None):
    """A long mapping (issue 9) in musterstadt's municipality.yml naming `file` (a link to `link`)."""
    def edit(root):
        if link:
            (root / M / file).symlink_to(link)
        y = root / M / "municipality.yml"
        y.write_text(y.read_text(encoding="utf-8").replace(
            "  wide:\n", f"  long:\n    - file: {file}\n      value: Betrag\n  wide:\n"), encoding="utf-8")
    return edit


DOCS = f"{M}/documents.csv"
SAME_RULES = {
    "invalid-category": (lambda r: edit_cell(r / M / "budget.csv", 3, "category", "10.99"),
                         f"{M}/budget.csv:3, column 'category': unknown category (did you mean 10.9?); expected a code "
                         "of data/reference/cofog.csv like 10.7, or empty, found '10.99'"),
    "document-other-municipality": (lambda r: edit_cell(r / DOCS, 2, "municipality_id", "peine"),
                                    f"{DOCS}:2, column 'municipality_id': document of another municipality; expected "
                                    "musterstadt, found 'peine'"),
    "goal-status-contradiction": (lambda r: edit_cell(r / M / "goals.csv", 3, "status", "met"),
                                  f"{M}/goals.csv:3, column 'status': goal musterstadt-2023-02: status 'met' but result "
                                  "1,250 is worse than target 1,200 (lower_is_better); expected missed, found 'met'"),
    "sum-check-mismatch": (lambda r: edit_cell(r / M / "budget.csv", 2, "amount", "5,432,102.50"),
                           f"{M}/budget.csv:2, column 'amount': area 'Soziale Hilfen' (original_budget 2023, net, "
                           "org_unit 'FB 50 Soziales') does not equal the sum of its 3 product rows (rows 3, 4, 5); "
                           "expected 5,432,100.5 (+-1.5), found '5,432,102.5'"),
    "population-negative": (_replace("data/reference/population.csv", ",50300,", ",-50300,"),
                            "data/reference/population.csv:5, column 'population': population must be a positive whole "
                            "number; expected a number > 0, found '-50300'"),
    "population-zero": (_replace("data/reference/population.csv", ",50300,", ",0,"),
                        "data/reference/population.csv:5, column 'population': population must be a positive whole "
                        "number; expected a number > 0, found '0'"),
    "cite-other-document": (lambda r: (_other_municipality(r), edit_cell(r / M / "indicators.csv", 2, "document_id",
                                                                         "othertown-2023")),
                            f"{M}/indicators.csv:2, column 'document_id': document of another municipality "
                            "(othertown-2023 belongs to othertown); expected a document of musterstadt "
                            "(musterstadt-haushalt-2022, musterstadt-haushalt-2023), found 'othertown-2023'"),
    "achievement-given": (lambda r: edit_cell(r / M / "goals.csv", 2, "achievement", "50"),
                          f"{M}/goals.csv:2, column 'achievement': does not match target 95 and result 97 (result / "
                          "target x 100); expected 102.1 (+-0.5) or empty (computed), found '50'"),
    "percent-amount": (lambda r: edit_cell(r / M / "budget.csv", 3, "amount", "12%"),
                       f"{M}/budget.csv:3, column 'amount': a percentage is not an amount; expected an amount in whole "
                       "currency units, found '12%'"),
    "period-year-mismatch": (lambda r: edit_cell(r / M / "budget.csv", 3, "period", "2024"),
                             f"{M}/budget.csv:3, column 'period': period 2024 is not in fiscal year 2023; expected 2023 "
                             "or 2023-MM (or empty), found '2024'"),
    "mixed-encoding": (_cp1252_byte_in_utf8,
                       f"{M}/budget.csv:6, column 'note': the file is UTF-8 except one byte (the first is 0x80, '€' in "
                       "Windows-1252); expected one encoding per file (save it as 'CSV UTF-8'), found "
                       "'Kostenerstattungen 50 <0x80>'"),
    "docs-empty": (_write(DOCS, b""), f"{DOCS}:1: the file is empty; expected the header row document_id,municipality_id,"
                                      "title,reference,date,publisher,language,path,sha256, found nothing"),
    "docs-unterminated-quote": (_replace(DOCS, "Haushaltsplan 2023", '"Haushaltsplan 2023'),
                                f"{DOCS}:2, column 'title': a quoted cell is not closed before the end of the file; "
                                "expected a closing '\"' (or no quote at the start of the cell), found "
                                "'\"Haushaltsplan 2023 (fictitious test document),Drucksache 0/'"),
    "bad-date": (lambda r: edit_cell(r / DOCS, 2, "date", "2022-13-45"),
                 f"{DOCS}:2, column 'date': value breaks the contract; expected a calendar date YYYY-MM-DD, "
                 "found '2022-13-45'"),
    "found-empty-cell": (lambda r: edit_cell(r / DOCS, 3, "language", ""),
                         f"{DOCS}:3, column 'language': value breaks the contract; expected a value (the column may "
                         "not be empty), found an empty cell"),
    "path-relative-escape": (lambda r: edit_cell(r / DOCS, 2, "path", "../../../../../../../etc/passwd"),
                             f"{DOCS}:2, column 'path': the document file is outside this municipality's folder; "
                             f"expected a file in {M}/ or a web address, found '../../../../../../../etc/passwd'"),
    "path-absolute": (lambda r: edit_cell(r / DOCS, 3, "path", "/etc/passwd"),
                      f"{DOCS}:3, column 'path': an absolute path is not allowed; expected a file name in {M}/ or a web "
                      "address, found '/etc/passwd'"),
    "symlink-budget": (_symlink, f"{M}/budget.csv: is a symbolic link to a file outside {M}/; expected a regular file "
                                 f"in {M}/, found 'a link to /etc/passwd'"),
    "yaml-alias-bomb": (_yaml_bomb, f"{M}/municipality.yml:11: YAML anchors and aliases (&l0 at line 11, &l1 at line "
                                    "12, *l0 at line 12 and 48 more) are not allowed in municipality.yml; expected plain "
                                    "values (write each value out), found '&l0'"),
    "importer-unknown": (_raw_row(importer="goals_onyl"),
                         "data/raw/documents.csv:2, column 'importer': unknown importer (did you mean goals_only?); "
                         "expected one of aalborg_accounts, goals_only, peine_product_report, found 'goals_onyl'"),
    "path-raw-list": (_raw_row(path="../../../../../../etc/passwd"),
                      "data/raw/documents.csv:2, column 'path': the document file is outside data/raw/; expected a "
                      "file in data/raw/ or a web address, found '../../../../../../etc/passwd'"),
    "symlink-outside-csv": (_symlink_to_valid_csv, f"{M}/budget.csv: is a symbolic link to a file outside {M}/; "
                                                   f"expected a regular file in {M}/, found 'a link to "),
    "long-file-outside": (_mapped_file("../../../../../../etc/passwd"),
                          f"{M}/municipality.yml:15, column 'input.long[0].file': the file is outside this "
                          f"municipality's folder; expected a file in {M}/, found '../../../../../../etc/passwd'"),
    "wide-file-absolute": (_replace(f"{M}/municipality.yml", "file: haushalt_wide.csv", "file: /etc/passwd"),
                           f"{M}/municipality.yml:15, column 'input.wide[0].file': an absolute path is not allowed; "
                           f"expected a file name in {M}/, found '/etc/passwd'"),
    "long-file-symlink": (_mapped_file("plan.csv", link="/etc/passwd"),
                          f"{M}/plan.csv: is a symbolic link to a file outside {M}/; expected a regular file in {M}/, "
                          "found 'a link to /etc/passwd'"),
    "name-xls": (_rename(f"{M}/budget.csv", f"{M}/budget.xls"),
                 f"{M}/budget.xls: .xls files are not supported; expected CSV or XLSX (save the sheet as budget.xlsx or "
                 "budget.csv), found 'budget.xls'"),
    "name-case": (_rename(f"{M}/budget.csv", f"{M}/Budget.csv"),
                  f"{M}/Budget.csv: file name not recognised; expected budget.csv (lower case), found 'Budget.csv'"),
    "name-yaml": (_rename(f"{M}/municipality.yml", f"{M}/municipality.yaml"),
                  f"{M}/municipality.yaml: the metadata file must be called municipality.yml; expected "
                  "municipality.yml, found 'municipality.yaml'"),
}


@pytest.mark.parametrize("case", list(SAME_RULES))
def test_extract_refuses_what_validate_refuses(tmp_path, case):
    """Issue 12: one implementation of the rules; validate reports the error and extract (and with it
    build) stops with the same message instead of a traceback or storing a wrong figure."""
    from analysis.sources import validate

    root = rules_workspace(tmp_path)
    edit, message = SAME_RULES[case]
    edit(root)
    reports = validate.check_all(root)
    errors = [str(e) for r in reports for e in r.errors]
    assert any(e.startswith(message) for e in errors), "\n".join(errors)
    with pytest.raises(InputError) as exc:
        extract.build_tables(root)
    assert any(str(p).startswith(message) for p in exc.value.problems), str(exc.value)


def test_the_documents_csv_problem_comes_first_without_follow_on_errors(tmp_path):
    """X8: an unreadable documents.csv is the first error, and the rows do not each repeat that their
    document_id is unknown."""
    from analysis.sources import validate

    root = rules_workspace(tmp_path)
    (root / DOCS).write_bytes(b"")
    errors = [str(e) for e in validate.check("musterstadt", root).errors]
    assert errors == [f"{DOCS}:1: the file is empty; expected the header row document_id,municipality_id,title,"
                      "reference,date,publisher,language,path,sha256, found nothing"]


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
