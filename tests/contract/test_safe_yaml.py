"""Issue 12: YAML the analysts write is read without anchors, aliases or size surprises."""
import pytest
import yaml

from analysis.contract import safe_yaml
from analysis.contract.errors import InputError
from samples.hostile import bomb


def test_an_alias_bomb_is_refused_before_it_expands():
    text = "municipality_id: testtown\nname: X\n" + bomb(9)   # 9 levels would be 10^9 strings
    assert len(text) < 2_000
    with pytest.raises(InputError) as exc:
        safe_yaml.load_text(text, "data/municipalities/testtown/municipality.yml")
    assert str(exc.value) == (
        "data/municipalities/testtown/municipality.yml:3: YAML anchors and aliases (&l0 at line 3, &l1 at line 4, "
        "*l0 at line 4 and 88 more) are not allowed in municipality.yml; expected plain values (write each value "
        "out), found '&l0'")


def test_a_merge_key_is_an_alias_too():
    text = "base: &b {a: 1}\nother:\n  <<: *b\n"
    problems = safe_yaml.check_text(text, "reports/notebooks.yml")
    assert len(problems) == 1 and problems[0].line == 1 and "anchors and aliases" in problems[0].message


def test_size_is_capped_before_parsing(tmp_path):
    big = tmp_path / "municipality.yml"
    big.write_text("name: x\n" + "# " + "x" * safe_yaml.MAX_BYTES + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        safe_yaml.read(big, "municipality.yml")
    assert "the file is too large" in str(exc.value) and "expected at most 1,000,000 bytes" in str(exc.value)


def test_syntax_errors_name_the_line():
    with pytest.raises(InputError) as exc:
        safe_yaml.load_text("a: 1\nb: [1, 2\n", "x.yml")
    assert str(exc.value).startswith("x.yml:3: not valid YAML")


def test_values_as_written():
    text = 'country: NO\nofficial_code: 03157\nregion:\nname: "Oslo"\n'
    data, node = safe_yaml.load_text(text, "x.yml")
    assert data["country"] is False and data["official_code"] == 1647     # what YAML 1.1 makes of them
    assert safe_yaml.scalar_text(node, "country") == "NO"
    assert safe_yaml.scalar_text(node, "official_code") == "03157"
    assert safe_yaml.scalar_text(node, "region") is None


def test_plain_files_load_as_before():
    text = "a: 1\nb: [x, y]\nc: {d: e}\n"
    assert safe_yaml.load_text(text, "x.yml")[0] == yaml.safe_load(text)


def test_where_aliases_are_allowed_their_expansion_is_capped(tmp_path):
    """data/curated/corrections.yml repeats evidence quotes with *anchors (647 values
    expanded); a billion laughs there is refused before anything walks it."""
    from conftest import ROOT
    real = ROOT / "data" / "curated" / "corrections.yml"
    _, data, node = safe_yaml.read(real, "data/curated/corrections.yml", aliases=True)
    assert data["corrections"] and 500 < safe_yaml.expanded_nodes(node) < 1_000   # 647
    bombed = tmp_path / "corrections.yml"
    bombed.write_text("corrections: []\n" + bomb(9), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        safe_yaml.read(bombed, "data/curated/corrections.yml", aliases=True)
    assert str(exc.value) == ("data/curated/corrections.yml:3: YAML aliases expand the file to more than 200,000 "
                              "values; expected at most 200,000 values with every alias written out, found '*l0'")
    assert safe_yaml.check_text(bomb(4), "x.yml", allow=True) == []   # 9^4 strings: within the cap
