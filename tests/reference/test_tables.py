import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.contract import paths
from analysis.contract.errors import InputError
from analysis.reference import tables as reference

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "data" / "reference"
SHARED = ROOT.parent / "shared" / "reference"


@pytest.fixture
def tmp_root(tmp_path):
    shutil.copytree(REF, tmp_path / "data" / "reference")
    return tmp_path


def test_paths_follow_the_root(tmp_path, monkeypatch):
    monkeypatch.delenv("ANALYSIS_ROOT", raising=False)
    assert paths.root() == ROOT
    assert paths.reference_dir(tmp_path) == tmp_path / "data" / "reference"
    assert paths.processed_dir(tmp_path) == tmp_path / "data" / "processed"
    assert paths.notebooks_dir(tmp_path) == tmp_path / "notebooks"
    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
    assert paths.raw_dir() == tmp_path / "data" / "raw"


def test_every_table_loads_and_every_row_names_its_source():
    ref = reference.load(ROOT)
    for name in ("population", "exchange_rates", "price_index", "schemes", "category_map"):
        df = getattr(ref, name)
        assert len(df) > 0, name
        assert (df["source"].str.len() > 0).all(), name
    assert ref.population["year"].dtype == "Int64"
    assert ref.exchange_rates["units_per_eur"].dtype == "float64"


@pytest.mark.skipif(not SHARED.exists(), reason="shared/reference not beside the checkout")
def test_copied_from_the_shared_research():
    assert (REF / "population.csv").read_bytes() == (SHARED / "population.csv").read_bytes()
    assert (REF / "cofog.csv").read_bytes() == (SHARED / "cofog.csv").read_bytes()
    fx = pd.read_csv(SHARED / "fx_dkk_per_eur.csv")
    ours = reference.load_exchange_rates(ROOT).set_index("year")
    assert (ours["currency"] == "DKK").all()
    assert dict(zip(fx["year"], fx["dkk_per_eur"])) == ours["units_per_eur"].to_dict()
    hicp = pd.read_csv(SHARED / "hicp_2015_100.csv")
    pi = reference.load_price_index(ROOT)
    h = pi[pi["series"] == "HICP"]
    assert len(h) == len(hicp) and (h["base_year"] == 2015).all()
    cpi = pi[pi["series"] == "CPI-DE"]
    assert len(cpi) == 14 and (cpi["base_year"] == 2020).all()


def test_population_uses_the_nearest_earlier_year_never_a_later_one():
    # Peine 2024 is missing: 2023 (31 Dec 2023, 139,170) is used, not a later year
    value, year, source = reference.population("peine", 2024, root=ROOT)
    assert (value, year) == (139170, 2023)
    assert "wikipedia" in source
    assert reference.population("peine", 2022, root=ROOT)[:2] == (136960, 2021)
    assert reference.population("aalborg", 2014, root=ROOT)[:2] == (205809, 2014)
    rec = reference.population_record("aalborg", 2014, root=ROOT)
    assert rec["reference_date"] == "2014-01-01"


def test_population_without_an_earlier_year_lists_the_available_years():
    with pytest.raises(InputError) as exc:
        reference.population("berlin-neukoelln", 2012, root=ROOT)
    msg = str(exc.value)
    assert "population.csv" in msg and "2015, 2020, 2021, 2022, 2023, 2024" in msg
    with pytest.raises(InputError, match="no population figures for 'atlantis'"):
        reference.population("atlantis", 2012, root=ROOT)


def test_rates_and_price_indices_from_the_files():
    assert reference.rate("DKK", 2014, root=ROOT) == 7.4548
    assert reference.rate("DKK", 2024, root=ROOT) == 7.4589
    assert reference.rate("EUR", 1995, root=ROOT) == 1.0
    assert reference.price_index("DE", 2024, root=ROOT) == 129.00
    assert reference.price_index("DK", 2014, root=ROOT) == 99.78
    assert reference.price_index("DE", 2024, series="CPI-DE", root=ROOT) == 119.3


def test_missing_rate_names_the_file_and_the_row_to_add():
    with pytest.raises(InputError) as exc:
        reference.rate("SEK", 2014, root=ROOT)
    assert "exchange_rates.csv" in str(exc.value)
    assert "add a row currency=SEK, year=2014" in str(exc.value)
    with pytest.raises(InputError, match="add a row country=SE, year=2014, series=HICP"):
        reference.price_index("SE", 2014, root=ROOT)


def test_a_new_currency_and_country_is_a_data_change_only(tmp_root):
    fx = tmp_root / "data/reference/exchange_rates.csv"
    with fx.open("a", encoding="utf-8") as fh:
        fh.write("SEK,2014,9.0985,test row\n")
    pi = tmp_root / "data/reference/price_index.csv"
    with pi.open("a", encoding="utf-8") as fh:
        fh.write("SE,2014,98.5,2015,HICP,test,test row\nSE,2024,120.0,2015,HICP,test,test row\n")
    assert reference.rate("SEK", 2014, root=tmp_root) == 9.0985
    assert reference.price_index("SE", 2024, root=tmp_root) == 120.0


def test_bad_values_name_file_row_column_and_expected(tmp_root):
    fx = tmp_root / "data/reference/exchange_rates.csv"
    lines = fx.read_text(encoding="utf-8").splitlines()
    original = list(lines)
    lines[5] = lines[5].replace("7.4548", "7,4548")  # row 6 = 2014, unquoted comma: one field too many
    fx.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        reference.load_exchange_rates(tmp_root)
    assert exc.value.problems[0].line == 6 and "wrong number of fields" in str(exc.value)
    lines[5] = original[5].replace("7.4548", '"7,4548"')
    fx.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        reference.load_exchange_rates(tmp_root)
    p = exc.value.problems[0]
    assert p.path.endswith("exchange_rates.csv") and p.line == 6 and p.column == "units_per_eur"
    assert "decimal point" in p.expected and p.found == "7,4548"


def test_missing_column_and_duplicates_are_reported(tmp_root):
    pop = tmp_root / "data/reference/population.csv"
    df = pd.read_csv(pop, dtype=str, keep_default_na=False)
    df.drop(columns=["source"]).to_csv(pop, index=False)
    with pytest.raises(InputError, match="column 'source': required column is missing"):
        reference.load_population(tmp_root)
    pd.concat([df, df.iloc[[0]]]).to_csv(pop, index=False)
    with pytest.raises(InputError, match="duplicate row"):
        reference.load_population(tmp_root)


def test_category_map_rejects_admin_and_unknown_schemes(tmp_root):
    path = tmp_root / "data/reference/category_map.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "category"] = "admin"
    df.loc[1, "scheme"] = "fr_nomenclature"
    df.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        reference.load_category_map(tmp_root)
    found = {(p.line, p.column) for p in exc.value.problems}
    assert (2, "category") in found and (3, "scheme") in found
    assert "administration belongs to its scheme's group" in str(exc.value)


def test_category_map_uses_only_cofog_codes_and_explains_judgements():
    cmap = reference.load_category_map(ROOT)
    cofog = set(reference.load_cofog(ROOT)["code"])
    assert set(cmap["category"]) <= cofog
    judged = cmap[cmap["judgement"]]
    assert (judged["note"].str.len() > 0).all()
    assert set(cmap["match_on"]) <= {"code", "name", "code+name"}
    assert cmap.attrs["schemes"] == {"DE": "de_produkt", "DK": "dk_kontoplan"}


# --- task split and coverage ----------------------------------------------------------------------

RAW = ROOT / "data" / "raw"


def _refs(text: str) -> list[tuple[str, int, int]]:
    """'<raw file>:<line>[-<line>][, <line>]' references in a text -> (file, first, last)."""
    import re
    out = []
    for m in re.finditer(r"([a-z0-9_.-]+\.txt):([\d,\- ]+\d)", text):
        for part in m.group(2).split(","):
            a, _, b = part.strip().partition("-")
            out.append((m.group(1), int(a), int(b or a)))
    return out


def test_task_split_rows_name_country_admin_type_category_and_source():
    ts = reference.load_task_split()
    assert len(ts) == 38 and (ts["source"] != "").all() and (ts["who_else"] != "").all()
    assert set(ts["admin_type"]) == {"Landkreis", "Kreis", "kreisfreie Stadt", "Stadt", "Gemeinde", "Bezirk", "Kommune"}
    assert set(ts.loc[ts["admin_type"] == "Kommune", "country"]) == {"DK"}
    kdu = ts[(ts["country"] == "DE") & (ts["admin_type"] == "Landkreis") & (ts["category"] == "10.5")].iloc[0]
    assert kdu["responsibility"] == "partly" and "Bund" in kdu["who_else"] and "§ 6" in kdu["source"]
    refund = ts[(ts["country"] == "DK") & (ts["category"] == "10.4")].iloc[0]
    assert "§ 176" in refund["who_else"] and "aalborg_regnskab_2014_fb.txt:156-157,165" in refund["source"]


def test_coverage_rows_and_every_cited_document_line_exists():
    cov = reference.load_coverage()
    assert set(cov["coverage"]) == {"complete", "partial", "absent"}
    assert set(cov["municipality_id"]) == {"peine", "aalborg", "magdeburg", "berlin-neukoelln", "segeberg"}
    ts = reference.load_task_split()
    texts = list(cov["evidence"]) + list(cov["note"]) + list(ts["source"]) + list(ts["note"])
    refs = [r for t in texts for r in _refs(t)]
    assert len(refs) > 60
    for name, first, last in refs:
        lines = (RAW / name).read_text(encoding="utf-8").split("\n")
        assert 1 <= first <= last <= len(lines), (name, first, last)
        assert any(lines[i - 1].strip() for i in range(first, last + 1)), (name, first, last)  # not blank lines


def test_coverage_and_task_split_are_validated(tmp_root):
    path = tmp_root / "data/reference/coverage.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[1, "coverage"] = "mostly"
    df.loc[2, "category"] = "10.99"
    df.loc[3, "share"] = "50"          # a share for complete coverage
    df.loc[4, "evidence"] = "line 27"
    df.to_csv(path, index=False)
    with pytest.raises(InputError) as exc:
        reference.load_coverage(tmp_root)
    msg = str(exc.value)
    assert "coverage.csv:3, column 'coverage'" in msg and "one of complete, partial, absent" in msg
    assert "column 'evidence'" in msg and "'<raw file>:<line>[-<line>]'" in msg
    df = pd.read_csv(REF / "coverage.csv", dtype=str, keep_default_na=False)
    df.loc[3, "share"] = "50"
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match="a share only for partial coverage"):
        reference.load_coverage(tmp_root)
    ts = tmp_root / "data/reference/task_split.csv"
    df = pd.read_csv(ts, dtype=str, keep_default_na=False)
    df.loc[0, "admin_type"] = "Landkreis/Kreis"
    df.to_csv(ts, index=False)
    with pytest.raises(InputError, match="column 'admin_type'"):
        reference.load_task_split(tmp_root)
    (tmp_root / "data/reference/task_split.csv").unlink()
    assert reference.load_task_split(tmp_root).empty          # optional: an empty table without the file


def test_load_keeps_the_tables_until_a_file_of_data_reference_changes(tmp_root, monkeypatch):
    first = reference.load(tmp_root)
    reads = []
    real = reference.load_category_map
    monkeypatch.setattr(reference, "load_category_map", lambda root=None: reads.append(root) or real(root))
    second = reference.load(tmp_root)
    assert reads == []                                    # the tables of the first load
    assert second.population is not first.population and second.notes is not first.notes
    pd.testing.assert_frame_equal(second.category_map, first.category_map)
    assert second.category_map.attrs == first.category_map.attrs and second.root == tmp_root
    # one page's edits never reach the next load
    second.population.loc[0, "population"] = -1
    second.category_map.attrs["schemes"]["DE"] = "changed"
    second.notes.append("a note")
    third = reference.load(tmp_root)
    assert third.population.loc[0, "population"] == first.population.loc[0, "population"] != -1
    assert third.category_map.attrs["schemes"]["DE"] == "de_produkt" and third.notes == []
    assert reads == []
    # a changed file is read again
    f = tmp_root / "data" / "reference" / "population.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(lines[:-1]), encoding="utf-8")
    fourth = reference.load(tmp_root)
    assert len(reads) == 1 and len(fourth.population) == len(first.population) - 1
    # another root is another workspace
    other = tmp_root / "other"
    shutil.copytree(tmp_root / "data", other / "data")
    assert reference.load(other).root == other and len(reads) == 2
