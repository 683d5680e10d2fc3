"""Kiel and Freiburg from the bytes they published (tests/fixtures/real-budgets/, copies of
/work/shared/real-budgets/), mapped as the README documents, with no pivoting by hand.

Every expected value below was computed by hand from the file's lines (decimal sums of the
`Betrag` cells, Aufwand printed negative), not by the workspace:

Kiel (Haushalt-Kiel-2017.csv, Windows-1252):
  311210 Leistungen der Hilfe zur Pflege: Ertrag lines 2673-2676 = 100,00 + 100,00 + 250200,00 +
    200,00 = 250,600.00; Aufwand lines 2677-2695 (19 rows) = 17,813,000.00, of which line 2695
    (Ergebnisgliederung 162) 5,000.00 and the 18 transfer rows 17,808,000.00.
  341110 Unterhaltsvorschussleistungen: Aufwand lines 3290-3314 = 772,300.00, of which internal
    charges (lines 3313-3314, Ergebnisgliederung 29) 6,900.00: 765,400.00 without them; Ertrag
    lines 3288-3289 = 15,200.00.
  311610 Grundsicherung im Alter: Aufwand = Ertrag = 37,710,200.00 (net 0).
  Products 31xxxx (lines 2579-3205), internal charges left out: expenditure 304,747,500.00,
    revenue 199,564,100.00. All social products (31-36, 41), internal charges left out (the file
    prints no total; the site's total is this sum): expenditure 525,498,900.00, revenue
    282,963,600.00.
Freiburg (freiburg-ergebnishaushalt-2017-2018.csv, ISO-8859-1):
  319002, Ergebnis 2015, lines 223-225: Aufwendungen 431819,78 + 238064,13 + 989838,69 =
    1,659,722.60; Erträge 638,67 + 2794,83 + 1995,04 = 5,428.54; net 1,654,294.06.
  316001, Ergebnis 2015, lines 205-207: net 3,409,869.40 + 556,060.00 + 0.00 = 3,965,929.40.
  Produktbereich 31 (lines 181-225), Ergebnis 2015: expenditure 177,321,917.98, revenue
    73,434,917.41. The printed Saldo agrees on all 65 social rows; over the whole file it
    disagrees once: line 64 (112402), Ansatz 2017, 1661974,4 - 74446340,28 = -72,784,365.88
    against the printed -72784052,88.
"""
import csv
import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, copy_workspace

from analysis import cli
from analysis.compare import spending
from analysis.reference import tables as reference
from analysis.sources import municipality_tables as mt
from analysis.sources import validate

FIX = ROOT / "tests" / "fixtures" / "real-budgets"
SHARED_README = Path("/work/shared/real-budgets/README.md")
KIEL = "Haushalt-Kiel-2017.csv"
FREIBURG = "freiburg-ergebnishaushalt-2017-2018.csv"
FILES = {"kiel": FIX / "kiel" / KIEL, "freiburg": FIX / "freiburg" / FREIBURG}
PUBLISHED_SHA256 = {"kiel": "f5fa603e97566da1bfc570c54e0cf20dabe4378176853643f995e002ac6e03cc",
                    "freiburg": "489915567212c4d6154bd1ea8a9de8c0a84cfdb3d7fdb337414291a48761b480"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def readme_mapping() -> str:
    """The Kiel municipality.yml as the README's "Add a municipality" prints it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```yaml\n(# Landeshauptstadt Kiel.*?)```", text, re.S)
    assert m, "the README's Kiel walkthrough prints the whole municipality.yml"
    return m.group(1)


def _install(root: Path, mid: str, yml: str | None = None) -> Path:
    """The municipality's folder from the fixture bytes, its documents.csv and mapping."""
    folder = root / "data/municipalities" / mid
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copyfile(FILES[mid], folder / FILES[mid].name)
    shutil.copyfile(ROOT / "data/municipalities" / mid / "documents.csv", folder / "documents.csv")
    if yml is None:
        yml = readme_mapping() if mid == "kiel" else \
            (ROOT / "data/municipalities/freiburg/municipality.yml").read_text(encoding="utf-8")
    (folder / "municipality.yml").write_text(yml, encoding="utf-8")
    return folder


@pytest.fixture
def root(tmp_path) -> Path:
    """A workspace with the real reference data and only Kiel and Freiburg."""
    r = tmp_path / "ws"
    shutil.copytree(ROOT / "data/reference", r / "data/reference")
    (r / "data/raw").mkdir(parents=True)
    shutil.copyfile(ROOT / "tests/fixtures/municipality/raw_documents.csv", r / "data/raw/documents.csv")
    _install(r, "kiel")
    _install(r, "freiburg")
    return r


def _one(df, **kw):
    sel = df
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, kw
    return sel.iloc[0]


# --- the bytes -------------------------------------------------------------------------------

def test_fixtures_and_data_are_the_published_bytes():
    for mid, path in FILES.items():
        digest = _sha(path)
        assert digest == PUBLISHED_SHA256[mid]
        assert _sha(ROOT / "data/municipalities" / mid / path.name) == digest   # the member of the comparison
        docs = pd.read_csv(ROOT / "data/municipalities" / mid / "documents.csv", dtype=str)
        assert docs.loc[0, "sha256"] == digest and docs.loc[0, "path"] == path.name
    if SHARED_README.exists():  # the values the collection's README prints
        shared = dict(re.findall(r"^- ([0-9a-f]{64})  (\S+)$", SHARED_README.read_text(encoding="utf-8"), re.M))
        assert shared[PUBLISHED_SHA256["kiel"]] == "kiel/" + KIEL
        assert shared[PUBLISHED_SHA256["freiburg"]] == "freiburg/" + FREIBURG


def test_the_readme_prints_the_mapping_that_is_used():
    assert readme_mapping() == (ROOT / "data/municipalities/kiel/municipality.yml").read_text(encoding="utf-8")


def test_a_changed_byte_of_the_published_file_is_an_error_naming_its_sha256(root):
    """The raw file stays byte-for-byte with its sha256 in documents.csv: one changed byte (a digit
    of line 2677's Betrag) is an error naming documents.csv, its row and the sha256 column."""
    path = root / "data/municipalities/kiel" / KIEL
    data = bytearray(path.read_bytes())
    line = data.split(b"\n")[2676]
    at = data.index(line) + line.rindex(b",00") - 1
    data[at] = ord("9") if data[at] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    report = validate.check("kiel", root)
    bad = [e for e in report.errors if e.column == "sha256"]
    assert len(bad) == 1, [str(e) for e in report.errors]
    assert bad[0].line == 2 and "documents.csv" in str(bad[0]) and f"{KIEL} does not match its sha256" in str(bad[0])
    assert PUBLISHED_SHA256["kiel"] in str(bad[0])


# --- Kiel: long, account level ----------------------------------------------------------------

def test_kiel_validates_and_sums_accounts_into_products(root):
    report = validate.check("kiel", root)
    assert report.errors == []
    b = report.loaded.tables["budget"]
    pflege = b[(b["item_code"] == "311210") & (b["economic_type"] == "all")]
    exp = _one(pflege, direction="expenditure")
    assert exp["amount"] == 17_813_000.00 and exp["source_ref"] == f"{KIEL}:2677-2695"
    assert exp["item_name"] == "Leistungen der Hilfe zur Pflege" and exp["level"] == "product"
    assert (exp["fiscal_year"], exp["phase"]) == (2017, "original_budget") and "phase assumed" in exp["note"]
    rev = _one(pflege, direction="revenue")
    assert rev["amount"] == 250_600.00 and rev["source_ref"] == f"{KIEL}:2673-2676"
    # the economic breakdown of the same rows (level line)
    lines = b[(b["item_code"] == "311210") & (b["level"] == "line")]
    assert _one(lines, economic_type="transfers")["amount"] == 17_808_000.00
    assert _one(lines, economic_type="other")[["amount", "source_ref"]].tolist() == [5_000.00, f"{KIEL}:2695"]
    # internal charges: left out of the product total, kept as economic_type internal
    uvg = b[b["item_code"] == "341110"]
    assert _one(uvg, direction="expenditure", economic_type="all")["amount"] == 772_300.00 - 6_900.00
    assert _one(uvg, direction="expenditure", economic_type="all")["source_ref"] == f"{KIEL}:3290-3312"
    assert _one(uvg, economic_type="internal")[["amount", "source_ref"]].tolist() == [6_900.00, f"{KIEL}:3313-3314"]
    assert _one(uvg, direction="revenue")["amount"] == 15_200.00
    grusi = b[(b["item_code"] == "311610") & (b["economic_type"] == "all")]
    assert set(grusi["amount"]) == {37_710_200.00}
    pb31 = b[b["item_code"].str.startswith("31") & (b["economic_type"] == "all")]
    assert round(pb31.loc[pb31["direction"] == "expenditure", "amount"].sum(), 2) == 304_747_500.00
    assert round(pb31.loc[pb31["direction"] == "revenue", "amount"].sum(), 2) == 199_564_100.00
    assert not b["item_code"].str.startswith("42").any()          # sport (Produktbereich "41-42") is not social
    # validate says what it read and that population is missing (a warning, not an error)
    assert any("kept 1,646 of 6,595 rows" in n for n in report.notes)
    assert any("no population for kiel 2017 or earlier" in str(w) for w in report.warnings)


def test_kiel_net_derived_from_its_accounts(root):
    b = validate.check("kiel", root).loaded.tables["budget"].drop(columns=mt.PRIVATE)
    net = spending.with_net(b.assign(category="10.2"), "amount")
    row = _one(net[net["derived_net"]], item_code="311210")
    assert row["amount"] == 17_813_000.00 - 250_600.00 == 17_562_400.00


def test_kiel_read_as_iso_8859_1_says_it_is_windows_1252(root):
    yml = readme_mapping().replace("encoding: windows-1252", "encoding: iso-8859-1")
    folder = _install(root, "kiel", yml)
    notes = mt.read(folder, root).notes
    assert any("line 829 holds byte 0x80" in n and "declare encoding: windows-1252" in n for n in notes)


# --- Freiburg: wide, product x department -----------------------------------------------------

def test_freiburg_validates_sums_departments_and_checks_the_saldo(root):
    report = validate.check("freiburg", root)
    assert report.errors == []
    b = report.loaded.tables["budget"]
    but = b[(b["item_code"] == "319002") & (b["fiscal_year"] == 2015)]
    exp, rev = _one(but, direction="expenditure"), _one(but, direction="revenue")
    assert (exp["phase"], exp["amount"], rev["amount"]) == ("actual", 1_659_722.60, 5_428.54)
    assert exp["source_ref"] == f"{FREIBURG}:223-225"
    assert round(exp["amount"] - rev["amount"], 2) == 1_654_294.06
    welfare = b[(b["item_code"] == "316001") & (b["fiscal_year"] == 2015)]
    assert round(_one(welfare, direction="expenditure")["amount"] - _one(welfare, direction="revenue")["amount"], 2) \
        == 3_965_929.40
    pb31 = b[b["item_code"].str.startswith("31") & (b["fiscal_year"] == 2015)]
    assert round(pb31.loc[pb31["direction"] == "expenditure", "amount"].sum(), 2) == 177_321_917.98
    assert round(pb31.loc[pb31["direction"] == "revenue", "amount"].sum(), 2) == 73_434_917.41
    assert set(b["phase"]) == {"actual", "original_budget"} and set(b["fiscal_year"]) == {2015, 2016, 2017, 2018}
    assert set(b["direction"]) == {"expenditure", "revenue"}            # the Saldo is not imported
    checks = report.loaded.quality
    assert [(q["status"], q["found"]) for q in checks] == [("pass", "65 rows agree")] * 4


def test_freiburg_saldo_over_the_whole_file_finds_line_64(root):
    yml = (ROOT / "data/municipalities/freiburg/municipality.yml").read_text(encoding="utf-8")
    yml = yml.replace('          - {column: Produktbereich, in: ["31", "36", "41"]}', "          []").replace(
        "        keep:\n          []", "        keep: []")
    folder = _install(root, "freiburg", yml)
    loaded = mt.read(folder, root)
    assert loaded.problems == []
    bad = [q for q in loaded.quality if q["status"] == "contradiction"]
    assert [(q["source_ref"], q["expected"], q["found"]) for q in bad] == [
        (f"{FREIBURG}:64", "-72,784,365.88", "-72,784,052.88")]
    assert [w.line for w in loaded.warnings] == [64]


# --- categories by Land -----------------------------------------------------------------------

def test_kiel_and_freiburg_products_are_categorised_by_their_lands_scheme(root):
    cmap = reference.load_category_map(root)
    from analysis.reference import categories
    rows = []
    for mid in ("kiel", "freiburg"):
        rows.append(validate.check(mid, root).loaded.tables["budget"].drop(columns=mt.PRIVATE))
    b = pd.concat(rows)
    out, unassigned = categories.assign(b, cmap, {"kiel": "DE", "freiburg": "DE"},
                                        regions={"kiel": "Schleswig-Holstein", "freiburg": "Baden-Württemberg"})
    assert unassigned.empty
    cat = out.drop_duplicates(["municipality_id", "item_code"]).set_index(["municipality_id", "item_code"])["category"]
    assert cat["kiel", "311210"] == "10.2" and cat["kiel", "345000"] == "10.4" and cat["kiel", "351010"] == "10.6"
    # BW numbers 3150 for the BVG, which the Produktrahmen numbers 321: 315001 is no social facility
    assert cat["freiburg", "315001"] == "10.1.2" and cat["freiburg", "319002"] == "10.4"
    assert cat["freiburg", "314001"] == "10.9"   # seniors' and refugees' facilities summed (lines 198, 199)


def test_category_map_rows_cite_lines_that_hold_their_codes():
    files = {KIEL: list(csv.reader(FILES["kiel"].open(encoding="cp1252", newline=""), delimiter=";")),
             FREIBURG: list(csv.reader(FILES["freiburg"].open(encoding="latin-1", newline=""), delimiter=";"))}
    cols = {KIEL: (2, 4), FREIBURG: (0, 2)}          # Teilplan/Produkt, Produkt/Produktgruppe
    cmap = pd.read_csv(ROOT / "data/reference/category_map.csv", dtype=str, keep_default_na=False)
    cited = 0
    for rec in cmap.to_dict("records"):
        code = rec["item_code"].rstrip("*")
        for f, a, b in re.findall(r"(Haushalt-Kiel-2017\.csv|freiburg-ergebnishaushalt-2017-2018\.csv):(\d+)(?:-(\d+))?",
                                  rec["source"]):
            for n in range(int(a), int(b or a) + 1):
                row = files[f][n - 1]
                assert any(row[c].startswith(code) for c in cols[f]), (rec["item_code"], f, n)
                cited += 1
    assert cited > 50


# --- end to end: the published site -----------------------------------------------------------

NOTEBOOKS = ("spending_structure.ipynb", "goal_agreements.ipynb", "service_indicators.ipynb",
             "municipality_profile.ipynb", "methods.ipynb")


@pytest.mark.slow
def test_kiel_and_freiburg_from_published_bytes_to_the_site_without_population(tmp_path, capsys):
    ws_root = copy_workspace(tmp_path / "ws", notebooks=NOTEBOOKS)
    for mid in ("kiel", "freiburg"):
        _install(ws_root, mid)                       # the fixture bytes, the README's mapping
    pop = pd.read_csv(ws_root / "data/reference/population.csv", dtype=str)
    assert not pop["municipality_id"].isin(["kiel", "freiburg"]).any()   # no citable figure: none added

    assert cli.main(["--root", str(ws_root), "validate", "kiel", "freiburg"]) == 0
    capsys.readouterr()
    assert cli.main(["--root", str(ws_root), "build", "-j", "2", "--publisher", "nbconvert"]) == 0
    out = capsys.readouterr().out
    assert out.count("no population for kiel 2017 or earlier") == 1        # each message printed once
    assert "profile-kiel" in out and "profile-freiburg" in out

    budget = pd.read_csv(ws_root / "data/processed/budget.csv", dtype={"item_code": str})
    k = _one(budget, municipality_id="kiel", item_code="311210", direction="expenditure", economic_type="all")
    assert k["amount"] == 17_813_000.00 and k["source_ref"] == f"{KIEL}:2677-2695" and k["category"] == "10.2"
    f = budget[(budget.municipality_id == "freiburg") & (budget.item_code == "319002") & (budget.fiscal_year == 2015)]
    assert round(f.loc[f.direction == "expenditure", "amount"].iloc[0]
                 - f.loc[f.direction == "revenue", "amount"].iloc[0], 2) == 1_654_294.06
    quality = pd.read_csv(ws_root / "data/processed/quality.csv")
    assert (quality[quality.municipality_id == "freiburg"]["status"] == "pass").sum() == 4

    site = ws_root / "reports/_site"
    spending_page = (site / "spending.html").read_text(encoding="utf-8")
    for name in ("Landeshauptstadt Kiel", "Stadt Freiburg im Breisgau"):
        assert name in spending_page
    # the caveat names the municipality and the reference row that would add it
    assert "Landeshauptstadt Kiel is left out of the per-inhabitant figures (2017): data/reference/population.csv " \
           "has no population for it" in spending_page
    assert "municipality_id=kiel, official_code=01002000, year=2017" in spending_page
    downloads = site / "downloads" / "spending"
    shares = pd.read_csv(downloads / "composition-shares.csv", dtype={"category": str})
    kiel = shares[shares.municipality_id == "kiel"].set_index("category")
    assert set(kiel["fiscal_year"]) == {2017} and set(kiel.index) == {"07", "10"}
    assert kiel["share"].sum() == pytest.approx(100.0)
    assert "Haushalt-Kiel-2017.csv:2579-2587" in kiel.at["10", "source_ref"]
    fr = shares[shares.municipality_id == "freiburg"]
    assert set(fr["fiscal_year"]) == {2018} and set(fr["phase"]) == {"original_budget"}
    per_inh = pd.read_csv(downloads / "composition.csv", dtype={"category": str})
    assert not per_inh["municipality_id"].isin(["kiel", "freiburg"]).any()  # no population: left out here only
    totals = pd.read_csv(downloads / "totals.csv")
    kt = _one(totals, municipality_id="kiel")
    assert kt["expenditure_amount"] == pytest.approx(525_498_900.00) and kt["revenue_amount"] == pytest.approx(282_963_600.00)
    for mid in ("kiel", "freiburg"):
        assert (site / f"profile-{mid}.html").exists()

    # the other municipalities' per-inhabitant figures are those of a comparison without Kiel and Freiburg
    import analysis
    ws = analysis.load(ws_root, refresh=False)
    others = [m for m in per_inh["municipality_id"].unique()]
    alone = spending.composition(ws.comparable_budget(others, base_year=2024, price_basis="real", per="inhabitant"),
                                 "division", ws.reference.cofog)
    got = per_inh.set_index(["municipality_id", "category"])["value"].sort_index()
    want = alone.set_index(["municipality_id", "category"])["value"].astype(float).sort_index()
    pd.testing.assert_series_equal(got, want, check_names=False, rtol=1e-9)
    assert set(others) == {"peine", "aalborg"}
