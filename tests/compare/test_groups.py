"""groups.py: land:, admin_type:, country: and group: selectors in a municipality selection."""
import pandas as pd
import pytest

from analysis.compare import groups

MUNIS = pd.DataFrame({"municipality_id": ["peine", "magdeburg", "segeberg", "kiel", "aalborg"],
                      "name": ["Landkreis Peine", "Landeshauptstadt Magdeburg", "Kreis Segeberg",
                               "Landeshauptstadt Kiel", "Aalborg Kommune"],
                      "country": ["DE", "DE", "DE", "DE", "DK"],
                      "region": ["Niedersachsen", "Sachsen-Anhalt", "Schleswig-Holstein", "Schleswig-Holstein",
                                 "Region Nordjylland"],
                      "admin_type": ["Landkreis", "kreisfreie Stadt", "Kreis", "kreisfreie Stadt", "Kommune"]})


def test_selectors_expand_in_registry_order_without_duplicates():
    assert groups.expand(["land:Schleswig-Holstein"], MUNIS) == ["segeberg", "kiel"]
    assert groups.expand(["admin_type:kreisfreie stadt"], MUNIS) == ["magdeburg", "kiel"]   # case-insensitive
    assert groups.expand(["aalborg", "country:DE", "kiel"], MUNIS) == ["aalborg", "peine", "magdeburg", "segeberg",
                                                                      "kiel"]
    assert groups.expand(["region:Niedersachsen"], MUNIS) == ["peine"]


def test_unknown_land_type_or_kind_names_it_and_the_valid_ones():
    with pytest.raises(groups.GroupError) as exc:
        groups.expand(["land:Niedersachen"], MUNIS)
    assert "'land:Niedersachen'" in str(exc.value) and "Niedersachsen, Region Nordjylland, Sachsen-Anhalt" in str(exc.value)
    with pytest.raises(groups.GroupError, match="Valid values of admin_type: Kommune, Kreis, Landkreis"):
        groups.expand(["admin_type:Gemeinde"], MUNIS)
    with pytest.raises(groups.GroupError, match="unknown selector .*'bundesland:x'.*land:<value>, region:<value>"):
        groups.expand(["bundesland:x"], MUNIS)


def test_named_groups_from_reports_groups_yml(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "groups.yml").write_text(
        "groups:\n"
        "  north:\n    title: Der Norden\n    members: [peine, 'land:Schleswig-Holstein']\n"
        "  with-dk: [group:north, aalborg]\n"
        "  loop: [group:loop]\n", encoding="utf-8")
    named = groups.load(tmp_path)
    assert named["north"] == ["peine", "land:Schleswig-Holstein"]
    assert groups.expand(["group:with-dk"], MUNIS, named) == ["peine", "segeberg", "kiel", "aalborg"]
    with pytest.raises(groups.GroupError, match=r"unknown group .*'group:sued'.*Groups in reports/groups.yml: "
                                                r"loop, north, with-dk"):
        groups.expand(["group:sued"], MUNIS, named)
    with pytest.raises(groups.GroupError, match="contains itself"):
        groups.expand(["group:loop"], MUNIS, named)
    assert groups.load(tmp_path / "nowhere") == {}
    with pytest.raises(groups.GroupError, match="no groups"):
        groups.expand(["group:north"], MUNIS, {})


def test_a_malformed_groups_file_names_the_file_and_the_group(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "groups.yml").write_text("groups:\n  north: 3\n", encoding="utf-8")
    with pytest.raises(groups.GroupError, match=r"groups.yml, group 'north': expected a list"):
        groups.load(tmp_path)
