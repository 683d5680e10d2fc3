"""validate: which product scheme a municipality uses, and a warning when most of its items get no
category from it (here: NRW numbers under a Land of the Produktrahmen)."""
import shutil

from conftest import ROOT, fixture_workspace

from analysis.sources import validate

M = "data/municipalities/musterstadt"
BUDGET = """municipality_id,document_id,fiscal_year,period,org_unit,item_code,item_name,item_name_en,level,direction,economic_type,phase,amount,currency,category,source_ref
,musterstadt-haushalt-2023,2023,,FB 50,05.01.01,Leistungen nach SGB II,,product,net,all,original_budget,900000,,,
,musterstadt-haushalt-2023,2023,,FB 50,06.01,Kindertagesbetreuung,,product,net,all,original_budget,500000,,,
,musterstadt-haushalt-2023,2023,,FB 50,3111,Hilfe zum Lebensunterhalt,,product,net,all,original_budget,100000,,,
"""


def _root(tmp_path, region: str, scheme: str | None = None):
    root = fixture_workspace(tmp_path, with_musterstadt=True)
    for name in ("category_map.csv", "cofog.csv", "schemes.csv"):
        shutil.copyfile(ROOT / "data/reference" / name, root / "data/reference" / name)
    folder = root / M
    for name in ("indicators.csv", "goals.csv", "haushalt_wide.csv"):
        (folder / name).unlink()
    yml = (folder / "municipality.yml").read_text(encoding="utf-8")
    yml = yml.replace("region: Testland", f"region: {region}" + (f"\nscheme: {scheme}" if scheme else ""))
    yml = yml[: yml.index("  wide:")]
    (folder / "municipality.yml").write_text(yml, encoding="utf-8")
    (folder / "budget.csv").write_text(BUDGET, encoding="utf-8")
    return root


def test_nrw_numbers_under_the_produktrahmen_warn_naming_the_scheme_and_rows(tmp_path):
    report = validate.check("musterstadt", _root(tmp_path, "Niedersachsen"))
    assert report.errors == []
    assert "categories: scheme de_produkt (schemes.csv row for DE (no row of its own for Niedersachsen))" in report.notes
    warning = next(str(w) for w in report.warnings if "category_map.csv" in str(w))
    assert "2 of 3 budget items of musterstadt (93 % of the amount) have no category in scheme de_produkt" in warning
    assert "Largest: 05.01.01 'Leistungen nach SGB II' (900.000); 06.01 'Kindertagesbetreuung' (500.000)" in warning
    assert "add rows scheme=de_produkt" in warning.lower()


def test_the_land_nordrhein_westfalen_picks_the_nkf_rows_and_no_warning(tmp_path):
    report = validate.check("musterstadt", _root(tmp_path, "Nordrhein-Westfalen"))
    assert "categories: scheme de_nkf (schemes.csv row for DE, Nordrhein-Westfalen)" in report.notes
    assert not any("category_map.csv" in str(w) for w in report.warnings)


def test_an_unknown_scheme_override_is_an_error(tmp_path):
    report = validate.check("musterstadt", _root(tmp_path, "Hessen", scheme="de_hessen"))
    assert [e.column for e in report.errors] == ["scheme"] and "unknown scheme" in str(report.errors[0])
