from pathlib import Path

import pytest
import yaml
from conftest import fixture_workspace

from analysis import cli
from analysis.contract import schema
from analysis.contract.errors import InputError
from analysis.sources import municipality_tables as mt
from analysis.sources import scaffold, validate

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "municipality"


def _workspace(tmp_path):
    return fixture_workspace(tmp_path)


def test_creates_the_folder_with_templates(tmp_path):
    root = _workspace(tmp_path)
    folder = scaffold.create("vaxjo", name="Växjö kommun", country="SE", currency="SEK", region="Kronobergs län",
                             root=root)
    assert folder == root / "data/municipalities/vaxjo"
    assert sorted(p.name for p in folder.iterdir()) == sorted(scaffold.FILES)
    meta = yaml.safe_load((folder / "municipality.yml").read_text(encoding="utf-8"))
    assert meta["name"] == "Växjö kommun" and meta["language"] == "sv" and meta["admin_type"] == "Kommune"
    assert meta["input"] == {"files": {}, "wide": []}
    header = (folder / "budget.csv").read_text(encoding="utf-8")
    assert header == ",".join(schema.COLUMNS["budget"] + ["budget_type", "note"]) + "\n"
    assert (folder / "goals.csv").read_text(encoding="utf-8").startswith("municipality_id,document_id,goal_id,")
    assert (folder / "documents.csv").read_text(encoding="utf-8") == ",".join(schema.COLUMNS["documents"]) + "\n"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "`original_budget`, `adjusted_budget`, `forecast`, `actual`, `actual_to_date`" in readme
    assert "analysis validate vaxjo" in readme
    # an empty scaffold is valid and gives no tables
    report = validate.check("vaxjo", root)
    assert report.errors == [] and "no tables filled in yet" in report.notes[-1]
    assert mt.load(folder, root=root) == {}


def test_refuses_to_overwrite_without_force(tmp_path):
    root = _workspace(tmp_path)
    folder = scaffold.create("musterdorf", name="Musterdorf", country="DE", currency="EUR", admin_type="Gemeinde",
                        root=root)
    (folder / "budget.csv").write_text("filled in\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        scaffold.create("musterdorf", name="Musterdorf", country="DE", currency="EUR", admin_type="Gemeinde",
                        root=root)
    assert "data/municipalities/musterdorf already exists; nothing was overwritten. Pass --force" in str(exc.value)
    assert (folder / "budget.csv").read_text(encoding="utf-8") == "filled in\n"
    scaffold.create("musterdorf", name="Musterdorf", country="DE", currency="EUR", admin_type="Gemeinde",
                    force=True, root=root)
    assert (folder / "budget.csv").read_text(encoding="utf-8").startswith("municipality_id,")


def test_bad_arguments_are_all_named(tmp_path):
    root = _workspace(tmp_path)
    with pytest.raises(InputError) as exc:
        scaffold.create("Bad Segeberg", name="Bad Segeberg", country="Germany", currency="EURO", root=root)
    msg = str(exc.value)
    assert msg.startswith("3 problems:")
    assert "column 'ID': not a valid municipality id (try 'bad-segeberg'); expected lower-case letters a-z and " \
           "digits, words joined by single hyphens, starting with a letter" in msg
    assert "column '--country': not an ISO 3166-1 alpha-2 country code; expected two capital letters like DE" in msg
    assert "column '--currency': not an ISO 4217 currency code; expected three capital letters like EUR" in msg
    assert not (root / "data/municipalities/Bad Segeberg").exists()


@pytest.mark.parametrize("mid, hint", [("neukölln", "neukoelln"), ("my_town", "my-town"), ("1town", "town"),
                                       ("town-", "town")])
def test_slug_rule(mid, hint, tmp_path):
    with pytest.raises(InputError) as exc:
        scaffold.create(mid, name="X", country="DE", currency="EUR", root=_workspace(tmp_path))
    assert f"(try '{hint}')" in str(exc.value)


def test_lower_case_codes_get_a_hint(tmp_path):
    with pytest.raises(InputError) as exc:
        scaffold.create("town", name="X", country="dk", currency="dkk", root=_workspace(tmp_path))
    assert "(did you mean DK?)" in str(exc.value) and "(did you mean DKK?)" in str(exc.value)


def test_unknown_admin_type_and_language(tmp_path):
    with pytest.raises(InputError) as exc:
        scaffold.create("town", name="X", country="IS", currency="ISK", admin_type="Township", language="ISL",
                        root=_workspace(tmp_path))
    assert "column '--admin-type': unknown administrative type; expected one of Landkreis" in str(exc.value)
    assert "column '--language': not an ISO 639-1 language code" in str(exc.value)


def test_cli(tmp_path, capsys):
    root = _workspace(tmp_path)
    argv = ["--root", str(root), "new-municipality", "bad-segeberg", "--name", "Stadt Bad Segeberg",
            "--country", "DE", "--currency", "EUR", "--region", "Schleswig-Holstein", "--admin-type", "Stadt"]
    assert cli.main(argv) == 0
    assert "created data/municipalities/bad-segeberg/" in capsys.readouterr().out
    meta, problems = mt.read_meta(root / "data/municipalities/bad-segeberg", root)
    assert problems == [] and meta.values["region"] == "Schleswig-Holstein" and meta.values["admin_type"] == "Stadt"
    assert cli.main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli.main(argv + ["--force"]) == 0


# --- issue 12: ids, the administrative type and YAML types ---------------------------------------------

def test_a_too_long_id_is_refused_before_any_folder_is_made(tmp_path, capsys):
    root = _workspace(tmp_path)
    assert cli.main(["--root", str(root), "new-municipality", "a" * 260, "--name", "X", "--country", "DE",
                     "--currency", "EUR", "--admin-type", "Stadt"]) == 2
    err = capsys.readouterr().err
    assert ("analysis new-municipality, column 'ID': the id is too long (260 characters); expected at most 64 "
            "characters, lower-case letters a-z and digits") in err and "OSError" not in err
    assert list((root / "data/municipalities").iterdir()) == []


def test_an_id_with_a_trailing_newline_is_refused(tmp_path, capsys):
    root = _workspace(tmp_path)
    assert cli.main(["--root", str(root), "new-municipality", "abc\n", "--name", "X", "--country", "DE",
                     "--currency", "EUR", "--admin-type", "Stadt"]) == 2
    assert "column 'ID': not a valid municipality id (try 'abc')" in capsys.readouterr().err
    assert list((root / "data/municipalities").iterdir()) == []
    assert scaffold.check_id("a" * 64) == [] and scaffold.check_id("a" * 65) != []


def test_the_admin_type_follows_the_country_or_is_required(tmp_path):
    root = _workspace(tmp_path)
    with pytest.raises(InputError) as exc:
        scaffold.create("testtown", name="Test", country="DE", currency="EUR", root=root)
    assert str(exc.value) == ("analysis new-municipality, column '--admin-type': required for country DE; expected one "
                              "of Landkreis, kreisfreie Stadt, Bezirk, Kreis, Stadt, Gemeinde")
    with pytest.raises(InputError) as exc:
        scaffold.create("testtown", name="Test", country="DE", currency="EUR", admin_type="Kommune", root=root)
    assert "'Kommune' is a type of DK, not of DE" in str(exc.value)
    folder = scaffold.create("odder", name="Odder Kommune", country="DK", currency="DKK", root=root)
    assert yaml.safe_load((folder / "municipality.yml").read_text(encoding="utf-8"))["admin_type"] == "Kommune"


def test_codes_are_written_in_quotes_so_yaml_keeps_them_text(tmp_path):
    root = _workspace(tmp_path)
    folder = scaffold.create("oslo", name="Oslo kommune", country="NO", currency="NOK", root=root)
    text = (folder / "municipality.yml").read_text(encoding="utf-8")
    assert 'country: "NO"' in text and 'currency: "NOK"' in text
    assert yaml.safe_load(text)["country"] == "NO"
    # an analyst who removes the quotes still gets the code (not YAML's false)
    (folder / "municipality.yml").write_text(text.replace('country: "NO"', "country: NO"), encoding="utf-8")
    meta, problems = mt.read_meta(folder, root)
    assert problems == [] and meta.values["country"] == "NO"


def test_the_scaffolded_readme_points_at_the_full_guide_that_exists(tmp_path):
    """Issue 9: the scaffolded README names where the full guide is, and that reference works: the
    relative path it gives leads from data/municipalities/<id>/ to the workspace README, which has
    the section it names, and the example folder and schema file it names exist."""
    import re

    root = Path(__file__).resolve().parents[2]
    text = scaffold.readme({"municipality_id": "vaxjo", "name": "Växjö kommun", "country": "SE", "currency": "SEK",
                           "region": "Kronobergs län", "admin_type": "Kommune", "language": "sv"})
    section = re.search(r'section "([^"]+)"', text).group(1)
    rel = re.search(r"`(\.\./[^`]*README\.md)`", text).group(1)
    guide = (root / "data/municipalities/vaxjo" / rel).resolve()
    assert guide == root / "README.md"
    assert f"\n## {section}\n" in guide.read_text(encoding="utf-8")
    for path in re.findall(r"`((?:data|src)/[^`]+)`", text):
        assert (root / path).exists(), path
