"""End to end (issue: adding a municipality): create a sixth municipality with the command, fill it
from spreadsheet files in three dialects and one wide mapped file, validate it, build the reports
and find it in the comparison and in its own profile page. Runs in a temporary copy."""
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_workspace

from analysis import cli

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "municipality"
NOTEBOOKS = ("spending_structure.ipynb", "goal_agreements.ipynb", "service_indicators.ipynb",
             "municipality_profile.ipynb", "methods.ipynb")


@pytest.mark.slow
def test_a_sixth_municipality_from_spreadsheets_to_the_published_site(tmp_path, capsys):
    root = copy_workspace(tmp_path / "ws", notebooks=NOTEBOOKS)
    assert cli.main(["--root", str(root), "new-municipality", "musterstadt", "--name", "Musterstadt (test fixture)",
                     "--country", "DE", "--currency", "EUR", "--region", "Testland", "--admin-type", "Stadt"]) == 0
    folder = root / "data/municipalities/musterstadt"
    assert (folder / "municipality.yml").exists() and (folder / "budget.csv").exists()
    # refuses to overwrite without --force
    assert cli.main(["--root", str(root), "new-municipality", "musterstadt", "--name", "X",
                     "--country", "DE", "--currency", "EUR"]) == 2
    assert "--force" in capsys.readouterr().err

    # the analyst fills the tables as their spreadsheet saved them
    src = FIX / "musterstadt"
    shutil.copy(src / "documents.csv", folder / "documents.csv")
    shutil.copy(src / "budget.csv", folder / "budget.csv")            # ',' + decimal point, UTF-8
    shutil.copy(src / "indicators.csv", folder / "indicators.csv")    # ';' + decimal comma, Windows-1252
    shutil.copy(src / "goals.csv", folder / "goals.csv")              # ';' + decimal comma, UTF-8 with BOM
    shutil.copy(src / "haushalt_wide.csv", folder / "haushalt_wide.csv")  # wide: Ist 2020; Ist 2021; Plan 2022
    meta = (src / "municipality.yml").read_text(encoding="utf-8")
    (folder / "municipality.yml").write_text(meta, encoding="utf-8")
    # fictitious population rows for the fictitious town (test copy only, never data/reference)
    pop = root / "data/reference/population.csv"
    fixture_pop = (FIX / "reference/population.csv").read_text(encoding="utf-8").splitlines()[1:]
    pop.write_text(pop.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(fixture_pop) + "\n",
                   encoding="utf-8")

    assert cli.main(["--root", str(root), "validate", "musterstadt"]) == 0
    out = capsys.readouterr().out
    assert "Windows-1252" in out  # says what it assumed for the indicators file

    assert cli.main(["--root", str(root), "build", "-j", "2"]) == 0
    out = capsys.readouterr().out
    assert "profile-musterstadt" in out

    budget = pd.read_csv(root / "data/processed/budget.csv")
    m = budget[budget.municipality_id == "musterstadt"]
    assert m[(m.item_code == "3111") & (m.fiscal_year == 2023)]["amount"].iloc[0] == pytest.approx(1_200_000.25)
    # wide file in thousand EUR: Ist 2021 Hilfe zum Lebensunterhalt 1.150,5 -> 1,150,500
    wide = m[(m.item_code == "3111") & (m.fiscal_year == 2021) & (m.phase == "actual")]
    assert wide["amount"].iloc[0] == pytest.approx(1_150_500) and wide["source_ref"].iloc[0] == "haushalt_wide.csv:3"

    site = root / "reports/_site"
    profile = (site / "profile-musterstadt.html").read_text(encoding="utf-8")
    assert "Musterstadt (test fixture)" in profile
    assert "Bescheide über Neuanträge zügig erteilen" in profile  # its goal, read from the BOM file
    for page in ("spending.html", "goals.html", "indicators.html"):
        assert "Musterstadt (test fixture)" in (site / page).read_text(encoding="utf-8"), page
    nav = (site / "index.html").read_text(encoding="utf-8")
    assert "profile-musterstadt.html" in nav
